package io.switchboard.transport;

import io.switchboard.limits.ConnectionCounter;
import io.switchboard.transport.http.ApiAuthHandler;
import io.switchboard.transport.http.ApiErrors;
import io.switchboard.transport.http.DrainHandler;
import io.switchboard.transport.http.HealthRoutes;
import io.switchboard.transport.http.InvalidRequests;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * The admin port ({@code http.adminPort}): health and readiness, kept off the public port, and
 * {@code POST /api/drain} (also on the public port), with the API's credentials.
 */
public final class AdminVerticle extends VerticleBase {
  private final NodeParts parts;
  private HttpServer server;

  public AdminVerticle(NodeParts parts) {
    this.parts = parts;
  }

  @Override
  public Future<?> start() {
    // the deadline applies here too; connections are not counted: probes must get through even
    // when their address has its limit of public connections
    AcceptedConnections accepted = new AcceptedConnections(
        vertx,
        parts.config().http().requestHeaderTimeoutMs(),
        new ConnectionCounter(0, 0),
        parts.metrics());
    Router router = Router.router(vertx);
    router.route().handler(accepted.requests());
    HealthRoutes.mount(
        router,
        parts.config().nodeId(),
        parts.metrics(),
        parts.drain(),
        parts.engine().broker(),
        parts.hubs());
    router
        .post("/api/drain")
        .handler(ApiAuthHandler.adminOnly(parts.credentials()))
        .handler(new DrainHandler(parts.drain()));
    router.route().last().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new ApiErrors());
    // h2c off: see AcceptedConnections
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false));
    return server
        .connectionHandler(accepted::accept)
        .requestHandler(router)
        .invalidRequestHandler(new InvalidRequests(parts.metrics()))
        .listen(parts.config().http().adminPort(), parts.config().http().host());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
