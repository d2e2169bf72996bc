package io.switchboard.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code io.switchboard.Main} in a JVM of its own, as operators run it (conf/logback.xml, the test
 * classpath), on a free port: for what an in-process node cannot show (exit codes, signals, its
 * own heap, log output). Blocking; for the JUnit thread only.
 */
public final class NodeProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path output;

  private NodeProcess(Process process, int port, Path output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /**
   * Writes {@code config} (http.host/port filled in) to {@code dir}, starts Main with extra JVM
   * flags and environment, and returns once /ready answers 200 (with Redis: once connected).
   */
  public static NodeProcess start(
      Path dir, JsonObject config, List<String> jvmFlags, Map<String, String> env) {
    int port = freePort();
    JsonObject withPort = config.copy();
    JsonObject http = withPort.getJsonObject("http", new JsonObject());
    withPort.put("http", http.put("host", "127.0.0.1").put("port", port));
    Path configFile = dir.resolve("node-" + port + ".json");
    Path output = dir.resolve("node-" + port + ".log");
    try {
      Files.writeString(configFile, withPort.encode());
      ProcessBuilder builder = new ProcessBuilder(mainCommand(jvmFlags, configFile))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile());
      builder.environment().putAll(env);
      NodeProcess node = new NodeProcess(builder.start(), port, output);
      node.awaitReady();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The command line of {@code io.switchboard.Main -conf configFile} on the test classpath with
   * conf/logback.xml, as scripts/run starts it; for tests that run Main to its exit themselves.
   */
  public static List<String> mainCommand(List<String> jvmFlags, Path configFile, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(
        java, "-Dlogback.configurationFile=" + Path.of("conf/logback.xml").toAbsolutePath()));
    if (Runtime.version().feature() >= 22) {
      // as scripts/run does: Netty's native transport loads JNI code
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(jvmFlags);
    command.addAll(List.of(
        "-cp",
        System.getProperty("java.class.path"),
        "io.switchboard.Main",
        "-conf",
        configFile.toString()));
    command.addAll(List.of(args));
    return command;
  }

  public int port() {
    return port;
  }

  public Process process() {
    return process;
  }

  /** What the node printed so far. */
  public String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The node's live heap in bytes: the total of a class histogram, which jcmd takes after a full
   * GC ({@code jcmd <pid> GC.class_histogram}), so garbage is not counted.
   */
  public long liveHeapBytes() {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    try {
      Process run = new ProcessBuilder(jcmd, String.valueOf(process.pid()), "GC.class_histogram")
          .redirectErrorStream(true)
          .start();
      String histogram = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
        throw new AssertionError("jcmd failed:\n" + histogram);
      }
      String total = histogram
          .lines()
          .filter(line -> line.startsWith("Total"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no Total line in:\n" + histogram));
      String[] fields = total.trim().split("\\s+");
      return Long.parseLong(fields[2]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One sample of the node's /metrics, by its name and labels as printed. */
  public double metric(String series) {
    return get("/metrics")
        .body()
        .lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + series + " in /metrics"));
  }

  /** A GET on the node with the JDK's client (independent of the node's own Vert.x). */
  public HttpResponse<String> get(String path) {
    return send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build());
  }

  public HttpResponse<String> post(String path, String body) {
    return send(HttpRequest.newBuilder(uri(path))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .build()
          .send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitReady() {
    // a clustered node joins Hazelcast first: seconds more on a busy machine
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the node exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        if (get("/ready").statusCode() == 200) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("the node was not ready within 60 s:\n" + output());
  }

  /** A port nothing listens on now (the OS's pick, released again). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
  @Override
  public void close() {
    terminate(process);
  }

  /** SIGTERM, then SIGKILL if {@code process} has not exited within 30 s. */
  public static void terminate(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
