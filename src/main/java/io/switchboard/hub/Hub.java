package io.switchboard.hub;

import io.switchboard.auth.Credentials;
import io.switchboard.auth.RevocationList;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hook.Hooks;
import io.switchboard.limits.UserSlots;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ChannelName;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions and subscriptions of one event loop. Everything here runs on that loop, except
 * {@link #enqueue}, through which the broker hands over deliveries from any thread.
 */
public final class Hub {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final Vertx vertx;
  private final Context context;
  private final SwitchboardConfig config;
  private final Engine engine;
  private final RevocationList revocations;
  private final Hubs hubs;
  private final SwitchboardMetrics metrics;
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, LocalChannel> channels = new HashMap<>();
  private final DeliveryQueue deliveries;
  private final Authenticator authenticator;
  private final Heartbeats heartbeats;
  // an outage fails every subscribe and presence call of this loop: one warning per interval
  private final WarningThrottle brokerTrouble = new WarningThrottle(5_000);

  /**
   * @param userSlots limits.maxConnectionsPerUser, taken by the {@link Authenticator}
   * @param hubs where this hub registers on {@link #start}
   * @param hooks the connect hook, asked by the {@link Authenticator}
   */
  public Hub(
      Vertx vertx,
      Context context,
      SwitchboardConfig config,
      Engine engine,
      Credentials credentials,
      UserSlots userSlots,
      Hubs hubs,
      SwitchboardMetrics metrics,
      Hooks hooks) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.engine = engine;
    this.revocations = credentials.revocations();
    this.hubs = hubs;
    this.metrics = metrics;
    this.authenticator =
        new Authenticator(vertx, this, config, credentials, userSlots, metrics, hooks);
    this.heartbeats = new Heartbeats(vertx, this, config, metrics);
    this.deliveries = new DeliveryQueue(context, this::localChannel, metrics);
  }

  // written by this hub's loop, read by /ready on any loop
  private volatile long lastTickMs = System.currentTimeMillis();

  void runOnLoop(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  void ticked() {
    lastTickMs = System.currentTimeMillis();
  }

  /**
   * True when the heartbeat timer has not run for three of its periods (and at least 2 s): the
   * loop is stuck in something that blocks it.
   */
  boolean blocked(long nowMs) {
    return nowMs - lastTickMs > Math.max(2_000, 3 * heartbeats.tickMs());
  }

  /** Starts the heartbeat and reaper timers; call on this hub's context. */
  public void start() {
    hubs.add(this);
    heartbeats.start();
  }

  /** Cancels the timers and closes every session as going away. */
  public void stop() {
    hubs.remove(this);
    heartbeats.stop();
    for (Session session : new ArrayList<>(sessions.values())) {
      close(session, CloseCode.GOING_AWAY);
    }
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public void open(Session session) {
    sessions.put(session.id(), session);
    metrics.connectionOpened(session.transport().kind());
    // DEBUG, as every per-connection line: at INFO, writing them was a tenth of a connect's CPU
    // in a JFR profile, and a reconnect storm would flood the log
    log.atDebug()
        .addKeyValue("session", session.id())
        .addKeyValue("transport", session.transport().kind())
        .log("connection opened");
  }

  public int sessionCount() {
    return sessions.size();
  }

  /** Closes the session's socket and releases everything it held. */
  public void close(Session session, CloseCode code) {
    if (session.closed()) {
      return;
    }
    release(session, code);
    session.transport().close(code);
  }

  /** The socket is gone: release the session's subscriptions and presence. Idempotent. */
  public void forget(Session session) {
    release(session, null);
  }

  /** {@code code}: the close we sent; null when the peer closed or the connection dropped. */
  private void release(Session session, CloseCode code) {
    if (session.closed()) {
      return;
    }
    session.markClosed();
    sessions.remove(session.id());
    metrics.connectionClosed(session.transport().kind(), code);
    log.atDebug()
        .addKeyValue("session", session.id())
        .addKeyValue("transport", session.transport().kind())
        .addKeyValue("user", session.user())
        .addKeyValue("code", code == null ? "peer" : code.code())
        .addKeyValue("reason", code == null ? "closed by the client" : code.reason())
        .addKeyValue("subscriptions", session.subscriptionCount())
        .addKeyValue("durationMs", System.currentTimeMillis() - session.openedAtMs())
        .log("connection closed");
    authenticator.release(session);
    for (String channel : new ArrayList<>(session.channels())) {
      removeSubscription(session, channel);
    }
  }

  /**
   * Closes every session of {@code user} on this hub with 4403 and revokes their tokens on this
   * node for the rest of their lifetime; completes, on any thread, with those tokens.
   */
  Future<List<VerifiedToken>> disconnect(String user) {
    Promise<List<VerifiedToken>> closed = Promise.promise();
    context.runOnContext(v -> {
      long now = System.currentTimeMillis();
      List<Session> matching = new ArrayList<>();
      for (Session session : sessions.values()) {
        if (session.token() != null && session.user().equals(user)) {
          matching.add(session);
        }
      }
      List<VerifiedToken> tokens = new ArrayList<>(matching.size());
      for (Session session : matching) {
        tokens.add(session.token());
        revocations.revokeToken(session.token(), now);
        close(session, CloseCode.REVOKED);
      }
      closed.complete(tokens);
    });
    return closed.future();
  }

  /**
   * Asks {@code revoked} about the token of every authenticated session of this hub and closes
   * with 4403 those it says were revoked (by a disconnect this node did not hear of).
   */
  void closeRevoked(Function<VerifiedToken, Future<Boolean>> revoked) {
    context.runOnContext(v -> {
      // a copy: an answer may come at once, and close the session
      for (Session session : new ArrayList<>(sessions.values())) {
        VerifiedToken token = session.token();
        if (token != null) {
          revoked.apply(token).onSuccess(yes -> {
            if (yes && session.token() == token) {
              close(session, CloseCode.REVOKED);
            }
          });
        }
      }
    });
  }

  /**
   * Subscribes the session. Once it is subscribed, calls {@code onSubscribed} (on this hub's loop),
   * then sends (with {@code since}) what the session missed, then the live messages buffered
   * meanwhile without those already sent: the session sees the channel in offset order, without
   * gaps or duplicates (PROTOCOL.md section 3).
   *
   * <p>{@code onSubscribed} is where a transport answers the subscribe in its own terms (the
   * WebSocket ack): it runs synchronously right before the first message of the channel is
   * written, so whatever it writes comes first. A callback rather than the returned Future's
   * success: a Future's listeners may run later, after the catch-up. The returned Future then
   * completes with the same result, or fails without {@code onSubscribed} having run.
   */
  public Future<SubscribeResult> subscribe(
      Session session,
      String channel,
      NamespaceConfig ns,
      String since,
      Consumer<SubscribeResult> onSubscribed) {
    if (session.closed()) {
      // closed while a subscribe hook was asked: nothing may be registered for it any more
      return Future.failedFuture(unsubscribedMeanwhile());
    }
    if (session.subscribedTo(channel)) {
      return Future.failedFuture(
          new SwitchboardException(ErrorCode.BAD_REQUEST, "already subscribed to " + channel));
    }
    int max = config.limits().maxSubscriptionsPerConnection();
    if (max > 0 && session.subscriptionCount() >= max) {
      return Future.failedFuture(new SwitchboardException(
          ErrorCode.BAD_REQUEST,
          "subscription limit reached (limits.maxSubscriptionsPerConnection = " + max + ")"));
    }
    LocalChannel local = channels.computeIfAbsent(channel, this::attach);
    if (local.attached.failed()) {
      // a broker subscribe that failed (a Redis timeout) is asked again, never kept as the answer
      local.attached = engine.fanout().attach(channel, this);
    }
    List<OutboundMessage> buffer = new ArrayList<>();
    local.catchingUp.put(session, buffer);
    session.channels().add(channel);
    StreamPosition sincePosition = StreamPosition.parse(since);
    HistoryQuery query =
        new HistoryQuery(sincePosition, sincePosition == null ? 0 : ns.history().size());
    return local.attached.compose(v -> local.reads.read(query)).transform(ar -> {
      if (!stillSubscribing(session, local, buffer)) {
        return Future.failedFuture(unsubscribedMeanwhile());
      }
      if (ar.failed()) {
        local.catchingUp.remove(session);
        session.channels().remove(channel);
        release(local);
        brokerTrouble.warn(() -> log.atWarn()
            .addKeyValue("channel", channel)
            .log("broker subscribe failed: {}", ar.cause().toString()));
        return Future.failedFuture(
            new SwitchboardException(ErrorCode.UNAVAILABLE, "broker unavailable: not subscribed"));
      }
      return joinPresence(session, local, ns, buffer).map(joined -> {
        local.catchingUp.remove(session);
        return goLive(session, local, since, sincePosition, ar.result(), buffer, onSubscribed);
      });
    });
  }

  private boolean stillSubscribing(
      Session session, LocalChannel local, List<OutboundMessage> buffer) {
    return !session.closed() && local.catchingUp.get(session) == buffer;
  }

  private static SwitchboardException unsubscribedMeanwhile() {
    return new SwitchboardException(
        ErrorCode.NOT_SUBSCRIBED, "unsubscribed before the subscription completed");
  }

  /**
   * Registers the session's presence before its ack goes out, so a client that has its ack finds
   * itself present on every node; live messages keep being buffered meanwhile. A presence failure
   * (broker trouble) does not stop the subscription: the node re-registers at its next refresh.
   */
  private Future<Void> joinPresence(
      Session session, LocalChannel local, NamespaceConfig ns, List<OutboundMessage> buffer) {
    if (!ns.presence()) {
      return Future.succeededFuture();
    }
    return engine
        .presence()
        .add(local.name, session.id(), session.user())
        .otherwise(err -> {
          brokerTrouble.warn(() -> log.atWarn()
              .addKeyValue("channel", local.name)
              .log("presence add failed: {}", err.toString()));
          return false;
        })
        .compose(first -> {
          if (!stillSubscribing(session, local, buffer)) {
            // gone while registering: removeSubscription saw no live session to take out
            engine
                .presence()
                .remove(local.name, session.id(), session.user())
                .onFailure(err -> log.atDebug().log("presence remove failed: {}", err.toString()));
            return Future.failedFuture(unsubscribedMeanwhile());
          }
          if (first && ns.joinLeave()) {
            engine
                .broker()
                .publishEvent(new ChannelEvent(local.name, ChannelEvent.Kind.JOIN, session.user()))
                .onFailure(err -> brokerTrouble.warn(() -> log.atWarn()
                    .addKeyValue("channel", local.name)
                    .log("join event failed: {}", err.toString())));
          }
          return Future.succeededFuture();
        });
  }

  private SubscribeResult goLive(
      Session session,
      LocalChannel local,
      String since,
      StreamPosition sincePosition,
      HistoryPage page,
      List<OutboundMessage> buffer,
      Consumer<SubscribeResult> onSubscribed) {
    // off the loop, the session would turn live while this hub's deliveries run: a live message
    // could pass the catch-up, or fall between the buffer and the live list
    assert onLoop() : "subscription of " + local.name + " completed off its hub's loop";
    Boolean recovered = since == null ? null : sincePosition != null && page.reachesSince();
    if (recovered != null) {
      metrics.recovery(recovered);
    }
    metrics.subscribed();
    SubscribeResult result = new SubscribeResult(local.name, page.top().encode(), recovered);
    onSubscribed.accept(result);
    StreamPosition sent = Boolean.TRUE.equals(recovered) ? sincePosition : page.top();
    List<OutboundMessage> catchUp = new ArrayList<>();
    if (Boolean.TRUE.equals(recovered)) {
      for (Publication publication : page.publications()) {
        catchUp.add(new OutboundMessage(publication));
      }
    }
    catchUp.addAll(buffer);
    // history and the buffer may overlap: each message is sent only if it is new after the last
    MessageBatch unsent = new MessageBatch(catchUp).newSince(sent);
    if (unsent != null) {
      session.transport().sendMessages(unsent);
      sent = unsent.last().publication().position();
    }
    // history may reach past what this hub delivered so far: the rest is still in its queue
    if (local.isNew(sent)) {
      local.sentAhead.put(session, sent);
    }
    local.live.add(session);
    return result;
  }

  public Future<Void> unsubscribe(Session session, String channel) {
    if (!session.subscribedTo(channel)) {
      return Future.failedFuture(
          new SwitchboardException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + channel));
    }
    removeSubscription(session, channel);
    return Future.succeededFuture();
  }

  private LocalChannel attach(String channel) {
    LocalChannel local = new LocalChannel(channel);
    local.attached = engine.fanout().attach(channel, this);
    local.reads = new SharedCatchUpReads(
        query -> engine.broker().history(channel, query), () -> local.lastDelivered);
    return local;
  }

  private void removeSubscription(Session session, String channel) {
    session.channels().remove(channel);
    LocalChannel local = channels.get(channel);
    if (local == null) {
      return;
    }
    boolean wasLive = local.live.remove(session);
    if (wasLive) {
      metrics.unsubscribed();
    }
    local.catchingUp.remove(session);
    local.sentAhead.remove(session);
    NamespaceConfig ns = config.namespace(ChannelName.namespaceOf(channel));
    if (wasLive && ns != null && ns.presence()) {
      engine
          .presence()
          .remove(channel, session.id(), session.user())
          .compose(last -> last && ns.joinLeave()
              ? engine
                  .broker()
                  .publishEvent(new ChannelEvent(channel, ChannelEvent.Kind.LEAVE, session.user()))
              : Future.succeededFuture())
          .onFailure(err -> brokerTrouble.warn(() -> log.atWarn()
              .addKeyValue("channel", channel)
              .log("presence remove failed: {}", err.toString())));
    }
    release(local);
  }

  private void release(LocalChannel local) {
    if (local.isEmpty() && channels.get(local.name) == local) {
      channels.remove(local.name);
      engine.fanout().detach(local.name, this);
    }
  }

  /** Hands a delivery over to this hub's loop; any thread. */
  void enqueue(Delivery delivery) {
    deliveries.add(delivery);
  }

  /** This hub's view of {@code channel}, or null when none of its sessions follows it. */
  private LocalChannel localChannel(String channel) {
    return channels.get(channel);
  }

  /** The open sessions, for the heartbeat and the reaper; read-only, on this hub's loop. */
  Collection<Session> sessions() {
    return sessions.values();
  }

  /**
   * {@code future}, completing on this hub's loop whichever thread completes it: for what the hub
   * shares with the node's other hubs (a channel's broker subscribe), whose completion runs on the
   * loop of the hub that started it.
   */
  <T> Future<T> onLoop(Future<T> future) {
    Promise<T> here = Promise.promise();
    future.onComplete(ar -> {
      if (onLoop()) {
        here.handle(ar);
      } else {
        context.runOnContext(v -> here.handle(ar));
      }
    });
    return here.future();
  }

  private boolean onLoop() {
    // the internal API Vert.x offers integrations: whether this thread is the context's loop
    return ((ContextInternal) context).inThread();
  }

  /** The context of this hub's event loop, where everything touching it must run. */
  Context context() {
    return context;
  }
}
