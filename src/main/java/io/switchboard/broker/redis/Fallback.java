package io.switchboard.broker.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis-backed check that falls back to what this node knows by itself when Redis cannot answer.
 * An outage fails every call: one warning when the fallbacks start, one line when Redis answers
 * again, and every fallback counted (a metric). Thread-safe.
 */
final class Fallback {
  private static final Logger log = LoggerFactory.getLogger(Fallback.class);

  private final String what;
  private final LongAdder count;
  private final AtomicBoolean active = new AtomicBoolean();

  /** {@code what}: the check and its fallback, as the log line says it. */
  Fallback(String what, LongAdder count) {
    this.what = what;
    this.count = count;
  }

  /** Redis could not answer (unreachable, or {@code err}): the caller uses its own state. */
  void used(Throwable err) {
    count.increment();
    if (active.compareAndSet(false, true)) {
      log.atWarn()
          .log("{}: Redis cannot answer ({})", what, err == null ? "unreachable" : err.toString());
    }
  }

  /** Redis answered. */
  void recovered() {
    if (active.get() && active.compareAndSet(true, false)) {
      log.atInfo().log("{}: Redis answers again", what);
    }
  }
}
