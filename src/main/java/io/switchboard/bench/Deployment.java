package io.switchboard.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one target of a scenario runs on, started fresh for the scenario and stopped after it,
 * and the {@link Endpoint} the load uses. A single server is one {@link ServerProcess}. A
 * {@link Target#CLUSTER} is a redis-server and two Switchboard nodes on the Redis broker, all
 * three on core 0: subscribers connect to node a and the publisher posts to node b, which has no
 * subscribers, so every delivery goes b → Redis (publish script + PUBLISH) → a.
 */
final class Deployment implements AutoCloseable {
  final Endpoint endpoint;
  private final RedisProcess redis;
  /** Stopped in reverse order: the nodes before the Redis they use. */
  private final List<AutoCloseable> processes;

  private Deployment(Endpoint endpoint, RedisProcess redis, List<AutoCloseable> processes) {
    this.endpoint = endpoint;
    this.redis = redis;
    this.processes = processes;
  }

  /** A Switchboard the bench did not start (--url): nothing to stop. */
  static Deployment given(Target target, URI url) {
    int port = url.getPort() > 0 ? url.getPort() : 80;
    return new Deployment(new Endpoint(target, url.getHost(), port, null), null, List.of());
  }

  /** One node started on {@code conf} instead of {@code --conf}. */
  static Deployment start(Target target, BenchOptions options, String conf) throws Exception {
    ServerProcess server = ServerProcess.start(target, options, Map.of(), null, "/health", conf);
    return new Deployment(
        new Endpoint(target, "127.0.0.1", server.port, server), null, List.of(server));
  }

  static Deployment start(Target target, BenchOptions options) throws Exception {
    if (target != Target.CLUSTER) {
      ServerProcess server = ServerProcess.start(target, options);
      return new Deployment(
          new Endpoint(target, "127.0.0.1", server.port, server), null, List.of(server));
    }
    List<AutoCloseable> processes = new ArrayList<>();
    try {
      RedisProcess redis = RedisProcess.start();
      processes.add(redis);
      ServerProcess a = startNode(options, redis, "a");
      processes.add(a);
      ServerProcess b = startNode(options, redis, "b");
      processes.add(b);
      Endpoint endpoint = new Endpoint(
          target,
          "127.0.0.1",
          a.port,
          "127.0.0.1",
          b.port,
          a,
          List.of(a.pid(), b.pid(), redis.pid()));
      return new Deployment(endpoint, redis, processes);
    } catch (Exception e) {
      closeAll(processes);
      throw e;
    }
  }

  /** A node on the Redis broker, ready once its pub/sub link is up ({@code /ready} 200). */
  private static ServerProcess startNode(BenchOptions options, RedisProcess redis, String id)
      throws Exception {
    return ServerProcess.start(
        Target.CLUSTER,
        options,
        Map.of(
            "SWITCHBOARD_BROKER_TYPE",
            "redis",
            "SWITCHBOARD_REDIS_URL",
            redis.url(),
            "SWITCHBOARD_REDIS_PREFIX",
            "bench",
            "SWITCHBOARD_NODE_ID",
            id),
        id,
        "/ready");
  }

  /**
   * Adds what the processes can tell about the run: for a cluster, how many publish scripts and
   * PUBLISH commands Redis ran, which shows the publications took the cross-node path.
   */
  void addFigures(JsonObject figures) {
    if (redis == null) {
      return;
    }
    try {
      Map<String, Long> calls = redis.calls("evalsha", "eval", "publish");
      figures
          .put("redisScripts", calls.get("evalsha") + calls.get("eval"))
          .put("redisPublishes", calls.get("publish"));
    } catch (Exception e) {
      figures.put("redisStatsError", e.toString());
    }
  }

  /** Whether the bench started the processes (not a --url). */
  boolean started() {
    return !processes.isEmpty();
  }

  /** The process ids of the target: its servers and, in a cluster, its redis-server. */
  List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    for (AutoCloseable process : processes) {
      if (process instanceof ServerProcess server) {
        pids.add(server.pid());
      } else if (process instanceof RedisProcess r) {
        pids.add(r.pid());
      }
    }
    return pids;
  }

  @Override
  public void close() {
    closeAll(processes);
  }

  private static void closeAll(List<AutoCloseable> processes) {
    for (int i = processes.size() - 1; i >= 0; i--) {
      try {
        processes.get(i).close();
      } catch (Exception e) {
        System.err.println("bench: stopping a process failed: " + e);
      }
    }
  }
}
