package io.switchboard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code node} (18.15 or later: Debian 12 has 18.20), for the JavaScript client's tests:
 * runs {@code node --test} on a file with a given WebSocket class, printing its output as it comes,
 * and answers what it printed and how it exited. Where node is missing or too old, or the npm
 * packages a test needs are not installed, it fails saying what to install, as a missing test tool
 * must not skip tests silently. Blocking; for the JUnit thread only.
 */
public final class NodeJs {
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\..*");
  private static final String INSTALL = "run scripts/test (it installs Debian's nodejs and npm) or"
      + " apt-get install -y nodejs npm";

  /**
   * The WebSocket class the client's tests give the client, named to them in {@code SB_WEBSOCKET}
   * (clients/js/test/helpers.mjs).
   */
  public enum WebSocketClass {
    /** Node's own: 22 and later, 20.10+ with {@code --experimental-websocket}. */
    GLOBAL("global"),
    /** The {@code ws} npm package, which users of Node 18 and 20 pass to the client. */
    WS("ws");

    private final String name;

    WebSocketClass(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private final String version;
  private final int major;
  private final int minor;

  private NodeJs(String version, int major, int minor) {
    this.version = version;
    this.major = major;
    this.minor = minor;
  }

  /** What a run printed and its exit status. */
  public record Run(int exitCode, String output) {}

  /** Finds node on the PATH; 18.15 is the first with the test runner's {@code --test-reporter}. */
  public static NodeJs find() {
    String version;
    try {
      Process process =
          new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new AssertionError("node (Node.js 18.15 or later) is not installed: " + INSTALL, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    Matcher matcher = VERSION.matcher(version);
    if (!matcher.matches()) {
      throw new AssertionError("node --version said \"" + version + "\"; " + INSTALL);
    }
    int major = Integer.parseInt(matcher.group(1));
    int minor = Integer.parseInt(matcher.group(2));
    if (major < 18 || major == 18 && minor < 15) {
      throw new AssertionError("node " + version + " is too old for the client's tests (they need"
          + " node --test of 18.15 or later): install a newer one, such as Debian 12's (apt-get"
          + " install -y nodejs npm)");
    }
    return new NodeJs(version, major, minor);
  }

  /**
   * Fails, saying how to install it, unless npm package {@code name} is installed in
   * {@code project}'s node_modules (by {@code npm ci}, from its package-lock.json).
   */
  public static void requirePackage(Path project, String name) {
    if (!Files.isDirectory(project.resolve("node_modules").resolve(name))) {
      throw new AssertionError("the npm package " + name + " is not installed in " + project
          + "/node_modules: run scripts/test, which installs it, or `npm ci --ignore-scripts` in "
          + project + " (npm: Debian's npm package)");
    }
  }

  /** What {@code node --version} said: {@code v18.20.4}. */
  public String version() {
    return version;
  }

  /** The WebSocket classes this node has: the global one from 20.10 on, the ws package always. */
  public List<WebSocketClass> webSocketClasses() {
    return major > 20 || major == 20 && minor >= 10
        ? List.of(WebSocketClass.GLOBAL, WebSocketClass.WS)
        : List.of(WebSocketClass.WS);
  }

  /**
   * {@code node --test file} in {@code dir} with {@code env} added and {@code webSocket} named in
   * {@code SB_WEBSOCKET}; kills it after {@code timeout}. Each line is printed as it comes, so a
   * hanging test shows where it is.
   */
  public Run test(
      Path dir, String file, WebSocketClass webSocket, Map<String, String> env, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add("node");
    // a test forces a GC, after which some fetch implementations miss aborts
    command.add("--expose-gc");
    // Node 20 has its global WebSocket behind a flag; without it, ws runs see none, as on 18
    if (webSocket == WebSocketClass.GLOBAL && major < 22) {
      command.add("--experimental-websocket");
    }
    command.addAll(List.of("--test", "--test-reporter=spec", file));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("SB_WEBSOCKET", webSocket.toString());
    String run = file + " " + webSocket;
    StringBuilder output = new StringBuilder();
    try {
      Process process = builder.start();
      Thread reader = new Thread(() -> copy(process, run, output), "node " + run);
      reader.setDaemon(true);
      reader.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        reader.join(TimeUnit.SECONDS.toMillis(5));
        throw new AssertionError("node " + version + " --test " + run + " did not finish within "
            + timeout + "; it printed:\n" + text(output));
      }
      reader.join(TimeUnit.SECONDS.toMillis(5));
      return new Run(process.exitValue(), text(output));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void copy(Process process, String run, StringBuilder output) {
    try (BufferedReader lines = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        System.out.println("[node " + run + "] " + line);
        synchronized (output) {
          output.append(line).append('\n');
        }
      }
    } catch (IOException e) {
      // the process was killed: what it printed so far is in output
    }
  }

  private static String text(StringBuilder output) {
    synchronized (output) {
      return output.toString();
    }
  }
}
