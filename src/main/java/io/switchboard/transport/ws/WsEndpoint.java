package io.switchboard.transport.ws;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.switchboard.auth.BearerTokens;
import io.switchboard.auth.Principal;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hub.Drain;
import io.switchboard.hub.Hub;
import io.switchboard.hub.Session;
import io.switchboard.hub.SessionIds;
import io.switchboard.limits.FrameRateLimiter;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.AcceptedConnection;
import io.switchboard.transport.IdleTimer;
import io.switchboard.transport.http.OriginPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accepts WebSocket connections on {@code /ws} and binds each to a session of this loop's hub. */
public final class WsEndpoint {
  public static final String PATH = "/ws";
  private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);
  /** No id: the refused frame was not parsed. */
  private static final String RATE_LIMITED = ServerFrames.error(
      null,
      new SwitchboardException(
          ErrorCode.RATE_LIMITED, "over limits.messagesPerSecond: frame dropped, slow down"));

  private final Vertx vertx;
  private final Hub hub;
  private final FrameDispatcher dispatcher;
  private final FrameCodec codec;
  private final SessionIds ids;
  private final OriginPolicy origins;
  private final LimitsConfig limits;
  private final Drain drain;
  private final SwitchboardMetrics metrics;
  private final int maxMessageBytes;
  // The last Origin and Host seen and the policy's answer: a node's upgrades come from a few pages,
  // and the answer for a pair never changes, while working it out parses a URI (a JFR profile of
  // connects showed it). Touched only by this endpoint's event loop.
  private String lastOrigin;
  private String lastHost;
  private boolean lastAllowed;

  public WsEndpoint(
      Vertx vertx,
      Hub hub,
      FrameDispatcher dispatcher,
      FrameCodec codec,
      SessionIds ids,
      SwitchboardConfig config,
      Drain drain,
      SwitchboardMetrics metrics) {
    this.vertx = vertx;
    this.hub = hub;
    this.dispatcher = dispatcher;
    this.codec = codec;
    this.ids = ids;
    this.origins = new OriginPolicy(config.http().allowedOrigins());
    this.limits = config.limits();
    this.drain = drain;
    this.metrics = metrics;
    int maxFrame = limits.maxFrameBytes();
    this.maxMessageBytes = maxFrame > 0 ? maxFrame : Integer.MAX_VALUE;
  }

  /**
   * Accepts or refuses the upgrade of {@code connection}, whose handshake head has arrived. A
   * refusal is an answered request: the connection waits for its next head (or is closed, when
   * over limits.maxConnectionsPerAddress); an accepted one is a WebSocket from then on.
   */
  public void handshake(ServerWebSocketHandshake handshake, AcceptedConnection connection) {
    int refusal = refusal(handshake, connection);
    if (refusal != 0) {
      handshake.reject(refusal).onComplete(ar -> connection.answered());
      return;
    }
    handshake.accept().onComplete(ar -> {
      if (ar.succeeded()) {
        connection.upgraded();
        connected(ar.result(), connection);
      } else {
        connection.answered(); // Vert.x answered the bad handshake with 400
      }
    });
  }

  /** The HTTP status the upgrade is refused with, or 0 to accept it. */
  private int refusal(ServerWebSocketHandshake handshake, AcceptedConnection connection) {
    if (!PATH.equals(handshake.path())) {
      return 404;
    }
    if (drain.draining()) {
      // a draining node takes no new connections: the client retries, and reaches another node
      return ErrorCode.UNAVAILABLE.httpStatus();
    }
    if (!originAllowed(
        handshake.headers().get(HttpHeaders.ORIGIN), handshake.headers().get(HttpHeaders.HOST))) {
      return 403;
    }
    if (!readableQuery(handshake.query())) {
      // connected() reads ?batch= and ?token=: a query it cannot decode is refused here, before
      // there is a socket nobody would own
      return 400;
    }
    return connection.overLimit() ? ErrorCode.RATE_LIMITED.httpStatus() : 0;
  }

  private void connected(ServerWebSocket socket, AcceptedConnection connection) {
    DirectWriteQueue.install(socket);
    IdleTimer.remove(((WebSocketInternal) socket).channelHandlerContext().pipeline());
    long now = System.currentTimeMillis();
    WsTransport transport = new WsTransport(socket, batching(socket.query()), vertx, limits);
    Session session = new Session(ids.next(), Principal.ANONYMOUS, transport, now);
    InboundFrames.install(socket, maxMessageBytes, code -> hub.close(session, code));
    hub.open(session);
    transport.onSlowConsumer(() -> {
      metrics.slowConsumer();
      hub.close(session, CloseCode.TOO_MANY);
    });
    FrameRateLimiter rate = FrameRateLimiter.of(limits);
    socket.textMessageHandler(text -> {
      session.seen(System.currentTimeMillis());
      // the heartbeat answer bypasses the rate, so a busy client is never reaped for silence
      if (FrameCodec.isPlainPong(text) || admitted(session, rate)) {
        dispatcher.handle(session, rate, codec.decode(text));
      }
    });
    socket.binaryMessageHandler(data -> hub.close(session, CloseCode.UNSUPPORTED_DATA));
    socket.pongHandler(data -> session.seen(System.currentTimeMillis()));
    socket.closeHandler(v -> {
      hub.forget(session);
      connection.closed();
    });
    // frames the decoders refused are closed by InboundFrames with their code; not these
    socket.exceptionHandler(err ->
        log.atDebug().addKeyValue("session", session.id()).setCause(err).log("websocket error"));
    String token =
        BearerTokens.of(socket.headers().get("Authorization"), queryParam(socket.query(), "token"));
    // The upgrade request's headers stay reachable from the socket as long as it lives (Vert.x
    // keeps them for headers()), and nothing reads them after this: dropping them takes ~0.8 KB
    // off every idle connection (scripts/bench idle).
    socket.headers().clear();
    hub.authenticator().connected(session, token, dispatcher);
  }

  private boolean originAllowed(String origin, String host) {
    if (origin == null) {
      return true; // not a browser page: no parse to save
    }
    if (!origin.equals(lastOrigin) || !Objects.equals(host, lastHost)) {
      lastAllowed = origins.allows(origin, host);
      lastOrigin = origin;
      lastHost = host;
    }
    return lastAllowed;
  }

  /** Takes a token before the frame is parsed: a flood costs little (PROTOCOL.md section 4). */
  private boolean admitted(Session session, FrameRateLimiter rate) {
    switch (rate.admit()) {
      case ACCEPT:
        return true;
      case REFUSE:
        metrics.error("ws", ErrorCode.RATE_LIMITED);
        WsTransport.of(session).sendFrame(RATE_LIMITED);
        return false;
      default:
        hub.close(session, CloseCode.TOO_MANY);
        return false;
    }
  }

  private static boolean readableQuery(String query) {
    try {
      new QueryStringDecoder(query == null ? "" : query, false).parameters();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean batching(String query) {
    return "1".equals(queryParam(query, "batch"));
  }

  private static String queryParam(String query, String name) {
    if (query == null) {
      return null;
    }
    List<String> values = new QueryStringDecoder(query, false).parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
