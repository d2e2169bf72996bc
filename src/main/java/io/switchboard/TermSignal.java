package io.switchboard;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM, which orchestrators send to stop a node: the first one starts the drain ({@code Main}
 * exits 0 once it is done); a second one, from someone who will not wait, halts the JVM at once
 * with {@link #HALT_STATUS}. The JVM's own handling would run the shutdown hooks at the first and
 * ignore the second while they run. SIGINT (Ctrl-C) keeps the JVM's handling.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the only way a Java program handles a
 * signal; it works on JDK 17 to 25. Where it does not, {@link #install} says so and returns false.
 */
final class TermSignal {
  /** 128 + 15: the status of a process killed by SIGTERM, as the JVM itself exits on one. */
  static final int HALT_STATUS = 143;

  private static final Logger log = LoggerFactory.getLogger(TermSignal.class);

  private TermSignal() {}

  /** Handles SIGTERM from now on: {@code drain} at the first, halt at the second. */
  static boolean install(Runnable drain) {
    AtomicInteger received = new AtomicInteger();
    try {
      // each signal is handled on a thread of its own: the count decides which one is first
      Signal.handle(new Signal("TERM"), signal -> {
        if (received.incrementAndGet() == 1) {
          log.info("SIGTERM: draining (send SIGTERM again to exit at once)");
          drain.run();
        } else {
          log.warn("second SIGTERM: exiting at once, without finishing the drain");
          Runtime.getRuntime().halt(HALT_STATUS);
        }
      });
      return true;
    } catch (IllegalArgumentException | LinkageError e) {
      log.atWarn()
          .log(
              "cannot handle SIGTERM ({}): it will drain from a shutdown hook, and a"
                  + " second SIGTERM will not cut the drain short",
              e.toString());
      return false;
    }
  }
}
