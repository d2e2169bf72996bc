package io.switchboard.broker;

/**
 * The broker's answer to a publish: where the message went, when (the {@code ts} subscribers
 * see), and whether it was a repeat of an earlier publish with the same idempotency key, which
 * was not published again.
 */
public record PublishAck(StreamPosition position, long ts, boolean repeat) {}
