package io.switchboard.limits;

import io.switchboard.config.Sections.LimitsConfig;

/**
 * The {@code limits} section and the node-wide counters and rates it configures. Built once by
 * the node; each part is immutable or thread-safe (a caller's requests land on any event loop).
 *
 * @param connections per address (and per user on a single node)
 * @param userSlots limits.maxConnectionsPerUser, node-wide or cluster-wide
 * @param apiPublishRate limits.apiPublishesPerSecond per API caller
 * @param apiReadRate limits.apiReadsPerSecond per API caller (history and presence reads)
 * @param userApiRate requests of users with their own tokens on the HTTP API, per user
 *     (limits.messagesPerSecond, as one WebSocket's frames)
 * @param apiNewChannels channel creations per HTTP API caller (limits.newChannelsPerSecond)
 */
public record Limits(
    LimitsConfig config,
    ConnectionCounter connections,
    UserSlots userSlots,
    CallerRateLimiter apiPublishRate,
    CallerRateLimiter apiReadRate,
    CallerRateLimiter userApiRate,
    CallerRateLimiter apiNewChannels) {

  /** The API callers' rates, from {@code config}. */
  public static Limits of(LimitsConfig config, ConnectionCounter connections, UserSlots userSlots) {
    return new Limits(
        config,
        connections,
        userSlots,
        CallerRateLimiter.of(config.apiPublishesPerSecond(), config.apiPublishesBurst()),
        CallerRateLimiter.of(config.apiReadsPerSecond(), config.apiReadsBurst()),
        CallerRateLimiter.of(config.messagesPerSecond(), config.messagesBurst()),
        CallerRateLimiter.of(config.newChannelsPerSecond(), config.newChannelsBurst()));
  }
}
