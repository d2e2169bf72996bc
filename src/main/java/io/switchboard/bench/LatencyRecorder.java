package io.switchboard.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and the latency histogram shared by every subscriber of one run. Subscribers live on
 * several event loops, so everything here is thread-safe; HdrHistogram's {@link Recorder} is
 * wait-free for writers and hands out interval histograms to the reader (the Bench main thread).
 */
final class LatencyRecorder {
  /** Latencies above this are clamped: a run that slow is reported as broken anyway. */
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
  final LongAdder received = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  /** Messages that reached a subscriber of another channel (rooms): must stay 0. */
  final LongAdder misrouted = new LongAdder();

  final LongAdder errors = new LongAdder();
  final LongAdder gaps = new LongAdder();
  final LongAdder closed = new LongAdder();
  final LongAccumulator lastReceiptNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
  final Map<Short, LongAdder> closeCodes = new ConcurrentHashMap<>();
  final AtomicReference<String> firstError = new AtomicReference<>();

  void record(long latencyNanos, long nowNanos) {
    long micros = Math.max(0, latencyNanos / 1000);
    recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
    received.increment();
    lastReceiptNanos.accumulate(nowNanos);
  }

  /** A message received whose latency does not count (a replay after a reconnect). */
  void count(long nowNanos) {
    received.increment();
    lastReceiptNanos.accumulate(nowNanos);
  }

  void error(String message) {
    errors.increment();
    firstError.compareAndSet(null, message);
  }

  void closed(Short code) {
    closed.increment();
    closeCodes.computeIfAbsent(code == null ? -1 : code, c -> new LongAdder()).increment();
  }

  /** The latencies recorded since the previous call (microseconds), and a reset. */
  Histogram takeInterval() {
    return recorder.getIntervalHistogram();
  }
}
