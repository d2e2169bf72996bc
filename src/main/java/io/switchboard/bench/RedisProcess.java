package io.switchboard.bench;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The redis-server of a cluster run: a child process on a free loopback port, pinned to core 0
 * with the nodes, without persistence ({@code --save "" --appendonly no}), stopped with the
 * scenario and by the shutdown hook of {@link ServerProcess} on abort.
 */
final class RedisProcess implements AutoCloseable {
  private static final long READY_TIMEOUT_MS = 10_000;

  final int port;
  private final Process process;
  private final Path log;

  private RedisProcess(int port, Process process, Path log) {
    this.port = port;
    this.process = process;
    this.log = log;
  }

  long pid() {
    return process.pid();
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts redis-server and waits until it answers PING. */
  static RedisProcess start() throws Exception {
    String binary = Machine.onPath("redis-server");
    if (binary == null) {
      throw new IllegalStateException("redis-server not found; --cluster needs it "
          + "(Debian/Ubuntu: apt-get install -y redis-server; scripts/bench installs it as root)");
    }
    int port = ServerProcess.freePort();
    Path dir = Files.createDirectories(Path.of("target", "bench-logs"));
    Path log = dir.resolve("redis-" + port + ".log");
    List<String> command = new ArrayList<>(Machine.serverCore());
    command.addAll(List.of(
        binary,
        "--port",
        Integer.toString(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir.toAbsolutePath().toString()));
    Process process = ServerProcess.track(new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start());
    RedisProcess redis = new RedisProcess(port, process, log);
    try {
      redis.awaitPong();
    } catch (Exception e) {
      redis.close();
      throw e;
    }
    return redis;
  }

  private void awaitPong() throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT_MS * 1_000_000;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue()
            + " while starting; last lines of " + log + ":\n" + ServerProcess.tail(log));
      }
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("redis-server did not answer PING within "
        + READY_TIMEOUT_MS / 1000 + " s; last lines of " + log + ":\n" + ServerProcess.tail(log));
  }

  /**
   * Calls per command since the start ({@code INFO commandstats}, which counts the commands a Lua
   * script runs too), for the commands named, in their order; a command never called is 0.
   */
  Map<String, Long> calls(String... commands) throws IOException {
    String info = command("INFO commandstats");
    Map<String, Long> calls = new LinkedHashMap<>();
    for (String name : commands) {
      calls.put(name, 0L);
      for (String line : info.split("\r\n")) {
        // cmdstat_evalsha:calls=123,usec=...
        if (line.startsWith("cmdstat_" + name + ":calls=")) {
          String value = line.substring(line.indexOf('=') + 1);
          calls.put(name, Long.parseLong(value.substring(0, value.indexOf(','))));
        }
      }
    }
    return calls;
  }

  /** Sends one inline command and returns its status or bulk-string reply. */
  private String command(String inline) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String first = line(in);
      if (first.startsWith("+")) {
        return first.substring(1);
      }
      if (first.startsWith("$")) {
        int length = Integer.parseInt(first.substring(1));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
          throw new IOException("redis-server closed the connection mid-reply");
        }
        return new String(body, StandardCharsets.UTF_8);
      }
      throw new IOException("redis-server answered " + inline + " with " + first);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    if (b == -1 && line.size() == 0) {
      throw new IOException("redis-server closed the connection");
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    ServerProcess.stop(process);
  }
}
