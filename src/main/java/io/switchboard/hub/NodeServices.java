package io.switchboard.hub;

import io.switchboard.auth.ApiKeys;
import io.switchboard.auth.RevocationList;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.broker.Broker;
import io.switchboard.broker.NodeControl;
import io.switchboard.broker.PresenceManager;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.limits.ConnectionCounter;
import io.switchboard.limits.UserSlots;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.validation.ProtocolSchema;

/**
 * The node-wide parts every hub and transport shares, built once by the node. Each is immutable or
 * thread-safe.
 *
 * @param tokens null when no JWT key is configured
 * @param apiNewChannels channel creations per HTTP API caller (limits.newChannelsPerSecond)
 * @param drain set once the node drains: not ready, no new connections
 * @param revocations this node's own list; {@code tokens} also asks the cluster's
 * @param connections per address (and per user on a single node)
 * @param userSlots limits.maxConnectionsPerUser, node-wide or cluster-wide
 * @param control requests to the other nodes (nobody on a single node)
 * @param apiPublishRate limits.apiPublishesPerSecond per API caller
 * @param apiReadRate limits.apiReadsPerSecond per API caller (history and presence reads)
 * @param userApiRate requests of users with their own tokens on the HTTP API, per user
 */
public record NodeServices(SwitchboardConfig config, Broker broker, PresenceManager presence,
    Fanout fanout, Publisher publisher, ProtocolSchema protocolSchema, FrameCodec frameCodec,
    TokenVerifier tokens, ApiKeys apiKeys, RevocationList revocations, Hubs hubs,
    ConnectionCounter connections, CallerRateLimiter apiPublishRate, SwitchboardMetrics metrics,
    Drain drain, UserSlots userSlots, NodeControl control, Disconnects disconnects,
    CallerRateLimiter apiReadRate, CallerRateLimiter userApiRate,
    CallerRateLimiter apiNewChannels) {}
