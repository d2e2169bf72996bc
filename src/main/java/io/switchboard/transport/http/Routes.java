package io.switchboard.transport.http;

import io.switchboard.hub.Hub;
import io.switchboard.hub.SessionIds;
import io.switchboard.limits.Limits;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.NodeParts;
import io.switchboard.transport.sse.SseHandler;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

/** The HTTP routes of one event loop's server (PROTOCOL.md section 1); {@code /ws} is not here. */
public final class Routes {
  /** History and presence of a channel; names may hold '/', so the name is all in between. */
  private static final String CHANNEL_READS = "/api/channels/.+/(history|presence)";

  private Routes() {}

  /**
   * @param hub the hub of this event loop, for SSE streams
   * @param connections the first handler after the metrics: the request-head deadline and the
   *     per-address refusal of the request's connection (AcceptedConnections)
   */
  public static Router create(
      Vertx vertx, NodeParts parts, Hub hub, SessionIds ids, Handler<RoutingContext> connections) {
    Limits limits = parts.limits();
    PublishRequests publishes = new PublishRequests(parts.protocolSchema(), parts.publisher());
    ChannelReadHandlers reads =
        new ChannelReadHandlers(parts.engine(), parts.publisher(), limits.apiReadRate());
    int maxBody = limits.config().maxBodyBytes();

    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.put(ApiErrors.METRICS, parts.metrics());
      ctx.next();
    });
    router.route().handler(connections);
    router.route().handler(new QueryStringHandler());
    // before credentials and the body are read: a refused origin costs neither
    OriginHandler origins =
        new OriginHandler(new OriginPolicy(parts.config().http().allowedOrigins()));
    router.route("/api/*").handler(origins);
    router.route("/sse").handler(origins);
    // credentials are checked before the body is read, so an unauthenticated caller costs no body;
    // token verification completes at once, so no body chunk arrives before BodyHandler runs.
    // A user's own token is enough for what the user could do over a WebSocket (a browser that
    // only reaches SSE publishes over HTTP); everything else needs API credentials.
    ApiAuthHandler usersToo = ApiAuthHandler.usersToo(parts.credentials(), limits.userApiRate());
    router.post("/api/publish").handler(usersToo);
    router.getWithRegex(CHANNEL_READS).handler(usersToo);
    router.route("/api/*").handler(ApiAuthHandler.adminOnly(parts.credentials()));
    router
        .route("/api/*")
        .handler(BodyHandler.create(false).setBodyLimit(maxBody > 0 ? maxBody : -1));
    router.post("/api/disconnect").handler(new DisconnectHandler(parts.disconnects()));
    router.post("/api/drain").handler(new DrainHandler(parts.drain()));
    router
        .post("/api/publish")
        .handler(new PublishHandler(publishes, limits.apiPublishRate(), limits.apiNewChannels()));
    router
        .post("/api/batch")
        .handler(new BatchHandler(publishes, limits.apiPublishRate(), limits.apiNewChannels()));
    // channel names may hold '/', so the name is everything between the fixed parts
    router.getWithRegex("/api/channels/(?<channel>.+)/history").handler(reads.history());
    router.getWithRegex("/api/channels/(?<channel>.+)/presence").handler(reads.presence());
    router
        .get("/sse")
        .handler(new SseHandler(
            hub,
            ids,
            parts.credentials(),
            parts.publisher(),
            limits.config(),
            parts.drain(),
            parts.metrics(),
            parts.hooks()));
    if (parts.config().http().adminPort() == 0) {
      HealthRoutes.mount(
          router,
          parts.config().nodeId(),
          parts.metrics(),
          parts.drain(),
          parts.engine().broker(),
          parts.hubs());
    }
    ApiDocsRoutes.mount(router);
    router
        .get("/ws")
        .handler(ctx -> ApiErrors.reply(
            ctx, new SwitchboardException(ErrorCode.BAD_REQUEST, "/ws needs a WebSocket upgrade")));
    // the JavaScript client, clients/js/switchboard.js, which the build puts in the jar: public
    // code, so pages of any origin may import it (a module script from elsewhere needs CORS).
    // A regex route: StaticHandler then looks the whole path up (jsclient/switchboard.js)
    router
        .getWithRegex("/switchboard\\.js")
        .handler(ctx -> {
          ctx.response().putHeader("Access-Control-Allow-Origin", "*");
          ctx.next();
        })
        .handler(StaticHandler.create("jsclient").setCachingEnabled(false));
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().last().handler(ctx -> ctx.fail(404));
    router.route().failureHandler(new ApiErrors());
    // a path parameter vertx-web cannot decode (%ZZ) fails while routes are matched, before any
    // handler runs: without this, a plain-text 400 and an ERROR log line per request
    router.errorHandler(400, ctx -> ApiErrors.status(ctx.response(), 400, parts.metrics()));
    return router;
  }
}
