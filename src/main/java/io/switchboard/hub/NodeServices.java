package io.switchboard.hub;

import io.switchboard.broker.Broker;
import io.switchboard.broker.PresenceManager;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.limits.ConnectionCounter;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.validation.ProtocolSchema;

/**
 * The node-wide parts every hub and transport shares, built once by the node. Each is immutable or
 * thread-safe.
 */
public record NodeServices(SwitchboardConfig config, Broker broker, PresenceManager presence,
    Fanout fanout, Publisher publisher, ProtocolSchema protocolSchema, FrameCodec frameCodec,
    ConnectionCounter connections, CallerRateLimiter apiPublishRate) {}
