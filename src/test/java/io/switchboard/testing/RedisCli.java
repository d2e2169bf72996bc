package io.switchboard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** Runs {@code redis-cli} for the Redis fixtures. Blocking; for the JUnit thread only. */
final class RedisCli {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** The readers block until redis-cli exits, so they get threads of their own, not a pool's. */
  private static final Executor READER_THREADS = task -> {
    Thread thread = new Thread(task, "redis-cli-output");
    thread.setDaemon(true);
    thread.start();
  };

  private RedisCli() {}

  /**
   * Runs {@code redis-cli -h 127.0.0.1 -p port args...} and returns its stdout, trimmed. Redis
   * error replies are output like any other (redis-cli exits 0 on them); a failure of redis-cli
   * itself, such as a refused connection, throws with its stderr.
   */
  static String run(int port, String... args) {
    List<String> all =
        new ArrayList<>(List.of("-h", RedisProcess.HOST, "-p", Integer.toString(port)));
    all.addAll(List.of(args));
    return run(all, TIMEOUT);
  }

  /** Runs {@code redis-cli args...}: stdout trimmed; throws with stdout and stderr if it fails. */
  static String run(List<String> args, Duration timeout) {
    List<String> command = new ArrayList<>(List.of(RedisProcess.requireOnPath("redis-cli")));
    command.addAll(args);
    try {
      Process process = new ProcessBuilder(command).start();
      process.getOutputStream().close(); // no input: a prompt sees EOF instead of waiting
      // both pipes are drained at once: a child that fills one while we read the other would hang
      CompletableFuture<String> out = readAsync(process.getInputStream());
      CompletableFuture<String> err = readAsync(process.getErrorStream());
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out after " + timeout + ": " + command);
      }
      String stdout = out.join().trim();
      if (process.exitValue() != 0) {
        throw new IllegalStateException("exit " + process.exitValue() + ": " + command
            + "\nstdout: " + stdout + "\nstderr: " + err.join().trim());
      }
      return stdout;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }

  private static CompletableFuture<String> readAsync(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        READER_THREADS);
  }
}
