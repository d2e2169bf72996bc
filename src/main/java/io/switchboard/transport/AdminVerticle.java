package io.switchboard.transport;

import io.switchboard.hub.NodeServices;
import io.switchboard.transport.http.ApiErrors;
import io.switchboard.transport.http.HealthRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/** The admin port ({@code http.adminPort}): health and readiness, kept off the public port. */
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
    router.route().last().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new ApiErrors());
    server = vertx.createHttpServer();
    return server.requestHandler(router)
        .listen(services.config().http().adminPort(), services.config().http().host());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
