package io.switchboard.transport.sse;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.switchboard.auth.BearerTokens;
import io.switchboard.auth.Credentials;
import io.switchboard.auth.Permissions;
import io.switchboard.auth.Principal;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.hook.Hooks;
import io.switchboard.hub.Authenticator;
import io.switchboard.hub.Drain;
import io.switchboard.hub.Hub;
import io.switchboard.hub.Publisher;
import io.switchboard.hub.Session;
import io.switchboard.hub.SessionIds;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.IdleTimer;
import io.switchboard.transport.http.ApiErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /sse?channel=A&channel=B}: checks every channel before the stream starts (errors are
 * plain HTTP statuses), then subscribes them all, replaying what a {@code Last-Event-ID} (or
 * {@code ?lastEventId=}) says the client missed (PROTOCOL.md section 7).
 */
public final class SseHandler implements Handler<RoutingContext> {
  public static final long RETRY_MS = 3000;
  /** The metrics label of what is answered here, before the stream starts as after. */
  static final String TRANSPORT = "sse";

  private final Hub hub;
  private final SessionIds ids;
  private final Credentials credentials;
  private final Publisher publisher;
  private final LimitsConfig limits;
  private final Drain drain;
  private final SwitchboardMetrics metrics;
  private final Hooks hooks;
  // one handler per event loop (Routes is built per EdgeVerticle): its streams share the encoding
  private final SharedEvents shared = new SharedEvents();

  public SseHandler(
      Hub hub,
      SessionIds ids,
      Credentials credentials,
      Publisher publisher,
      LimitsConfig limits,
      Drain drain,
      SwitchboardMetrics metrics,
      Hooks hooks) {
    this.hub = hub;
    this.ids = ids;
    this.credentials = credentials;
    this.publisher = publisher;
    this.limits = limits;
    this.drain = drain;
    this.metrics = metrics;
    this.hooks = hooks;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (drain.draining()) {
      // a draining node takes no new streams: the browser retries, and reaches another node
      ApiErrors.reply(
          ctx, new SwitchboardException(ErrorCode.UNAVAILABLE, "node is draining"), TRANSPORT);
      return;
    }
    String token =
        BearerTokens.of(ctx.request().getHeader("Authorization"), ctx.request().getParam("token"));
    authenticate(token)
        .onSuccess(verified -> start(ctx, verified))
        .onFailure(err -> ApiErrors.reply(ctx, err, TRANSPORT));
  }

  /** The stream's token, or null for an anonymous stream where that is allowed. */
  private Future<VerifiedToken> authenticate(String token) {
    if (token == null) {
      return credentials.config().anonymous()
          ? Future.succeededFuture(null)
          : Future.failedFuture(new SwitchboardException(
              ErrorCode.UNAUTHORIZED,
              "a token is needed: Authorization: Bearer <JWT> or ?token=<JWT>"));
    }
    return credentials.verify(token);
  }

  private void start(RoutingContext ctx, VerifiedToken token) {
    Principal who = token == null ? Principal.ANONYMOUS : token.principal();
    Map<String, NamespaceConfig> channels = new LinkedHashMap<>();
    try {
      List<String> names = new ArrayList<>(new LinkedHashSet<>(ctx.queryParam("channel")));
      if (names.isEmpty()) {
        throw new SwitchboardException(ErrorCode.BAD_REQUEST, "at least one ?channel= is needed");
      }
      int max = limits.maxSubscriptionsPerConnection();
      if (max > 0 && names.size() > max) {
        throw new SwitchboardException(
            ErrorCode.BAD_REQUEST,
            "too many channels (limits.maxSubscriptionsPerConnection = " + max + ")");
      }
      for (String name : names) {
        NamespaceConfig ns = publisher.namespaceOf(name);
        if (!hooks.asksOnConnect()) {
          Permissions.checkSubscribe(who, name, ns);
        }
        channels.put(name, ns);
      }
    } catch (SwitchboardException e) {
      ApiErrors.reply(ctx, e, TRANSPORT);
      return;
    }
    // limits.maxConnectionsPerAddress counts the TCP connection from its accept
    // (AcceptedConnections)
    String resumeToken = ctx.request().getHeader("Last-Event-ID");
    if (resumeToken == null) {
      resumeToken = ctx.request().getParam("lastEventId");
    }
    Map<String, String> resumeFrom = ResumeToken.decode(resumeToken);
    HttpServerResponse response = ctx.response();
    SseTransport transport = new SseTransport(
        response,
        ctx.request().connection(),
        resumeFrom,
        ctx.vertx(),
        limits,
        shared,
        pipelineOf(ctx.request()));
    Session session = new Session(ids.next(), who, transport, System.currentTimeMillis());
    hub.open(session);
    transport.onSlowConsumer(() -> {
      metrics.slowConsumer();
      hub.close(session, CloseCode.TOO_MANY);
    });
    // the stream ends (server close) or its connection goes (client gone, node stopping); through
    // the routing context, as the response's and the connection's own handlers are taken; set
    // before the user's slot is taken, which may wait for Redis
    ctx.addEndHandler(ar -> hub.forget(session));
    Authenticator.Replies replies = new Refusals(ctx);
    Future<Boolean> admitted = token == null
        ? hub.authenticator().anonymous(session, replies)
        : hub.authenticator().accept(session, token, replies);
    admitted
        .compose(accepted ->
            accepted ? channelsAllowed(session, channels) : Future.succeededFuture(false))
        .onComplete(ar -> {
          if (ar.failed()) {
            // a channel refused (permissions as the hook's user, a subscribe hook): answered like
            // the other pre-stream checks, if
            // the client is still there to hear it
            if (!session.closed()) {
              ApiErrors.reply(ctx, ar.cause(), TRANSPORT);
            }
            hub.forget(session);
          } else if (ar.result() && !session.closed()) {
            stream(ctx, session, transport, response, channels, resumeFrom);
          }
          // else refused (over limits.maxConnectionsPerUser, or by the connect hook): answered
          // before the stream starts
        });
  }

