package io.switchboard.testing;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * A standalone {@code redis-server} on a free 127.0.0.1 port, without persistence, that a test
 * can crash ({@link #stop}) and bring back empty ({@link #restart}) on the same port, the way a
 * Redis without persistence comes back after an outage. Blocking; call it from the JUnit thread,
 * never from an event loop.
 */
public final class RedisServer implements AutoCloseable {
  private final Path dir;
  private final int port;
  private RedisProcess process;
  private List<String> extraArgs = List.of();
  private boolean closed;

  private RedisServer(Path dir, RedisProcess process) {
    this.dir = dir;
    this.port = process.port();
    this.process = process;
  }

  /** Starts a server and returns once it answers PING. */
  public static RedisServer start() {
    return start(new String[0]);
  }

  /** With more redis-server options (e.g. a TLS port besides the plain one it is checked on). */
  public static RedisServer start(String... extraArgs) {
    Path dir = RedisProcess.newTempDir();
    RedisServer server = new RedisServer(
        dir, RedisProcess.start(dir, RedisProcess::freePort, port -> List.of(extraArgs)));
    server.extraArgs = List.of(extraArgs);
    return server;
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String url() {
    return RedisProcess.url(port);
  }

  /** A node's broker config on this server, keys under {@code prefix}: {@link RedisBrokerConfig}. */
  public JsonObject brokerConfig(String prefix) {
    return RedisBrokerConfig.config(url(), prefix);
  }

  /** Kills the server (SIGKILL, like a crash) and returns once the port refuses connections. */
  public void stop() {
    if (process != null) {
      RedisProcess dying = process;
      process = null;
      dying.kill();
    }
  }

  /**
   * Starts a new, empty server on the same port (killing the current one if it still runs) and
   * returns once it answers PING.
   */
  public void restart() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    stop();
    process = RedisProcess.start(dir, () -> port, p -> extraArgs);
  }

  public boolean running() {
    return process != null && process.alive();
  }

  /** {@code redis-cli -p <port> args...}: stdout, trimmed. Throws if redis-cli cannot connect. */
  public String cli(String... args) {
    return RedisCli.run(port, args);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      RedisProcess.deleteTree(dir);
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + url() + ", dir " + dir + "]";
  }
}
