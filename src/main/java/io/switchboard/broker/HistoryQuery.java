package io.switchboard.broker;

/**
 * @param since return what came after this position; null for the latest messages
 * @param limit at most this many messages (0: only the channel's current position)
 */
public record HistoryQuery(StreamPosition since, int limit) {}
