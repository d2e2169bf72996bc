package io.switchboard.broker;

/**
 * @param historySize messages the channel keeps (0: none); historyTtlMs how long each is kept
 * @param idempotencyKey null, or a key that makes a repeated publish return the first one's
 *     position instead of publishing again (brokers backed by a server; the Redis inbox uses it so
 *     an entry retried after a crash is published once)
 */
public record PublishOptions(String publisher, int historySize, long historyTtlMs,
    String idempotencyKey) {

  public PublishOptions(String publisher, int historySize, long historyTtlMs) {
    this(publisher, historySize, historyTtlMs, null);
  }
}
