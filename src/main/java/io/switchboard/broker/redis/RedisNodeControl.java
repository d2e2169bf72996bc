package io.switchboard.broker.redis;

import io.switchboard.broker.NodeControl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests to every node through Redis pub/sub, and the registry of live nodes that tells whose
 * answers to wait for. A disconnect is published on {@link RedisKeys#control()}, which every
 * node's {@link PubSubLink} listens to (in a Cluster a PUBLISH reaches the subscribers of every
 * master); each other node closes the user's connections and publishes its count on the asking
 * node's answers channel. The asker waits for the nodes the registry lists as live, at most
 * {@link #ANSWER_WAIT_MS}.
 *
 * <p>Each node beats in {@link RedisKeys#nodes()} every {@code presence.ttlMs / 3} (nodes.lua); one
 * that stops beating (dead, or cut off from Redis) drops out after the ttl, as its presence does.
 * A clean shutdown leaves at once.
 *
 * <p>Requests waiting for answers are touched on this class's own context only.
 */
public final class RedisNodeControl implements NodeControl {
  private static final Logger log = LoggerFactory.getLogger(RedisNodeControl.class);
  private static final LuaScript NODES = LuaScript.load("nodes.lua");
  /**
   * How long a disconnect waits for the other nodes' answers: a live node answers within a few
   * milliseconds; one that died stays listed for up to presence.ttlMs, and is reported as not
   * having answered.
   */
  public static final long ANSWER_WAIT_MS = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final RedisBroker broker;
  private final RedisClients clients;
  private final RedisKeys keys;
  private final String member;
  private final long ttlMs;
  private final long beatTimer;
  private volatile BiFunction<String, Long, Future<Integer>> handler =
      (user, revokedAtMs) -> Future.succeededFuture(0);
  private volatile Runnable joined = () -> {};
  // live nodes at the last beat (a gauge), written by the beat's reply
  private volatile int liveNodes;
  private final Map<String, Waiting> waiting = new HashMap<>();
  private long requests;

  /** A disconnect waiting for answers. */
  private static final class Waiting {
    final Set<String> expected;
    final Set<String> answered = new HashSet<>();
    final Promise<Answers> done = Promise.promise();
    int closed;
    long timer = -1;

    Waiting(Set<String> expected) {
      this.expected = expected;
    }

    Answers answers() {
      Set<String> nodes = new HashSet<>(expected);
      nodes.addAll(answered);
      return new Answers(closed, nodes.size(), answered.size());
    }
  }

  /** {@code ttlMs}: presence.ttlMs, after which a node that stopped beating drops out. */
  public RedisNodeControl(Vertx vertx, RedisBroker broker, long ttlMs) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.broker = broker;
    this.clients = broker.clients();
    this.keys = broker.keys();
    this.member = broker.member();
    this.ttlMs = ttlMs;
    broker.controlListener(this::onControl);
    broker.onLinkUp(() -> {
      // listed at once, not at the next beat: a Redis that restarted empty has no registry
      beat();
      joined.run();
    });
    if (broker.reachable()) {
      // the link came up before this listened
      beat();
    }
    this.beatTimer = vertx.setPeriodic(Math.max(100, ttlMs / 3), id -> beat());
  }

  @Override
  public void onDisconnect(BiFunction<String, Long, Future<Integer>> handler) {
    this.handler = handler;
  }

  @Override
  public void onJoined(Runnable handler) {
    this.joined = handler;
  }

  @Override
  public boolean clustered() {
    return true;
  }

  /** Live nodes at the last beat, this one included (0 before the first). */
  public int liveNodes() {
    return liveNodes;
  }

  @Override
  public Future<Answers> disconnectElsewhere(String user, long revokedAtMs) {
    if (!broker.reachable()) {
      return Future.failedFuture("Redis is unreachable");
    }
    Future<Answers> answered = nodes("live", reply -> {
          Set<String> others = new HashSet<>();
          reply.forEach(node -> others.add(node.toString()));
          others.remove(member);
          return others;
        })
        .compose(others -> ask(user, revokedAtMs, others));
    return CallerContext.bind(answered);
  }

  private Future<Answers> ask(String user, long revokedAtMs, Set<String> others) {
    Promise<Answers> result = Promise.promise();
    context.runOnContext(v -> {
      String id = Long.toString(++requests, 36);
      Waiting request = new Waiting(others);
      waiting.put(id, request);
      request.done.future().onComplete(result);
      request.timer = vertx.setTimer(ANSWER_WAIT_MS, t -> finish(id));
      // a node that started after the registry was read answers too, and is counted
      broker
          .publishControl(keys.control(), "d " + id + " " + member + " " + revokedAtMs + " " + user)
          .onComplete(ar -> context.runOnContext(x -> {
            if (ar.failed()) {
              Waiting failed = waiting.remove(id);
              if (failed != null) {
                vertx.cancelTimer(failed.timer);
                failed.done.fail(ar.cause());
              }
            } else if (others.isEmpty()) {
              finish(id);
            }
          }));
    });
    return result.future();
  }

  /** Completes a request with the answers it has; on this class's context. */
  private void finish(String id) {
    Waiting request = waiting.remove(id);
    if (request != null) {
      vertx.cancelTimer(request.timer);
      request.done.complete(request.answers());
    }
  }

  /** A message on a control channel; on the pub/sub link's context. */
  private void onControl(String channel, String payload) {
    String[] fields = payload.split(" ", 5);
    try {
      if (fields.length == 5 && fields[0].equals("d") && channel.equals(keys.control())) {
        String origin = fields[2];
        if (!origin.equals(member)) {
          disconnectHere(fields[1], origin, Long.parseLong(fields[3]), fields[4]);
        }
        return;
      }
      if (fields.length == 4 && fields[0].equals("c")) {
        String node = fields[2];
        int closed = Integer.parseInt(fields[3]);
        context.runOnContext(v -> answer(fields[1], node, closed));
        return;
      }
    } catch (NumberFormatException e) {
      // reported below, as every other malformed message
    }
    log.atWarn().addKeyValue("channel", channel).log("ignored a malformed control message");
  }

  private void disconnectHere(String id, String origin, long revokedAtMs, String user) {
    handler
        .apply(user, revokedAtMs)
        .compose(closed ->
            broker.publishControl(keys.answers(origin), "c " + id + " " + member + " " + closed))
        .onFailure(err -> log.atWarn()
            .addKeyValue("user", user)
            .addKeyValue("from", origin)
            .log("a disconnect asked by another node was not answered: {}", err.toString()));
  }

  private void answer(String id, String node, int closed) {
    Waiting request = waiting.get(id);
    if (request == null || !request.answered.add(node)) {
      // late (the request was answered without it) or repeated: nothing to add
      return;
    }
    request.closed += closed;
    if (request.answered.containsAll(request.expected)) {
      finish(id);
    }
  }

  private void beat() {
    nodes("beat", Response::toInteger)
        .onSuccess(count -> liveNodes = count)
        // retried at the next beat; the entry lives three beats
        .onFailure(err -> log.atDebug().log("node registry beat failed: {}", err.toString()));
  }

  private <T> Future<T> nodes(String op, Function<Response, T> reply) {
    return NODES
        .call(clients.commands(), List.of(keys.nodes()), List.of(op, String.valueOf(ttlMs), member))
        .timeout(broker.timeoutMs(), TimeUnit.MILLISECONDS)
        .map(reply);
  }

  /** Leaves the registry, so the others stop waiting for this node at once. */
  @Override
  public Future<Void> close() {
    vertx.cancelTimer(beatTimer);
    Promise<Void> left = Promise.promise();
    context.runOnContext(v -> {
      waiting.keySet().stream().toList().forEach(this::finish);
      if (!broker.reachable()) {
        // the entry expires after the ttl; no need to wait for a Redis that is not there
        left.complete();
        return;
      }
      nodes("leave", reply -> reply).<Void>mapEmpty().otherwiseEmpty().onComplete(left);
    });
    return left.future();
  }
}
