package io.switchboard.transport.ws;

import io.switchboard.auth.Permissions;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hook.Hooks;
import io.switchboard.hub.Authenticator;
import io.switchboard.hub.ChannelReads;
import io.switchboard.hub.ClientPublisher;
import io.switchboard.hub.Engine;
import io.switchboard.hub.Hub;
import io.switchboard.hub.Publisher;
import io.switchboard.hub.Session;
import io.switchboard.limits.FrameRateLimiter;
import io.switchboard.limits.ReadCost;
import io.switchboard.metrics.PublishSource;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ClientFrame;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;

/**
 * Answers the frames of a WebSocket session, one method per frame type, in WebSocket frames
 * written through the session's {@link WsTransport}. Every failure becomes an error frame carrying
 * the request's id; the connection stays open (PROTOCOL.md section 4). Also the WebSocket's
 * {@link Authenticator.Replies}: the welcome frame, and the error before a 4429 refusal.
 */
public final class FrameDispatcher implements Authenticator.Replies {
  static final int DEFAULT_HISTORY_LIMIT = 50;

  private final Hub hub;
  private final Publisher publisher;
  private final ClientPublisher clientPublisher;
  private final Hooks hooks;
  private final Engine engine;
  private final LimitsConfig limits;
  private final String nodeId;
  private final long heartbeatIntervalMs;
  private final SwitchboardMetrics metrics;

  public FrameDispatcher(
      Hub hub,
      Publisher publisher,
      Engine engine,
      SwitchboardConfig config,
      SwitchboardMetrics metrics,
      Hooks hooks) {
    this.hub = hub;
    this.publisher = publisher;
    this.clientPublisher = new ClientPublisher(publisher, hooks);
    this.hooks = hooks;
    this.engine = engine;
    this.limits = config.limits();
    this.nodeId = config.nodeId();
    this.heartbeatIntervalMs = config.heartbeat().intervalMs();
    this.metrics = metrics;
  }

  @Override
  public void welcomed(Session session) {
    WsTransport.of(session)
        .sendFrame(ServerFrames.welcome(
            session.id(), session.user(), nodeId, heartbeatIntervalMs, session.info()));
  }

  @Override
  public void refused(Session session, SwitchboardException error) {
    // no id: the refusal answers the connection (or the auth frame that brought its token)
    metrics.error("ws", error.code());
    WsTransport.of(session).sendFrame(ServerFrames.error(null, error));
  }

  @Override
  public void tooManyConnections(Session session, SwitchboardException error) {
    // no id: the refusal answers the connection, or its auth frame whose error would come after
    // the close
    WsTransport.of(session).sendFrame(ServerFrames.error(null, error));
  }

