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
}
