package io.switchboard.bench;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the subscribers of a storm report about their resumes. Subscribers live on several event
 * loops, so everything here is thread-safe; the bench main thread reads it.
 */
final class ResumeCounters {
  /** Resumed subscriptions acknowledged (the client is back). */
  final LongAdder back = new LongAdder();
  /** Acks that said {@code "recovered": false}: missed messages the server could not replay. */
  final LongAdder notRecovered = new LongAdder();
  /** Subscribers back that also received every message up to their ack's offset. */
  final LongAdder caughtUp = new LongAdder();
  /** Messages received as replay (before the subscriber caught up): not counted as live. */
  final LongAdder replayed = new LongAdder();

  final LongAccumulator lastBackNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);
  /** From the cut to each resumed ack: the spread shows whether a few stragglers set allBackS. */
  final LatencyRecorder backTimes = new LatencyRecorder();
  /** When the storm's cut started; set by the bench thread before any reconnect. */
  volatile long cutNanos;

  final LongAccumulator lastCaughtUpNanos = new LongAccumulator(Math::max, Long.MIN_VALUE);

  /** Forgets a storm, for the next one; called with no storm under way. */
  void reset() {
    back.reset();
    notRecovered.reset();
    caughtUp.reset();
    replayed.reset();
    lastBackNanos.reset();
    lastCaughtUpNanos.reset();
    backTimes.takeInterval();
  }
}
