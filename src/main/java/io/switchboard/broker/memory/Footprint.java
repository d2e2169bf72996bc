package io.switchboard.broker.memory;

import io.switchboard.broker.Publication;

/**
 * What the memory broker's data costs on the heap, estimated per object from its layout on a
 * 64-bit HotSpot JVM with compressed references (heaps under 32 GB: 12-byte headers, 4-byte
 * references, 8-byte alignment) and compact strings (Latin-1 text: one byte per character).
 * Checked against a class histogram ({@code jcmd <pid> GC.class_histogram}) of a JVM holding
 * 100,000 channels, see README "Memory budget"; {@code MemoryBudgetTest} fails if the estimate
 * drifts from the measured heap.
 */
final class Footprint {
  /** A String object, without its byte array's contents. */
  static final int STRING = 24 + 16;

  /**
   * One channel: its ConcurrentHashMap node (32) and table slots (4 bytes each, 1.33 to 2.67 slots
   * per channel as the table doubles at 3/4 full: counted 12), its name String (40 + characters),
   * the ChannelLog (72), its epoch String (40 + 8), the ArrayDeque (24) with its first array of
   * two slots (24).
   */
  static final int CHANNEL = 32 + 12 + STRING + 72 + STRING + 8 + 24 + 24;

  /**
   * One retained message: the Publication (40), its StreamPosition (24), its data String (40 +
   * characters) and its slot in the history deque (4, up to 8 while the deque's array has room to
   * grow into). The publisher's name is added when there is one (it may be shared by several
   * messages of one connection: counting it each time errs on the safe side).
   */
  static final int ENTRY = 40 + 24 + STRING + 8;

  /**
   * One remembered idempotency key: its LinkedHashMap entry (40) and table slot (8), the key
   * String (40 + characters), what a retry is answered (24) and its StreamPosition (24, shared
   * with the message while that is retained).
   */
  static final int KEY = 40 + 8 + STRING + 24 + 24;

  /** The LinkedHashMap of a channel's keys, created with its first key. */
  static final int KEY_MAP = 64;

  private Footprint() {}

  static long channel(String name) {
    return CHANNEL + chars(name);
  }

  static long entry(Publication publication) {
    String publisher = publication.publisher();
    return ENTRY
        + chars(publication.data())
        + (publisher == null || publisher.isEmpty() ? 0 : STRING + chars(publisher));
  }

  static long key(String key) {
    return KEY + chars(key);
  }

  /** The bytes of a String's array: one per character, two if any is beyond Latin-1; padded. */
  static long chars(String text) {
    int length = text.length();
    long bytes = length;
    for (int i = 0; i < length; i++) {
      if (text.charAt(i) > 0xFF) {
        bytes = 2L * length;
        break;
      }
    }
    return (bytes + 7) & ~7L;
  }
}
