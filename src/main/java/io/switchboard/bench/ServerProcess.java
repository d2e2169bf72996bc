package io.switchboard.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * A server under test, run as a child JVM pinned to core 0 (the bench itself is on core 1), with
 * its output in a log file. Every started process (servers, and the redis-server of a cluster) is
 * registered with a shutdown hook, so Ctrl-C or a failing run never leaves one behind.
 */
final class ServerProcess implements AutoCloseable {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ServerProcess::kill)));
  }

  final Target target;
  final int port;
  private final Process process;
  private final Path log;

  private ServerProcess(Target target, int port, Process process, Path log) {
    this.target = target;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  long pid() {
    return process.pid();
  }

  /** Starts the server and waits for {@code GET /health} to answer 200. */
  static ServerProcess start(Target target, BenchOptions options) throws Exception {
    return start(target, options, Map.of(), null, "/health");
  }

  /**
   * Starts the server with {@code env} added to its environment and waits for {@code GET
   * readyPath} to answer 200; {@code name} (may be null) tells apart the logs of a cluster's nodes.
   */
  static ServerProcess start(
      Target target, BenchOptions options, Map<String, String> env, String name, String readyPath)
      throws Exception {
    return start(target, options, env, name, readyPath, target.conf(options));
  }

  /** The same with another config file than {@code --conf} (the hooks runs write their own). */
  static ServerProcess start(
      Target target,
      BenchOptions options,
      Map<String, String> env,
      String name,
      String readyPath,
      String conf)
      throws Exception {
    String jar = target.jar(options);
    requireMainClass(jar, target.mainClass);
    int port = freePort();
    List<String> command = new ArrayList<>(Machine.serverCore());
    command.addAll(javaCommand(target.jvmOptions(options)));
    if (target.isSwitchboard()) {
      command.addAll(List.of("-jar", jar, "-conf", conf));
    } else {
      command.addAll(List.of("-cp", jar, target.mainClass));
    }
    Path log = Files.createDirectories(Path.of("target", "bench-logs"))
        .resolve(target.label + (name == null ? "" : "-" + name) + "-" + port + ".log");
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    builder.environment().put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
    builder.environment().put("SWITCHBOARD_HTTP_INSTANCES", Integer.toString(options.instances));
    Process process = track(builder.start());
    ServerProcess server = new ServerProcess(target, port, process, log);
    try {
      server.awaitReady(readyPath);
    } catch (Exception e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * {@code java @conf/jvm.options $JAVA_OPTS}: what scripts/run starts a node with, so the figures
   * are those of a node as users run it (no bench-only flags). The baseline gets the same options,
   * so a ratio compares the servers, not their JVM settings.
   */
  static List<String> javaCommand(String jvmOptions) {
    if (!Files.isRegularFile(Path.of(jvmOptions))) {
      throw new IllegalStateException("--jvm-options " + jvmOptions + " does not exist");
    }
    List<String> command = new ArrayList<>(List.of(Machine.javaCommand(), "@" + jvmOptions));
    // split into words as the shell splits scripts/run's unquoted ${JAVA_OPTS}
    String javaOpts = System.getenv().getOrDefault("JAVA_OPTS", "").trim();
    if (!javaOpts.isEmpty()) {
      command.addAll(List.of(javaOpts.split("\\s+")));
    }
    return command;
  }

  /** Fails early, with a sentence, when the jar was built without the server (yet). */
  private static void requireMainClass(String classpath, String mainClass) throws IOException {
    if (!classpath.endsWith(".jar") || classpath.contains(File.pathSeparator)) {
      return; // a development classpath: let the JVM say what is missing
    }
    if (!Files.isRegularFile(Path.of(classpath))) {
      throw new IllegalStateException(classpath + " does not exist; build it with "
          + "'mvn -q -B -DskipTests package' (scripts/bench does this)");
    }
    try (ZipFile zip = new ZipFile(classpath)) {
      if (zip.getEntry(mainClass.replace('.', '/') + ".class") == null) {
        throw new IllegalStateException(classpath + " has no " + mainClass
            + "; is the server built? Run 'scripts/bench baseline' to measure only the baseline");
      }
    }
  }

  private void awaitReady(String path) throws Exception {
    HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(2))
        .build();
    long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(target.label + " exited with " + process.exitValue()
            + " before it was ready; last lines of " + log + ":\n" + tail(log));
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        target.label + " did not answer GET " + path + " with 200 within "
            + HEALTH_TIMEOUT.toSeconds() + " s; last lines of " + log + ":\n" + tail(log));
  }

  /** Resident memory of the server (VmRSS), in KB; -1 if unreadable. */
  long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      System.err.println("bench: cannot read VmRSS of " + pid() + ": " + e);
    }
    return -1;
  }

  /** Asks the server JVM for a full GC (jcmd), then lets it settle for {@code settleMs}. */
  void fullGc(long settleMs) throws InterruptedException {
    try {
      Process jcmd = new ProcessBuilder(Machine.jcmdCommand(), Long.toString(pid()), "GC.run")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
        System.err.println("bench: jcmd GC.run timed out; RSS is measured without a full GC");
      }
    } catch (IOException e) {
      System.err.println(
          "bench: jcmd unavailable (" + e.getMessage() + "); RSS is measured without a full GC");
    }
    Thread.sleep(settleMs);
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stop(process);
  }

  /** Registers a child process (a server or a redis-server) with the shutdown hook. */
  static Process track(Process process) {
    LIVE.add(process);
    return process;
  }

  /** Stops a tracked child process and forgets it. */
  static void stop(Process process) {
    kill(process);
    LIVE.remove(process);
  }

  /** SIGTERM, then SIGKILL: a draining server would spread closes over its drain window. */
  private static void kill(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
