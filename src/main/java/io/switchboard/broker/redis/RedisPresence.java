package io.switchboard.broker.redis;

import io.switchboard.broker.PresenceManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Presence shared by every node (presence.lua). Each entry expires after {@code presence.ttlMs}
 * unless its node refreshes it, which this class does for its own connections every third of
 * that: a node that dies takes its users with it within the ttl, and a Redis that restarted empty
 * learns every live node's presence again at the next refresh.
 */
public final class RedisPresence implements PresenceManager {
  private static final LuaScript PRESENCE = LuaScript.load("presence.lua");
  /** Connections per refresh call, so one call never carries an unbounded argument list. */
  private static final int REFRESH_CHUNK = 500;

  private final Vertx vertx;
  private final RedisClients clients;
  private final RedisKeys keys;
  private final long ttlMs;
  private final long timeoutMs;
  private final Predicate<String> announcesLeaves;
  private final BiConsumer<String, String> swept;
  // this node's connections per channel, from every event loop: concurrent maps, each entry
  // changed only by the loop that owns the connection
  private final ConcurrentHashMap<String, Map<String, String>> local = new ConcurrentHashMap<>();
  private final long refreshTimer;
  private final RedisBrokerStats stats;
  // read and written by the refresh timer only, which runs on one context
  private long reconnectsSeen;

  /** {@code announcesLeaves}: whether a channel's namespace sends leave events (joinLeave). */
  public RedisPresence(
      Vertx vertx,
      RedisBroker broker,
      long ttlMs,
      long timeoutMs,
      Predicate<String> announcesLeaves) {
    this(vertx, broker, ttlMs, timeoutMs, announcesLeaves, (channel, user) -> {});
  }

  /**
   * {@code swept}: told of each user a sweep of this node found gone (the last of their
   * connections expired with a dead node), channel and user; the sweep is atomic, so exactly one
   * node hears of each such leave.
   */
  public RedisPresence(
      Vertx vertx,
      RedisBroker broker,
      long ttlMs,
      long timeoutMs,
      Predicate<String> announcesLeaves,
      BiConsumer<String, String> swept) {
    this.swept = swept;
    this.vertx = vertx;
    this.clients = broker.clients();
    this.stats = broker.stats();
    this.keys = new RedisKeys(broker.prefix());
    this.ttlMs = ttlMs;
    this.timeoutMs = timeoutMs;
    this.announcesLeaves = announcesLeaves;
    this.refreshTimer = vertx.setPeriodic(Math.max(100, ttlMs / 3), id -> refresh());
  }

  @Override
  public Future<Boolean> add(String channel, String connectionId, String user) {
    local.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(connectionId, user);
    return call(channel, "add", List.of(connectionId, user)).map(reply -> reply.toLong() == 1);
  }

  @Override
  public Future<Boolean> remove(String channel, String connectionId, String user) {
    local.computeIfPresent(channel, (c, connections) -> {
      connections.remove(connectionId);
      return connections.isEmpty() ? null : connections;
    });
    return call(channel, "remove", List.of(connectionId, user)).map(reply -> reply.toLong() == 1);
  }

  @Override
  public Future<List<PresenceEntry>> list(String channel) {
    return call(channel, "list", List.of()).map(reply -> {
      List<PresenceEntry> entries = new ArrayList<>();
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        entries.add(new PresenceEntry(reply.get(i).toString(), reply.get(i + 1).toInteger()));
      }
      entries.sort((a, b) -> a.user().compareTo(b.user()));
      return entries;
    });
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(refreshTimer);
    return Future.succeededFuture();
  }

  /**
   * Extends this node's entries; also sweeps what expired in those channels. The first refresh
   * after the broker's link came back restores entries Redis no longer has.
   */
  void refresh() {
    long reconnects = stats.reconnects.sum();
    String op = reconnects != reconnectsSeen ? "restore" : "refresh";
    reconnectsSeen = reconnects;
    local.forEach((channel, connections) -> {
      List<String> pairs = new ArrayList<>();
      connections.forEach((connection, user) -> {
        pairs.add(connection);
        pairs.add(user);
      });
      for (int from = 0; from < pairs.size(); from += 2 * REFRESH_CHUNK) {
        // failures are retried by the next refresh; entries live three refresh periods
        call(channel, op, pairs.subList(from, Math.min(pairs.size(), from + 2 * REFRESH_CHUNK)));
      }
    });
  }

  private Future<Response> call(String channel, String op, List<String> rest) {
    List<String> args = new ArrayList<>(3 + rest.size());
    args.add(op);
    args.add(String.valueOf(ttlMs));
    args.add(announcesLeaves.test(channel) ? keys.pubSub(channel) : "");
    args.addAll(rest);
    List<String> presenceKeys = List.of(
        keys.presenceExpiry(channel), keys.presenceUsers(channel), keys.presenceCounts(channel));
    return CallerContext.bind(PRESENCE
        .call(clients.commands(), presenceKeys, args)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(reply -> {
          for (Response user : reply.get(1)) {
            swept.accept(channel, user.toString());
          }
          return reply.get(0);
        }));
  }
}
