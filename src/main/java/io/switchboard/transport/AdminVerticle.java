package io.switchboard.transport;

import io.switchboard.hub.NodeServices;
import io.switchboard.transport.http.ApiAuthHandler;
import io.switchboard.transport.http.ApiErrors;
import io.switchboard.transport.http.DrainHandler;
import io.switchboard.transport.http.HealthRoutes;
import io.switchboard.transport.http.InvalidRequests;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/**
 * The admin port ({@code http.adminPort}): health and readiness, kept off the public port, and
 * {@code POST /api/drain} (also on the public port), with the API's credentials.
 */
public final class AdminVerticle extends VerticleBase {
  private final NodeServices services;
  private HttpServer server;

  public AdminVerticle(NodeServices services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HealthRoutes.mount(router, services);
    router.post("/api/drain").handler(new ApiAuthHandler(services))
        .handler(new DrainHandler(services));
    router.route().last().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new ApiErrors());
    server = vertx.createHttpServer();
    return server.requestHandler(router).invalidRequestHandler(new InvalidRequests(services.metrics()))
        .listen(services.config().http().adminPort(), services.config().http().host());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
