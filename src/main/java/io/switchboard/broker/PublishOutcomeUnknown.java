package io.switchboard.broker;

/**
 * The broker did not answer a publish in time (a Redis command timeout): it may still have
 * published it. The publish path answers {@code unavailable} without claiming it was not published,
 * and a retry should carry the same idempotency key.
 */
public final class PublishOutcomeUnknown extends RuntimeException {
  public PublishOutcomeUnknown(String channel, long timeoutMs) {
    // thrown per timed-out publish of an overload: no stack trace to fill
    super(
        "no answer from the broker within " + timeoutMs + " ms for a publish to " + channel,
        null,
        false,
        false);
  }
}
