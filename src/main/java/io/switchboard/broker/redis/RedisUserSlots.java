package io.switchboard.broker.redis;

import io.switchboard.limits.UserSlots;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code limits.maxConnectionsPerUser} across the cluster (user_connections.lua): each connection
 * of a user is an entry with an expiry in the user's set, taken by one atomic script call that
 * drops expired entries, counts and adds under the limit. This node refreshes its own entries
 * every {@code presence.ttlMs / 3}, so the share of a node that died stops counting within the
 * ttl, as its presence does; a Redis that restarted empty learns every live node's connections
 * again at its next refresh.
 *
 * <p>While Redis cannot answer, connections are counted against the limit on this node alone (what
 * a single node does), and added to Redis at the next refresh once it answers again: during an
 * outage a user may hold the limit on each node.
 */
public final class RedisUserSlots implements UserSlots {
  private static final Logger log = LoggerFactory.getLogger(RedisUserSlots.class);
  private static final LuaScript CONNECTIONS = LuaScript.load("user_connections.lua");
  /** Connections per refresh call, so one call never carries an unbounded argument list. */
  private static final int REFRESH_CHUNK = 500;

  private final Vertx vertx;
  private final RedisBroker broker;
  private final RedisClients clients;
  private final RedisKeys keys;
  private final RedisBrokerStats stats;
  private final Fallback fallback;
  private final int max;
  private final long ttlMs;
  private final long refreshTimer;
  // this node's counted connections per user, from every event loop: compute() on the map makes
  // the count-and-add of the local fallback atomic; the sets are concurrent as the refresh timer
  // reads them while loops change them
  private final ConcurrentHashMap<String, Set<String>> local = new ConcurrentHashMap<>();
  // connections were counted here only (Redis could not answer): the next refresh adds them
  private volatile boolean restoreNext;
  // read and written by the refresh timer only, which runs on one context
  private long reconnectsSeen;

  /** {@code max}: limits.maxConnectionsPerUser (0: none); {@code ttlMs}: presence.ttlMs. */
  public RedisUserSlots(Vertx vertx, RedisBroker broker, int max, long ttlMs) {
    this.vertx = vertx;
    this.broker = broker;
    this.clients = broker.clients();
    this.keys = broker.keys();
    this.stats = broker.stats();
    this.fallback = new Fallback(
        "limits.maxConnectionsPerUser counts this node's connections only",
        stats.userLimitFallbacks);
    this.max = max;
    this.ttlMs = ttlMs;
    this.refreshTimer =
        max <= 0 ? -1 : vertx.setPeriodic(Math.max(100, ttlMs / 3), id -> refresh());
  }

  @Override
  public Future<Boolean> tryAcquire(String user, String connectionId) {
    if (max <= 0 || user == null || user.isEmpty()) {
      return Future.succeededFuture(true);
    }
    if (!broker.reachable()) {
      fallback.used(null);
      return Future.succeededFuture(acquireHere(user, connectionId));
    }
    Future<Boolean> acquired = call(user, "acquire", List.of(entry(connectionId)))
        .map(reply -> {
          fallback.recovered();
          if (reply.toLong() != 1) {
            return false;
          }
          local.compute(user, (u, connections) -> {
            Set<String> set = connections == null ? ConcurrentHashMap.newKeySet() : connections;
            set.add(connectionId);
            return set;
          });
          return true;
        })
        .recover(err -> {
          fallback.used(err);
          return Future.succeededFuture(acquireHere(user, connectionId));
        });
    return CallerContext.bind(acquired);
  }

  /** Counts the connection against the limit on this node only. */
  private boolean acquireHere(String user, String connectionId) {
    boolean[] acquired = {false};
    local.compute(user, (u, connections) -> {
      Set<String> set = connections == null ? ConcurrentHashMap.newKeySet() : connections;
      if (set.size() < max) {
        acquired[0] = set.add(connectionId);
      }
      return set.isEmpty() ? null : set;
    });
    if (acquired[0]) {
      restoreNext = true;
    }
    return acquired[0];
  }

  @Override
  public void release(String user, String connectionId) {
    if (max <= 0 || user == null || user.isEmpty()) {
      return;
    }
    local.computeIfPresent(user, (u, connections) -> {
      connections.remove(connectionId);
      return connections.isEmpty() ? null : connections;
    });
    if (broker.reachable()) {
      // an entry not removed (Redis failed meanwhile) is no longer refreshed: it expires
      call(user, "release", List.of(entry(connectionId)))
          .onFailure(err -> log.atDebug().log("user slot release failed: {}", err.toString()));
    }
  }

  @Override
  public Future<Void> close() {
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    return Future.succeededFuture();
  }

  /**
   * Extends this node's entries. After the link came back, or after connections were counted here
   * only, adds those Redis does not have.
   */
  void refresh() {
    long reconnects = stats.reconnects.sum();
    boolean restore = reconnects != reconnectsSeen || restoreNext;
    reconnectsSeen = reconnects;
    restoreNext = false;
    local.forEach((user, connections) -> {
      List<String> entries = new ArrayList<>(connections.size());
      connections.forEach(connection -> entries.add(entry(connection)));
      for (int from = 0; from < entries.size(); from += REFRESH_CHUNK) {
        // a failed refresh is retried by the next one (entries live three periods); a failed
        // restore is repeated
        call(
                user,
                restore ? "restore" : "refresh",
                entries.subList(from, Math.min(entries.size(), from + REFRESH_CHUNK)))
            .onFailure(err -> restoreNext |= restore);
      }
    });
  }

  /** The entry of one of this node's connections (connection ids restart with the node). */
  private String entry(String connectionId) {
    return broker.member() + "/" + connectionId;
  }

  private Future<Response> call(String user, String op, List<String> connections) {
    List<String> args = new ArrayList<>(3 + connections.size());
    args.add(op);
    args.add(String.valueOf(ttlMs));
    args.add(String.valueOf(max));
    args.addAll(connections);
    return CONNECTIONS
        .call(clients.commands(), List.of(keys.userConnections(user)), args)
        .timeout(broker.timeoutMs(), TimeUnit.MILLISECONDS);
  }
}