  /** {@code rates}: the connection's frame rates, whose read and creation budgets apply here. */
  public void handle(Session session, FrameRateLimiter rates, ClientFrame frame) {
    Future<String> reply;
    if (!session.welcomed()
        && !(frame instanceof ClientFrame.Auth)
        && !(frame instanceof ClientFrame.Ping)
        && !(frame instanceof ClientFrame.Pong)) {
      // nothing but auth and ping before authentication (PROTOCOL.md section 6)
      reply = Future.failedFuture(new SwitchboardException(
          ErrorCode.UNAUTHORIZED,
          "authenticate first: send {\"type\":\"auth\",\"token\":\"<JWT>\"}"));
    } else if (frame instanceof ClientFrame.Invalid invalid) {
      reply = Future.failedFuture(invalid.error());
    } else if (frame instanceof ClientFrame.Ping ping) {
      reply = Future.succeededFuture(ServerFrames.pong(ping.id()));
    } else if (frame instanceof ClientFrame.Pong) {
      return;
    } else if (frame instanceof ClientFrame.Subscribe subscribe) {
      // the ack goes out when the hub reports the subscription, ahead of the messages it recovers
      reply = Future.<Void>succeededFuture()
          .compose(v -> {
            NamespaceConfig ns = readable(session, subscribe.channel());
            return hooks.subscribe(ns, session.caller(), subscribe.channel()).map(ns);
          })
          .compose(ns -> hub.subscribe(
              session,
              subscribe.channel(),
              ns,
              subscribe.since(),
              result -> WsTransport.of(session)
                  .sendFrame(ServerFrames.ack(
                      subscribe.id(), result.channel(), result.offset(), result.recovered()))))
          .map(result -> null);
    } else if (frame instanceof ClientFrame.Unsubscribe unsubscribe) {
      reply = hub.unsubscribe(session, unsubscribe.channel())
          .map(v -> ServerFrames.ack(unsubscribe.id(), unsubscribe.channel(), null, null));
    } else if (frame instanceof ClientFrame.Publish publish) {
      reply = clientPublisher
          .publish(
              session, publish.channel(), publish.data(), PublishSource.WS, rates.newChannels())
          .map(position ->
              ServerFrames.ack(publish.id(), publish.channel(), position.encode(), null));
    } else if (frame instanceof ClientFrame.History history) {
      reply = Future.<Void>succeededFuture().compose(v -> history(session, rates, history));
    } else if (frame instanceof ClientFrame.Presence presence) {
      reply = Future.<Void>succeededFuture().compose(v -> presence(session, rates, presence));
    } else if (frame instanceof ClientFrame.Auth auth) {
      reply = hub.authenticator()
          .authFrame(session, auth, this)
          .map(refreshed -> refreshed ? ServerFrames.ack(auth.id()) : null);
    } else {
      reply = Future.failedFuture(new IllegalStateException("unhandled frame " + frame));
    }
    reply.onComplete(ar -> {
      if (session.closed()) {
        return;
      }
      if (ar.succeeded()) {
        if (ar.result() != null) {
          WsTransport.of(session).sendFrame(ar.result());
        }
      } else {
        SwitchboardException error = SwitchboardException.from(ar.cause(), "ws frame");
        metrics.error("ws", error.code());
        WsTransport.of(session).sendFrame(ServerFrames.error(frame.id(), error));
      }
    });
  }

  private NamespaceConfig readable(Session session, String channel) {
    NamespaceConfig ns = publisher.namespaceOf(channel);
    Permissions.checkSubscribe(session.principal(), channel, ns);
    return ns;
  }

  private Future<String> history(
      Session session, FrameRateLimiter rates, ClientFrame.History frame) {
    readable(session, frame.channel());
    int limit = frame.limit() == null ? DEFAULT_HISTORY_LIMIT : frame.limit();
    takeRead(rates, ReadCost.history(limit));
    HistoryQuery query = ChannelReads.query(frame.since(), limit);
    return engine
        .broker()
        .history(frame.channel(), query)
        .recover(ChannelReads::unavailable)
        .map(page -> ServerFrames.history(
            frame.id(),
            frame.channel(),
            ChannelReads.frames(page, query),
            page.top().encode(),
            ChannelReads.complete(page, query)));
  }

  private Future<String> presence(
      Session session, FrameRateLimiter rates, ClientFrame.Presence frame) {
    NamespaceConfig ns = readable(session, frame.channel());
    if (!ns.presence()) {
      throw new SwitchboardException(
          ErrorCode.BAD_REQUEST, "presence is not enabled for namespace \"" + ns.name() + "\"");
    }
    takeRead(rates, ReadCost.PRESENCE);
    return engine
        .presence()
        .list(frame.channel())
        .recover(ChannelReads::unavailable)
        .map(entries ->
            ServerFrames.presence(frame.id(), frame.channel(), ChannelReads.users(entries)));
  }

  /**
   * Takes a read's tokens from the connection's limits.readsPerSecond bucket, or refuses it with
   * rate_limited; taken after the checks that need no I/O, so a refused or bad read costs nothing.
   */
  private void takeRead(FrameRateLimiter rates, int cost) {
    if (!rates.tryRead(cost)) {
      throw new SwitchboardException(
          ErrorCode.RATE_LIMITED,
          "over limits.readsPerSecond ("
              + limits.readsPerSecond() + "): history and presence reads of this connection take "
              + "tokens (a history read one per " + ReadCost.MESSAGES_PER_TOKEN
              + " messages of its limit); retry later");
    }
  }
}
