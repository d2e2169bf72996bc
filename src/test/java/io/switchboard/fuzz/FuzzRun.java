package io.switchboard.fuzz;

import io.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One fuzz run: the seed every entry point's generator derives from, the cases counted per entry
 * point, the failures, each naming the seed, the case and its input, and the cases in flight.
 *
 * <p>Every case runs under a deadline ({@link #guard}): the protocol promises a hostile client an
 * answer or a close, never silence, so a case that gets neither in {@link #CASE_DEADLINE_MS} is a
 * failure naming the entry point, case, input and the step it was stuck at, and its lane or slot
 * moves on. Without it one unanswered case (or a client step with no timeout of its own: a pooled
 * connection, a WebSocket handshake, a close) held the whole run until the 3-minute last resort,
 * which says nothing about which case it was.
 */
final class FuzzRun {
  /**
   * How long a case waits for the server's answer (a response, a reply, an error frame or pong, a
   * close): generous, so a slow, busy machine is not a failure ({@code -Dfuzz.caseDeadlineMs}).
   */
  static final long ANSWER_MS = Long.getLong("fuzz.caseDeadlineMs", 15_000);
  /**
   * How long one case may take from its start, whatever it waits for: also the steps with no
   * timeout of their own (a pooled connection, a WebSocket handshake, a close). Longer than {@link
   * #ANSWER_MS}, so an answer's own timeout, which says which answer was missing, comes first.
   */
  static final long CASE_DEADLINE_MS = ANSWER_MS + 5_000;

  /** The protocol's error codes a hostile input may get: all but internal. */
  static final Set<String> CLIENT_CODES = Arrays.stream(ErrorCode.values())
      .filter(c -> c != ErrorCode.INTERNAL)
      .map(ErrorCode::wireName)
      .collect(Collectors.toUnmodifiableSet());

  final long seed;
  private final Vertx vertx;
  private final Map<String, AtomicInteger> cases = new TreeMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  /** The cases that missed their deadline: also failures, and listed first in the report. */
  private final ConcurrentLinkedQueue<String> missed = new ConcurrentLinkedQueue<>();

  private final Set<Trace> inFlight = ConcurrentHashMap.newKeySet();
  /** Per entry point, the longest a guarded case took: how close a run came to the deadlines. */
  private final Map<String, Long> slowest = new ConcurrentHashMap<>();

  FuzzRun(long seed, Vertx vertx) {
    this.seed = seed;
    this.vertx = vertx;
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
    failures.add(failure(entry, index, input, what));
  }

  private String failure(String entry, int index, Object input, String what) {
    return "seed " + seed + ", " + entry + " case " + index + ": " + what + "; input "
        + preview(input);
  }

  List<String> failures() {
    return new ArrayList<>(failures);
  }

  /**
   * The failures as a message that starts with the seed to rerun with; cases that got no answer
   * at all come first.
   */
  String report() {
    List<String> all = new ArrayList<>(missed);
    failures.stream().filter(f -> !missed.contains(f)).forEach(all::add);
    return "fuzz seed " + seed + " (rerun: -Dfuzz.seed=" + seed + "): " + all.size()
        + " failures (" + missed.size()
        + " cases got no answer within their deadline), first ones:\n  "
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

  /** One case of an entry point: what names it in a failure, and how it runs. */
  record Task(String entry, int index, Object input, Function<Trace, Future<?>> body) {}

  /**
   * Where one case is: set by the case at each step that waits, so a case that misses its deadline
   * says which wait it was stuck in (a pooled connection, the connect, the answer, the close).
   */
  static final class Trace {
    final String entry;
    final int index;
    final Object input;
    private final long startedNanos = System.nanoTime();
    private volatile String step = "starting";
    private volatile long stepNanos = startedNanos;

    Trace(String entry, int index, Object input) {
      this.entry = entry;
      this.index = index;
      this.input = input;
    }

    /** The case now waits for {@code what}. */
    void at(String what) {
      step = what;
      stepNanos = System.nanoTime();
    }

    long elapsedMs() {
      return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    String where() {
      long now = System.nanoTime();
      return "stuck at \"" + step + "\" for " + (now - stepNanos) / 1_000_000 + " ms, "
          + (now - startedNanos) / 1_000_000 + " ms into the case";
    }

    @Override
    public String toString() {
      return entry + " case " + index + ": " + where() + "; input " + preview(input);
    }
  }

  /** Why a guarded case's future failed when it missed its deadline (already reported). */
  static final class DeadlineMissed extends RuntimeException {
    DeadlineMissed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs {@code work} under the case's deadline: the future completes as the work does, or fails
   * with {@link DeadlineMissed} once {@link #CASE_DEADLINE_MS} have passed, after reporting the
   * case as a failure with the step it was stuck at. What the work does after that is ignored.
   */
  Future<Void> guard(Trace trace, Supplier<Future<?>> work) {
    Promise<Void> done = Promise.promise();
    inFlight.add(trace);
    long timer = vertx.setTimer(CASE_DEADLINE_MS, id -> {
      String message =
          "no answer within the case's deadline of " + CASE_DEADLINE_MS + " ms: " + trace.where();
      if (done.tryFail(new DeadlineMissed(message))) {
        inFlight.remove(trace);
        missed.add(failure(trace.entry, trace.index, trace.input, message));
        fail(trace.entry, trace.index, trace.input, message);
      }
    });
    Future<?> started;
    try {
      started = work.get();
    } catch (RuntimeException e) {
      // each case reports its own outcome; one that cannot even start is a bug of the fuzz
      fail("fuzz runner", trace.index, trace.input, trace.entry + " case threw " + e);
      started = Future.failedFuture(e);
    }
    started.onComplete(ar -> {
      vertx.cancelTimer(timer);
      inFlight.remove(trace);
      slowest.merge(trace.entry, trace.elapsedMs(), Math::max);
      if (ar.succeeded()) {
        done.tryComplete();
      } else {
        done.tryFail(ar.cause());
      }
    });
    return done.future();
  }

  /** Per entry point, the longest a case took, in ms. */
  Map<String, Long> slowest() {
    return new TreeMap<>(slowest);
  }

  /** The cases that have started and neither finished nor missed their deadline. */
  String inFlight() {
    List<String> all = inFlight.stream().map(Trace::toString).sorted().toList();
    return all.size() + " cases in flight"
        + (all.isEmpty()
            ? ""
            : ":\n  " + String.join("\n  ", all.subList(0, Math.min(20, all.size()))));
  }

  /**
   * Runs {@code tasks} with at most {@code parallel} in flight, each under its deadline
   * ({@link #guard}); completes when all have finished or missed it.
   */
  Future<Void> inParallel(List<Task> tasks, int parallel) {
    Promise<Void> done = Promise.promise();
    Iterator<Task> next = tasks.iterator();
    AtomicInteger running = new AtomicInteger();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      synchronized (next) {
        while (running.get() < parallel && next.hasNext()) {
          running.incrementAndGet();
          Task task = next.next();
          Trace trace = new Trace(task.entry, task.index, task.input);
          guard(trace, () -> task.body.apply(trace)).onComplete(ar -> {
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
