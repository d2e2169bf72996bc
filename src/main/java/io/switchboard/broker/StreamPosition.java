package io.switchboard.broker;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A place in a channel's stream: a per-channel offset that only grows, and the epoch of the
 * history it belongs to. A broker that loses a channel's history (a restart without persistence,
 * an idle channel dropped) starts a new epoch, so an offset from the lost history can never be
 * mistaken for a recoverable one. On the wire it is the opaque string {@code <offset>-<epoch>}.
 */
public record StreamPosition(long offset, String epoch) {

  public String encode() {
    return offset + "-" + epoch;
  }

  /** Parses a client-supplied offset; null when it is not one of ours (treated as unrecoverable). */
  public static StreamPosition parse(String text) {
    if (text == null) {
      return null;
    }
    int dash = text.indexOf('-');
    if (dash <= 0 || dash == text.length() - 1) {
      return null;
    }
    try {
      long offset = Long.parseLong(text, 0, dash, 10);
      return offset < 0 ? null : new StreamPosition(offset, text.substring(dash + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * A fresh epoch: eight hex digits, random enough that a restarted history never reuses the
   * epoch of the one it replaced. ThreadLocalRandom, not UUID: the Redis broker offers one with
   * every publish (the script keeps the channel's own), and SecureRandom there would be work on
   * the hot path for a value almost always thrown away.
   */
  public static String newEpoch() {
    return epoch(ThreadLocalRandom.current().nextInt());
  }

  /** An epoch made of 32 given bits: eight hex digits. */
  public static String epoch(int bits) {
    String hex = Integer.toHexString(bits);
    return "00000000".substring(hex.length()) + hex;
  }

  /**
   * The first position of an epoch: the publish it answers created the channel (new, or gone from
   * the broker since: expired, evicted, lost with a Redis restart).
   */
  public boolean opensEpoch() {
    return offset == 1;
  }

  public boolean sameEpoch(StreamPosition other) {
    return other != null && epoch.equals(other.epoch);
  }

  /** Later in the same stream: same epoch, greater offset. False for null. */
  public boolean isAfter(StreamPosition other) {
    return sameEpoch(other) && offset > other.offset;
  }

  /**
   * Somewhere {@code top} has reached: same epoch, offset not greater. For a non-null position
   * this is exactly the opposite of {@link #isNewSince}: a publication at or before what a reader
   * was last sent is a repeat. False for null.
   */
  public boolean isAtOrBefore(StreamPosition top) {
    return sameEpoch(top) && offset <= top.offset;
  }

  /**
   * New to a reader who was last sent {@code seen}: nothing seen yet (null), another epoch (the
   * history restarted, so its offsets start again), or after it. This is the rule every
   * "was it already sent?" filter applies.
   */
  public boolean isNewSince(StreamPosition seen) {
    return seen == null || !isAtOrBefore(seen);
  }

  /** The very next position after {@code previous}: same epoch, offset one more. False for null. */
  public boolean follows(StreamPosition previous) {
    return sameEpoch(previous) && offset == previous.offset + 1;
  }

  /**
   * Whether a reader who was last sent this position can be given everything after it, in a
   * history whose latest position is {@code top} and whose oldest retained publication has the
   * offset {@code oldestRetained} (0: none retained): same epoch, not past the top, and either at
   * the top or with the next offset still retained. Both brokers answer a {@code since} with it.
   */
  public boolean recoverableFrom(StreamPosition top, long oldestRetained) {
    return isAtOrBefore(top)
        && (offset == top.offset || (oldestRetained > 0 && oldestRetained <= offset + 1));
  }
}
