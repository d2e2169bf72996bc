package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JDK Flight Recorder recording of a server under test (--jfr), started and dumped with {@code
 * jcmd} on the running process, so the server's command line stays the one users run. It spans
 * one scenario against one column, connect phase and warm-up included: both do the same work as
 * the measured window, so the profile's proportions hold. Open the files with {@code jfr print} or
 * JDK Mission Control.
 */
final class FlightRecording {
  private static final String NAME = "bench";

  private final long pid;

  private FlightRecording(long pid) {
    this.pid = pid;
  }

  /** Starts recording {@code pid} with the "profile" settings; null (and a line) if jcmd failed. */
  static FlightRecording start(long pid) {
    String failure = jcmd(pid, "JFR.start", "name=" + NAME, "settings=profile");
    if (failure != null) {
      System.err.println("bench:   no JFR recording: " + failure);
      return null;
    }
    return new FlightRecording(pid);
  }

  /** Writes the recording to {@code file} and stops it; the file, or null if that failed. */
  Path stop(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      System.err.println("bench:   cannot create " + file.getParent() + ": " + e);
      return null;
    }
    String failure = jcmd(pid, "JFR.stop", "name=" + NAME, "filename=" + file.toAbsolutePath());
    if (failure != null) {
      System.err.println("bench:   JFR recording not written: " + failure);
      return null;
    }
    return file;
  }

  /** Runs {@code jcmd pid args}; null when it worked, else why not. */
  private static String jcmd(long pid, String... args) {
    List<String> command = new ArrayList<>(List.of(Machine.jcmdCommand(), Long.toString(pid)));
    command.addAll(List.of(args));
    try {
      Process jcmd = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(jcmd.getInputStream().readAllBytes());
      if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
        return "jcmd " + args[0] + " timed out";
      }
      // jcmd exits 0 even when the command failed inside the target JVM
      return jcmd.exitValue() == 0 && !output.contains("Exception") && !output.contains("rror")
          ? null
          : output.trim();
    } catch (IOException e) {
      return "jcmd unavailable: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
