package io.switchboard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One Redis Sentinel on a free port watching a {@link RedisServer} as master {@code name}, so a
 * node in sentinel mode finds its master through it. Blocking; for the JUnit thread only.
 */
public final class RedisSentinel implements AutoCloseable {
  private final Path dir;
  private final RedisProcess process;

  private RedisSentinel(Path dir, RedisProcess process) {
    this.dir = dir;
    this.process = process;
  }

  public static RedisSentinel start(RedisServer master, String name) {
    Path dir = RedisProcess.newTempDir();
    Path config = dir.resolve("sentinel.conf");
    try {
      // the sentinel rewrites this file, so it lives in the sentinel's own directory
      Files.writeString(
          config,
          "sentinel monitor " + name + " " + RedisProcess.HOST + " " + master.port() + " 1\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RedisSentinel(
        dir,
        RedisProcess.start(dir, RedisProcess::freePort, port -> List.of("--sentinel"), config));
  }

  /** {@code redis://127.0.0.1:<port>} of the sentinel. */
  public String url() {
    return RedisProcess.url(process.port());
  }

  @Override
  public void close() {
    process.kill();
    RedisProcess.deleteTree(dir);
  }
}
