package io.switchboard.broker;

/**
 * @param historySize messages the channel keeps (0: none); historyTtlMs how long each is kept
 * @param idempotencyKey null, or a key that makes a repeated publish to the channel return the
 *     first one's position instead of publishing again (the HTTP API's Idempotency-Key, the Redis
 *     inbox's entry ids); remembered for a day in memory (the latest 10,000 per channel), for
 *     broker.redis.metaTtlMs in Redis
 * @param mayCreate false: publish only if the broker holds the channel already (its offset and
 *     epoch), else fail with {@link NewChannelRefused} and change nothing; the publisher is out of
 *     channel creations ({@code limits.newChannelsPerSecond})
 */
public record PublishOptions(
    String publisher,
    int historySize,
    long historyTtlMs,
    String idempotencyKey,
    boolean mayCreate) {

  public PublishOptions(String publisher, int historySize, long historyTtlMs) {
    this(publisher, historySize, historyTtlMs, null, true);
  }

  public PublishOptions(
      String publisher, int historySize, long historyTtlMs, String idempotencyKey) {
    this(publisher, historySize, historyTtlMs, idempotencyKey, true);
  }
}
