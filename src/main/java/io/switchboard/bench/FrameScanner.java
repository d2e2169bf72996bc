package io.switchboard.bench;

/**
 * Finds the benchmark's {@code "t":} and {@code "s":} numbers in a received frame without
 * building a JSON tree: at hundreds of thousands of frames per second the client must cost less
 * than the server it measures. The keys cannot occur elsewhere in a frame: no protocol field is
 * named {@code t} or {@code s}, and channel names cannot hold quotes (PROTOCOL §2).
 */
final class FrameScanner {
  private static final byte[] T_KEY = {'"', 't', '"', ':'};
  private static final byte[] S_KEY = {'"', 's', '"', ':'};
  static final long MISSING = Long.MIN_VALUE;

  private FrameScanner() {}

  static long t(byte[] b, int from, int to) {
    return numberAfter(b, from, to, T_KEY);
  }

  static long s(byte[] b, int from, int to) {
    return numberAfter(b, from, to, S_KEY);
  }

  /** The non-negative integer after {@code key}, or {@link #MISSING}. */
  static long numberAfter(byte[] b, int from, int to, byte[] key) {
    int i = indexOf(b, from, to, key);
    if (i < 0) {
      return MISSING;
    }
    i += key.length;
    while (i < to && b[i] == ' ') {
      i++;
    }
    boolean negative = i < to && b[i] == '-';
    if (negative) {
      i++;
    }
    long value = 0;
    int start = i;
    while (i < to && b[i] >= '0' && b[i] <= '9') {
      value = value * 10 + (b[i] - '0');
      i++;
    }
    if (i == start) {
      return MISSING;
    }
    return negative ? -value : value;
  }

  static int indexOf(byte[] b, int from, int to, byte[] key) {
    int last = to - key.length;
    outer:
    for (int i = from; i <= last; i++) {
      for (int k = 0; k < key.length; k++) {
        if (b[i + k] != key[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
