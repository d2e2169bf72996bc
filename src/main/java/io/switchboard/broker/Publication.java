package io.switchboard.broker;

/**
 * A message as the broker stored it: its position, the publish time, who published it (null for
 * the HTTP API and the event bus) and its data, already encoded as JSON text once for every reader.
 */
public record Publication(
    String channel, StreamPosition position, long ts, String publisher, String data) {}
