package io.switchboard.fuzz;

import io.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One fuzz run: the seed every entry point's generator derives from, the cases counted per entry
 * point, and the failures, each naming the seed, the case and its input.
 */
final class FuzzRun {
  /** The protocol's error codes a hostile input may get: all but internal. */
  static final Set<String> CLIENT_CODES = Arrays.stream(ErrorCode.values())
      .filter(c -> c != ErrorCode.INTERNAL)
      .map(ErrorCode::wireName)
      .collect(Collectors.toUnmodifiableSet());

  final long seed;
  private final Map<String, AtomicInteger> cases = new TreeMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  FuzzRun(long seed) {
    this.seed = seed;
  }

  /** The generator of one entry point: its own stream, so adding cases elsewhere changes none. */
  Mutator mutator(String entry) {
    return new Mutator(new SplittableRandom(seed ^ entry.hashCode() * 0x9E3779B97F4A7C15L));
  }

  synchronized void counted(String entry) {
    cases.computeIfAbsent(entry, k -> new AtomicInteger()).incrementAndGet();
  }

  synchronized Map<String, Integer> counts() {
    Map<String, Integer> copy = new TreeMap<>();
    cases.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  int total() {
    return counts().values().stream().mapToInt(Integer::intValue).sum();
  }

  void check(boolean ok, String entry, int index, Object input, Supplier<String> what) {
    if (!ok) {
      fail(entry, index, input, what.get());
    }
  }

  void fail(String entry, int index, Object input, String what) {
    failures.add("seed " + seed + ", " + entry + " case " + index + ": " + what + "; input "
        + preview(input));
  }

  List<String> failures() {
    return new ArrayList<>(failures);
  }

  /** The failures as a message that starts with the seed to rerun with. */
  String report() {
    List<String> all = failures();
    return "fuzz seed " + seed + " (rerun: -Dfuzz.seed=" + seed + "): " + all.size()
        + " failures, first ones:\n  "
        + String.join("\n  ", all.subList(0, Math.min(8, all.size())));
  }

  static boolean isClientCode(String code) {
    return code != null && CLIENT_CODES.contains(code);
  }

  static String preview(Object input) {
    String text = input instanceof Buffer bytes
        ? escape(bytes.getBytes())
        : input instanceof byte[] raw ? escape(raw) : String.valueOf(input);
    return text.length() <= 300
        ? text
        : text.substring(0, 300) + "... (" + text.length() + " chars)";
  }

  private static String escape(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (c >= 0x20 && c < 0x7F && c != '\\') {
        out.append((char) c);
      } else {
        out.append(String.format("\\x%02x", c));
      }
    }
    return out.toString();
  }

  static String utf8(Buffer bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Runs {@code tasks} with at most {@code parallel} in flight; completes when all have. */
  Future<Void> inParallel(List<Supplier<Future<?>>> tasks, int parallel) {
    Promise<Void> done = Promise.promise();
    Iterator<Supplier<Future<?>>> next = tasks.iterator();
    AtomicInteger running = new AtomicInteger();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      synchronized (next) {
        while (running.get() < parallel && next.hasNext()) {
          running.incrementAndGet();
          Supplier<Future<?>> task = next.next();
          Future<?> started;
          try {
            started = task.get();
          } catch (RuntimeException e) {
            // each task reports its own outcome; one that cannot even start is a bug of the fuzz
            fail("fuzz runner", -1, null, "a case threw " + e);
            started = Future.failedFuture(e);
          }
          started.onComplete(ar -> {
            running.decrementAndGet();
            pump[0].run();
          });
        }
        if (running.get() == 0 && !next.hasNext()) {
          done.tryComplete();
        }
      }
    };
    pump[0].run();
    return done.future();
  }
}