  /**
   * Checks every channel as the session's user (when a connect hook may have named one) and asks
   * their subscribe hooks, before the stream starts, so a refusal is a plain status; completes
   * with true when all allow, and the session is still open.
   */
  private Future<Boolean> channelsAllowed(Session session, Map<String, NamespaceConfig> channels) {
    if (hooks.asksOnConnect()) {
      // checked now rather than before the stream: the connect hook may have named another user
      try {
        channels.forEach((name, ns) -> Permissions.checkSubscribe(session.principal(), name, ns));
      } catch (SwitchboardException e) {
        return Future.failedFuture(e);
      }
    }
    List<Future<Void>> asked = new ArrayList<>();
    channels.forEach((name, ns) -> asked.add(hooks.subscribe(ns, session.caller(), name)));
    return Future.all(asked).map(all -> !session.closed());
  }

  /** The connect hook's refusal as the stream's answer: its code's status, its message. */
  private static final class Refusals implements Authenticator.Replies {
    private final RoutingContext ctx;

    Refusals(RoutingContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void welcomed(Session session) {
      // the stream starting says it
    }

    @Override
    public void tooManyConnections(Session session, SwitchboardException error) {
      // the close answers 429 before the stream starts
    }

    @Override
    public void refused(Session session, SwitchboardException error) {
      ApiErrors.reply(ctx, error, TRANSPORT);
    }
  }

  /**
   * The HTTP encoder's context in the pipeline of an HTTP/1.1 connection, below which a stream's
   * events are written as framed chunks (SseTransport); null for another version (HTTP/1.0 has no
   * chunks), or if Vert.x's connection is not what this expects.
   */
  static ChannelHandlerContext pipelineOf(HttpServerRequest request) {
    // the internal API Vert.x offers integrations for reaching the Netty pipeline, as WsTransport
    return request.version() == HttpVersion.HTTP_1_1
            && request.connection() instanceof HttpServerConnection connection
        ? connection.channelHandlerContext().pipeline().context(HttpResponseEncoder.class)
        : null;
  }

  private void stream(
      RoutingContext ctx,
      Session session,
      SseTransport transport,
      HttpServerResponse response,
      Map<String, NamespaceConfig> channels,
      Map<String, String> resumeFrom) {
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    response.write("retry: " + RETRY_MS + "\n\n");
    // the head is written now, and Vert.x keeps its header map for the stream's life, unread
    response.headers().clear();
    List<Future<?>> subscribed = new ArrayList<>();
    channels.forEach((name, ns) -> subscribed.add(
        hub.subscribe(session, name, ns, resumeFrom.get(name), transport::subscribed)));
    IdleTimer.remove(IdleTimer.pipelineOf(ctx.request().connection()));
    // The request's headers and parameters stay reachable as long as the stream lives (the
    // routing context holds the request), and nothing reads them after this: dropping them takes
    // what a browser sent (cookies, user agent...) off every open stream.
    ctx.request().headers().clear();
    ctx.request().params().clear();
    ctx.queryParams().clear();
    Future.join(subscribed).onComplete(ar -> {
      if (ar.failed()) {
        // a channel the broker could not subscribe: end the stream so the browser retries
        hub.close(session, CloseCode.GOING_AWAY);
      } else if (!session.closed()) {
        transport.sendResumePoint();
      }
    });
  }
}
