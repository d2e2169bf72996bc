package io.switchboard.testing;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@link BusService} in a JVM of its own: an application's service on the clustered event bus.
 * Its answers are collected as they come; {@link #await} takes the first that matches. Blocking;
 * for the JUnit thread.
 */
public final class ServiceProcess implements AutoCloseable {
  private final Process process;
  private final Writer commands;
  private final Path log;
  private final List<JsonObject> lines = new ArrayList<>();

  private ServiceProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::read, "service-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a service with {@code spec} (see {@link BusService}); returns at once: await its
   * {@code ready} line with {@link #awaitReady} or {@link #await}.
   */
  public static ServiceProcess start(Path dir, String name, JsonObject spec) {
    try {
      Path specFile = dir.resolve(name + ".json");
      Path log = dir.resolve(name + ".log");
      Files.writeString(specFile, spec.encode());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process = new ProcessBuilder(
              java,
              "-Dlogback.configurationFile=logback-service.xml",
              "-cp",
              System.getProperty("java.class.path"),
              BusService.class.getName(),
              specFile.toString())
          .redirectError(log.toFile())
          .start();
      return new ServiceProcess(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the service to have joined the cluster. */
  public ServiceProcess awaitReady() {
    JsonObject ready = await(line -> line.containsKey("ready"), 60_000);
    if (!ready.getBoolean("ready")) {
      throw new AssertionError("the service could not join: " + ready + "\n" + log());
    }
    return this;
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonObject parsed;
        try {
          parsed = new JsonObject(line);
        } catch (RuntimeException e) {
          parsed = new JsonObject().put("unparsed", line);
        }
        synchronized (lines) {
          lines.add(parsed);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process ended: what it printed is kept
    }
  }

  public void send(JsonObject command) {
    try {
      commands.write(command.encode() + "\n");
      commands.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Takes (removes) the first line, printed already or to come, that {@code matches}. */
  public JsonObject await(Predicate<JsonObject> matches, long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    synchronized (lines) {
      while (true) {
        for (int i = 0; i < lines.size(); i++) {
          if (matches.test(lines.get(i))) {
            return lines.remove(i);
          }
        }
        long leftNs = deadline - System.nanoTime();
        if (leftNs <= 0) {
          throw new AssertionError("no matching line from the service within " + timeoutMs
              + " ms; it printed " + lines + "\n" + log());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lines, leftNs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Fails if a line that {@code matches} comes (or came and was not taken) within the window. */
  public void expectNone(Predicate<JsonObject> matches, long windowMs, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMs);
    synchronized (lines) {
      while (true) {
        for (JsonObject line : lines) {
          if (matches.test(line)) {
            throw new AssertionError("unexpected " + what + ": " + line);
          }
        }
        long leftNs = deadline - System.nanoTime();
        if (leftNs <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lines, leftNs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** The lines not taken yet that match, without taking them. */
  public List<JsonObject> pending(Predicate<JsonObject> matches) {
    synchronized (lines) {
      return lines.stream().filter(matches).toList();
    }
  }

  /** Waits for the process to exit; its exit code. */
  public int awaitExit(long timeoutMs) {
    try {
      if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the service did not exit within " + timeoutMs + " ms\n" + log());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What it logged (stderr). */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    NodeProcess.terminate(process);
  }
}
