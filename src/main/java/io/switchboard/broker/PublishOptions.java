package io.switchboard.broker;

/** @param historySize messages the channel keeps (0: none); historyTtlMs how long each is kept */
public record PublishOptions(String publisher, int historySize, long historyTtlMs) {}
