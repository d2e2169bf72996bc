package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;

/**
 * The publish hook of {@code scripts/bench hooks} over HTTP: a Vert.x HTTP server in the bench
 * JVM (on the bench's core, as an application's back end would be on its own machine) that
 * answers every POST with {@code {"allow":true}}.
 */
final class HookServer implements AutoCloseable {
  private static final String ALLOW = "{\"allow\":true}";
  private final HttpServer server;

  private HookServer(HttpServer server) {
    this.server = server;
  }

  static HookServer start(Vertx vertx) throws Exception {
    HttpServer server = vertx
        .createHttpServer()
        .requestHandler(request -> request
            .body()
            .onComplete(body ->
                request.response().putHeader("Content-Type", "application/json").end(ALLOW)));
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    return new HookServer(server);
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hooks/publish";
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
