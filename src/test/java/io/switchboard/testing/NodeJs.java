package io.switchboard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code node} (20.10 or later), for the JavaScript client's tests: runs
 * {@code node --test} on a file, printing its output as it comes, and answers what it printed and
 * how it exited. Where node is missing or too old it fails saying what to install, as a missing
 * test tool must not skip tests silently. Blocking; for the JUnit thread only.
 */
public final class NodeJs {
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\..*");
  private static final String INSTALL = "run scripts/test (it installs Debian's nodejs) or"
      + " apt-get install -y nodejs";

  private final List<String> flags;

  private NodeJs(List<String> flags) {
    this.flags = flags;
  }

  /** What a run printed and its exit status. */
  public record Run(int exitCode, String output) {}

  /** Finds node on the PATH and picks its flags: a global WebSocket needs a flag before 22. */
  public static NodeJs find() {
    String version;
    try {
      Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new AssertionError("node (Node.js 20.10 or later) is not installed: " + INSTALL, e);
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
    if (major < 20 || major == 20 && minor < 10) {
      throw new AssertionError("node " + version + " is too old for the client's tests (they use"
          + " its WebSocket, 20.10 or later): " + INSTALL + " from a newer release");
    }
    return new NodeJs(major < 22 ? List.of("--experimental-websocket") : List.of());
  }

  /**
   * {@code node --test file} in {@code dir} with {@code env} added; kills it after
   * {@code timeout}. Each line is printed as it comes, so a hanging test shows where it is.
   */
  public Run test(Path dir, String file, Map<String, String> env, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add("node");
    command.addAll(flags);
    command.addAll(List.of("--test", "--test-reporter=spec", file));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    StringBuilder output = new StringBuilder();
    try {
      Process process = builder.start();
      Thread reader = new Thread(() -> copy(process, file, output), "node " + file);
      reader.setDaemon(true);
      reader.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        reader.join(TimeUnit.SECONDS.toMillis(5));
        throw new AssertionError("node --test " + file + " did not finish within " + timeout
            + "; it printed:\n" + text(output));
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

  private static void copy(Process process, String file, StringBuilder output) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        System.out.println("[node " + file + "] " + line);
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
