package io.switchboard.transport.ws;

import io.switchboard.auth.Principal;
import io.switchboard.hub.FrameDispatcher;
import io.switchboard.hub.Hub;
import io.switchboard.hub.Session;
import io.switchboard.hub.SessionIds;
import io.switchboard.limits.ConnectionCounter;
import io.switchboard.limits.FrameRateLimiter;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.auth.BearerTokens;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.http.OriginPolicy;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Accepts WebSocket connections on {@code /ws} and binds each to a session of this loop's hub. */
public final class WsEndpoint {
  public static final String PATH = "/ws";
  private static final Logger log = LoggerFactory.getLogger(WsEndpoint.class);
  /** No id: the refused frame was not parsed. */
  private static final String RATE_LIMITED = ServerFrames.error(null, new SwitchboardException(
      ErrorCode.RATE_LIMITED, "over limits.messagesPerSecond: frame dropped, slow down"));

  private final Vertx vertx;
  private final Hub hub;
  private final FrameDispatcher dispatcher;
  private final FrameCodec codec;
  private final SessionIds ids;
  private final OriginPolicy origins;
  private final ConnectionCounter connections;
  private final int maxMessageBytes;

  public WsEndpoint(Vertx vertx, Hub hub, SessionIds ids) {
    this.vertx = vertx;
    this.hub = hub;
    this.dispatcher = new FrameDispatcher(hub);
    this.codec = hub.services().frameCodec();
    this.ids = ids;
    this.origins = new OriginPolicy(hub.services().config().http().allowedOrigins());
    this.connections = hub.services().connections();
    int maxFrame = hub.services().config().limits().maxFrameBytes();
    this.maxMessageBytes = maxFrame > 0 ? maxFrame : Integer.MAX_VALUE;
  }

  public void handshake(ServerWebSocketHandshake handshake) {
    if (!PATH.equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    if (hub.services().drain().draining()) {
      // a draining node takes no new connections: the client retries, and reaches another node
      handshake.reject(ErrorCode.UNAVAILABLE.httpStatus());
      return;
    }
    if (!origins.allows(handshake.headers().get(HttpHeaders.ORIGIN),
        handshake.headers().get(HttpHeaders.HOST))) {
      handshake.reject(403);
      return;
    }
    if (!readableQuery(handshake.query())) {
      // connected() reads ?batch= and ?token=: a query it cannot decode is refused here, before
      // there is a socket nobody would own
      handshake.reject(400);
      return;
    }
    // released by the socket's close handler (connected), or here if the upgrade fails
    String address = handshake.remoteAddress().hostAddress();
    if (!connections.tryAcquireAddress(address)) {
      handshake.reject(429);
      return;
    }
    handshake.accept().onFailure(err -> connections.releaseAddress(address));
  }

  public void connected(ServerWebSocket socket) {
    DirectWriteQueue.install(socket);
    long now = System.currentTimeMillis();
    WsTransport transport = new WsTransport(socket, batching(socket.query()), vertx,
        hub.services().config().limits());
    Session session = new Session(ids.next(), Principal.ANONYMOUS, transport, now);
    InboundFrames.install(socket, maxMessageBytes, code -> hub.close(session, code));
    hub.open(session);
    transport.onSlowConsumer(() -> {
      hub.services().metrics().slowConsumer();
      hub.close(session, CloseCode.TOO_MANY);
    });
    FrameRateLimiter rate = FrameRateLimiter.of(hub.services().config().limits());
    socket.textMessageHandler(text -> {
      session.seen(System.currentTimeMillis());
      // the heartbeat answer bypasses the rate, so a busy client is never reaped for silence
      if (FrameCodec.isPlainPong(text) || admitted(session, rate)) {
        dispatcher.handle(session, codec.decode(text));
      }
    });
    socket.binaryMessageHandler(data -> hub.close(session, CloseCode.UNSUPPORTED_DATA));
    socket.pongHandler(data -> session.seen(System.currentTimeMillis()));
    String address = socket.remoteAddress().hostAddress();
    socket.closeHandler(v -> {
      hub.forget(session);
      connections.releaseAddress(address);
    });
    // frames the decoders refused are closed by InboundFrames with their code; not these
    socket.exceptionHandler(err -> log.atDebug().addKeyValue("session", session.id())
        .setCause(err).log("websocket error"));
    hub.authenticator().connected(session, BearerTokens.of(socket.headers().get("Authorization"),
        queryParam(socket.query(), "token")));
  }

  /** Takes a token before the frame is parsed: a flood costs little (PROTOCOL.md section 4). */
  private boolean admitted(Session session, FrameRateLimiter rate) {
    switch (rate.admit()) {
      case ACCEPT:
        return true;
      case REFUSE:
        hub.services().metrics().error("ws", ErrorCode.RATE_LIMITED);
        session.transport().sendFrame(RATE_LIMITED);
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
