package io.switchboard.transport;

import io.switchboard.hub.Hub;
import io.switchboard.hub.SessionIds;
import io.switchboard.transport.http.InvalidRequests;
import io.switchboard.transport.http.Routes;
import io.switchboard.transport.ws.FrameDispatcher;
import io.switchboard.transport.ws.WsEndpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * One per event loop: its own hub and an HTTP server on the shared port. Vert.x spreads incoming
 * connections across the instances, and each instance only ever touches its own connections.
 */
public final class EdgeVerticle extends VerticleBase {
  private final NodeParts parts;
  private final SessionIds ids;
  private final HttpServerOptions options;
  private Hub hub;
  private HttpServer server;

  public EdgeVerticle(NodeParts parts, SessionIds ids, HttpServerOptions options) {
    this.parts = parts;
    this.ids = ids;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    hub = parts.newHub(vertx, context);
    hub.start();
    FrameDispatcher dispatcher = new FrameDispatcher(
        hub, parts.publisher(), parts.engine(), parts.config(), parts.metrics(), parts.hooks());
    WsEndpoint ws = new WsEndpoint(
        vertx,
        hub,
        dispatcher,
        parts.frameCodec(),
        ids,
        parts.config(),
        parts.drain(),
        parts.metrics());
    AcceptedConnections accepted = new AcceptedConnections(
        vertx,
        parts.config().http().requestHeaderTimeoutMs(),
        parts.limits().connections(),
        parts.metrics());
    server = vertx
        .createHttpServer(options)
        .connectionHandler(accepted::accept)
        .webSocketHandshakeHandler(
            handshake -> ws.handshake(handshake, accepted.headArrived(handshake.remoteAddress())))
        .requestHandler(Routes.create(vertx, parts, hub, ids, accepted.requests()))
        .invalidRequestHandler(new InvalidRequests(parts.metrics()));
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    hub.stop();
    return server.close();
  }

  public int actualPort() {
    return server.actualPort();
  }
}
