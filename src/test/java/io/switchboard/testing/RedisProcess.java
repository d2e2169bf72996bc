package io.switchboard.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * One {@code redis-server} child process on 127.0.0.1, and the process plumbing that
 * {@link RedisServer} and {@link RedisCluster} share: free ports, waiting for PING, temp dirs.
 * Blocking; for the JUnit thread only.
 *
 * <p>Every started process is registered with a shutdown hook, so a test run that is aborted
 * (Ctrl-C, a surefire timeout) does not leave redis-servers behind.
 */
final class RedisProcess {
  static final String HOST = "127.0.0.1";
  static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
  /** Starts retried when redis-server exits at once, typically because the port was taken. */
  private static final int START_ATTEMPTS = 5;

  private static final int LOG_TAIL_LINES = 20;
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "redis-process-reaper"));
  }

  private final Process process;
  private final int port;
  private final Path log;

  private RedisProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts {@code redis-server} on a port from {@code ports} with {@code --save "" --appendonly no
   * --dir dir} plus {@code extraArgs.apply(port)}, and waits until it answers PING. When the
   * process exits before that (a port freed by the last server, or picked as free, can be taken
   * for a moment), it tries again with the next port from {@code ports}.
   */
  static RedisProcess start(Path dir, IntSupplier ports, IntFunction<List<String>> extraArgs) {
    return start(dir, ports, extraArgs, null);
  }

  /** With a configuration file (e.g. a sentinel's, which must be the first argument). */
  static RedisProcess start(
      Path dir, IntSupplier ports, IntFunction<List<String>> extraArgs, Path configFile) {
    String command = requireOnPath("redis-server");
    IllegalStateException lastFailure = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int port = ports.getAsInt();
      Path log = dir.resolve("redis-" + port + ".log");
      List<String> args = new ArrayList<>(List.of(command));
      if (configFile != null) {
        args.add(configFile.toString());
      }
      args.addAll(List.of(
          "--port",
          Integer.toString(port),
          "--bind",
          HOST,
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dir.toString()));
      args.addAll(extraArgs.apply(port));
      Process process;
      try {
        process = new ProcessBuilder(args)
            .redirectErrorStream(true)
            // appended, so one server's restarts read as one story
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "could not run redis-server (" + e.getMessage()
                + "); install it: apt-get install -y redis-server",
            e);
      }
      LIVE.add(process);
      RedisProcess redis = new RedisProcess(process, port, log);
      try {
        redis.awaitPing();
        return redis;
      } catch (ExitedEarly e) {
        lastFailure = e;
        sleep(POLL_INTERVAL.multipliedBy(5L * attempt));
      }
    }
    throw new IllegalStateException(
        "redis-server did not start in " + START_ATTEMPTS + " attempts; the last one: "
            + lastFailure.getMessage(),
        lastFailure);
  }

  int port() {
    return port;
  }

  Path log() {
    return log;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, as a crash would, then waits until the port refuses connections. */
  void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing redis-server", e);
    } finally {
      LIVE.remove(process);
    }
    // the kernel closes the listener with the process; this only guards against a slow exit
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (accepts(port)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("port " + port + " still accepts connections after"
            + " redis-server was killed; is another process listening on it?");
      }
      sleep(POLL_INTERVAL);
    }
  }

  /**
   * A port nothing listens on right now. Another process may take it before redis-server binds
   * it; {@link #start} retries for that case.
   */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  static String url(int port) {
    return "redis://" + HOST + ":" + port;
  }

  static Path newTempDir() {
    try {
      return Files.createTempDirectory("switchboard-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }

  /** Polls, since a starting redis-server announces readiness only to the port. */
  private void awaitPing() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        LIVE.remove(process);
        throw new ExitedEarly("redis-server exited with code " + process.exitValue()
            + " before answering PING on port " + port + "; log " + log + ":\n" + logTail());
      }
      if (answersPing()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        LIVE.remove(process);
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING"
            + " within " + READY_TIMEOUT + "; log " + log + ":\n" + logTail());
      }
      sleep(POLL_INTERVAL);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * PING, then INFO to check the process id: on a reused port another redis-server may answer
   * while ours is still failing to bind.
   */
  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 1000);
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("PING\r\nINFO server\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      if (!"+PONG".equals(in.readLine())) {
        return false; // e.g. -LOADING: poll again
      }
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        if (line.startsWith("process_id:")) {
          return line.equals("process_id:" + process.pid());
        }
      }
      return false;
    } catch (IOException e) {
      return false; // not listening yet: poll again
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 1000);
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return true; // a timeout is not a refusal: keep waiting
    }
  }

  static String requireOnPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(program + " is not on the PATH; install it:"
        + " apt-get install -y redis-server (scripts/test does this)");
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** redis-server died while starting; {@link #start} may retry on another port. */
  private static final class ExitedEarly extends IllegalStateException {
    ExitedEarly(String message) {
      super(message);
    }
  }
}
