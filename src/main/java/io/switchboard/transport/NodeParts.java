package io.switchboard.transport;

import io.switchboard.auth.Credentials;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hook.Hooks;
import io.switchboard.hub.Disconnects;
import io.switchboard.hub.Drain;
import io.switchboard.hub.Engine;
import io.switchboard.hub.Hub;
import io.switchboard.hub.Hubs;
import io.switchboard.hub.Publisher;
import io.switchboard.limits.Limits;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The node-wide parts, built once by the node, from which each {@link EdgeVerticle} and the
 * {@link AdminVerticle} wire their hub, endpoints and handlers. Only that wiring takes it whole:
 * the hub, endpoints and handlers get through their constructors the parts they use. Each part
 * is immutable or thread-safe.
 *
 * @param drain set once the node drains: not ready, no new connections
 */
public record NodeParts(
    SwitchboardConfig config,
    Engine engine,
    Credentials credentials,
    Limits limits,
    Publisher publisher,
    ProtocolSchema protocolSchema,
    FrameCodec frameCodec,
    SwitchboardMetrics metrics,
    Drain drain,
    Hubs hubs,
    Disconnects disconnects,
    Hooks hooks) {

  /** A hub for the event loop of {@code context}. */
  public Hub newHub(Vertx vertx, Context context) {
    return new Hub(
        vertx, context, config, engine, credentials, limits.userSlots(), hubs, metrics, hooks);
  }
}
