package io.switchboard.broker.memory;

import io.switchboard.broker.StreamPosition;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The epoch of a channel the memory broker holds nothing for, computed instead of stored, so that
 * reading or subscribing to channels that do not exist keeps nothing on the heap.
 *
 * <p>A subscriber of an empty channel is acked with offset {@code 0-E}, and must be able to
 * resume from it once the first message came (RecoveryTest.offsetOfAnEmptyChannelIsResumable).
 * So the epoch is a function of the channel name, a secret of this broker instance and a
 * generation that advances every time any log is dropped (evicted or expired): the log a first
 * publish creates gets the epoch its readers were told, unless a log was dropped in between, in
 * which case the channel may have lived and died meanwhile and its readers' {@code 0-E} must not
 * resume ({@code recovered:false}). A re-created channel never gets an epoch it had before: its
 * earlier log was dropped, which advanced the generation. Distinct inputs collide on the 32-bit
 * epoch with a chance of 2^-32, as random epochs do; the secret keeps epochs unpredictable.
 *
 * <p>Thread-safe: the generation is an atomic counter. A log is created and dropped inside its
 * map bin's {@code compute}, so a creation that follows a drop of the same channel sees the
 * advanced generation.
 */
final class AbsentEpochs {
  private final long secret = new SecureRandom().nextLong();
  private final AtomicLong generation = new AtomicLong();

  String of(String channel) {
    long h = secret;
    for (int i = 0; i < channel.length(); i++) {
      h = (h ^ channel.charAt(i)) * 0x100000001B3L; // FNV-1a over the name, seeded
    }
    h ^= generation.get() * 0x9E3779B97F4A7C15L;
    // MurmurHash3's 64-bit finalizer: every input bit affects the 32 bits kept
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return StreamPosition.epoch((int) h);
  }

  /** A log was dropped: epochs computed from now on differ from every one computed before. */
  void advance() {
    generation.incrementAndGet();
  }
}
