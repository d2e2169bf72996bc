package io.switchboard.transport.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /openapi.json} (OpenAPI 3.1, the HTTP API) and {@code GET /asyncapi.json} (AsyncAPI
 * 3.0, the WebSocket and SSE messages): open, like {@code /health}. See {@link ApiDocuments}.
 */
public final class ApiDocsRoutes {
  public static final String OPENAPI_PATH = "/openapi.json";
  public static final String ASYNCAPI_PATH = "/asyncapi.json";

  private ApiDocsRoutes() {}

  public static void mount(Router router) {
    router.get(OPENAPI_PATH).handler(json(Documents.OPENAPI));
    router.get(ASYNCAPI_PATH).handler(json(Documents.ASYNCAPI));
  }

  private static Handler<RoutingContext> json(Buffer document) {
    // one immutable Buffer for every response of every event loop: Vert.x writes slices of it
    return ctx ->
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(document);
  }

  /**
   * Built once per JVM, when the first router mounts the routes, i.e. while the node starts: a few
   * small classpath reads, like {@code ProtocolSchema.load()}. A missing resource is a packaging
   * bug and fails the start.
   */
  private static final class Documents {
    static final Buffer OPENAPI =
        Buffer.buffer(ApiDocuments.load(ApiDocuments.OPENAPI).encodePrettily());
    static final Buffer ASYNCAPI =
        Buffer.buffer(ApiDocuments.load(ApiDocuments.ASYNCAPI).encodePrettily());
  }
}
