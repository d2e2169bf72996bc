package io.switchboard.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster of three masters (no replicas) on free 127.0.0.1 ports, without persistence,
 * started by the test itself. Blocking; call it from the JUnit thread, never from an event loop.
 */
public final class RedisCluster implements AutoCloseable {
  private static final int MASTERS = 3;
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STATE_OK_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

  private final Path dir;
  private final List<RedisProcess> nodes;
  private boolean closed;

  private RedisCluster(Path dir, List<RedisProcess> nodes) {
    this.dir = dir;
    this.nodes = nodes;
  }

  /**
   * Starts the nodes, joins them with {@code redis-cli --cluster create}, and returns once every
   * node reports {@code cluster_state:ok}.
   */
  public static RedisCluster start() {
    Path dir = RedisProcess.newTempDir();
    RedisCluster cluster = new RedisCluster(dir, new ArrayList<>());
    try {
      for (int i = 0; i < MASTERS; i++) {
        cluster.nodes.add(RedisProcess.start(
            dir,
            RedisProcess::freePort,
            port -> List.of(
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                dir.resolve("nodes-" + port + ".conf").toString(),
                "--cluster-node-timeout",
                "2000",
                // the default bus port, port + 10000, overflows for ports above 55535, and free
                // ports come from the ephemeral range (up to 60999 on Linux)
                "--cluster-port",
                Integer.toString(RedisProcess.freePort()))));
      }
      List<String> create = new ArrayList<>(List.of("--cluster", "create"));
      for (int port : cluster.ports()) {
        create.add(RedisProcess.HOST + ":" + port);
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      RedisCli.run(create, CREATE_TIMEOUT);
      cluster.awaitStateOk();
      return cluster;
    } catch (RuntimeException e) {
      // dir is kept: the error message points at the logs in it
      for (RedisProcess node : cluster.nodes) {
        try {
          node.kill();
        } catch (RuntimeException killFailure) {
          e.addSuppressed(killFailure);
        }
      }
      throw e;
    }
  }

  /** Client ports, in creation order. */
  public List<Integer> ports() {
    return nodes.stream().map(RedisProcess::port).toList();
  }

  /** The first node's URL; a cluster client discovers the others from it. */
  public String connectionString() {
    return RedisProcess.url(nodes.get(0).port());
  }

  public List<String> urls() {
    return nodes.stream().map(node -> RedisProcess.url(node.port())).toList();
  }

  /**
   * {@code redis-cli -p <port> args...}: stdout, trimmed. Pass {@code "-c"} first to follow
   * MOVED redirects to the node that owns a key.
   */
  public String cli(int port, String... args) {
    return RedisCli.run(port, args);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    for (RedisProcess node : nodes) {
      try {
        node.kill();
      } catch (RuntimeException e) {
        // keep killing: one stuck node must not leave the others running
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    RedisProcess.deleteTree(dir);
    if (failure != null) {
      throw failure;
    }
  }

  /** Polls: slots are assigned at once, but each node reports ok only once gossip agrees. */
  private void awaitStateOk() {
    long deadline = System.nanoTime() + STATE_OK_TIMEOUT.toNanos();
    for (RedisProcess node : nodes) {
      String info;
      while (!(info = RedisCli.run(node.port(), "cluster", "info")).contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("cluster node " + node.port() + " not ok within "
              + STATE_OK_TIMEOUT + "; log " + node.log() + "; CLUSTER INFO:\n" + info);
        }
        RedisProcess.sleep(POLL_INTERVAL);
      }
    }
  }

  @Override
  public String toString() {
    return "RedisCluster" + urls();
  }
}
