package io.switchboard.hub;

/** @param recovered null when the subscribe had no {@code since} */
public record SubscribeResult(String channel, String offset, Boolean recovered) {}
