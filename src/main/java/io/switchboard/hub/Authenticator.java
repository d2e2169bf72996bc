package io.switchboard.hub;

import io.switchboard.auth.Credentials;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hook.Hooks;
import io.switchboard.limits.UserSlots;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ClientFrame;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

/**
 * When a session may be used and as whom (PROTOCOL.md sections 3 and 6): a token from the upgrade
 * request or the first {@code auth} frame within {@code auth.timeoutMs}, else anonymous access if
 * allowed; the connection closes with 4401 when its token expires unless an {@code auth} frame
 * brought a fresh one. One per hub; runs on the hub's event loop.
 *
 * <p>It decides and closes; what the client is told besides the close is the transport's to say,
 * through the {@link Replies} a caller passes in (the WebSocket layer writes a welcome frame, an
 * error frame). Passed per call rather than kept per session, so an idle connection holds none.
 */
public final class Authenticator {
  /** What the client is told as authentication goes; called on the hub's loop. */
  public interface Replies {
    /**
     * The session may be used from now on, as {@code session.user()}: anonymous access, or its
     * first good token. Called once per session.
     */
    void welcomed(Session session);

    /**
     * The user already holds limits.maxConnectionsPerUser connections; the session is closed
     * with 4429 right after this returns.
     */
    void tooManyConnections(Session session, SwitchboardException error);

    /**
     * The application's connect hook refused the session, or gave no answer under
     * hooks.onFailure deny; the session is closed right after this returns (WebSocket: 4403,
     * 4401, 4429 or 1013 as the code says).
     */
    void refused(Session session, SwitchboardException error);
  }

  /**
   * What the authenticator keeps per session, touched by nobody else (its fields are private to
   * this class). Made when a session first needs it (an auth deadline, a token), so an anonymous
   * connection has none; the session only holds it.
   */
  public static final class State {
    /**
     * The auth.timeoutMs deadline until a token is adopted, then the token's expiry; null: none.
     * One-shot Timers rather than setTimer ids: no timer-id map or close hook per connection.
     */
    private Timer timer;
    /**
     * The taking of a slot of limits.maxConnectionsPerUser, by the session's first token: the
     * user counted, or null when refused; null before it started.
     */
    private Future<String> userSlot;
    /** The connect hook's call, then its outcome (true: welcomed); null before it started. */
    private Future<Boolean> welcoming;

    private State() {}
  }

  /** For callers whose answer is the outcome alone (SSE: the stream starts, or the 429 close). */
  private static final Replies NO_REPLIES = new Replies() {
    @Override
    public void welcomed(Session session) {
      // the caller acts on the completed accept()
    }

    @Override
    public void tooManyConnections(Session session, SwitchboardException error) {
      // the close says it (SSE: 429 before the stream)
    }

    @Override
    public void refused(Session session, SwitchboardException error) {
      // the close says it (SSE: its status before the stream)
    }
  };

  private final Vertx vertx;
  private final Hub hub;
  private final SwitchboardConfig config;
  private final Credentials credentials;
  private final UserSlots userSlots;
  private final SwitchboardMetrics metrics;
  private final WelcomeGate gate;
  private final boolean keepClaims;

  Authenticator(
      Vertx vertx,
      Hub hub,
      SwitchboardConfig config,
      Credentials credentials,
      UserSlots userSlots,
      SwitchboardMetrics metrics,
      Hooks hooks) {
    this.vertx = vertx;
    this.hub = hub;
    this.config = config;
    this.credentials = credentials;
    this.userSlots = userSlots;
    this.metrics = metrics;
    this.gate = new WelcomeGate(hub, hooks);
    this.keepClaims = hooks.askAny();
  }

  /**
   * A new WebSocket connection, with the token its upgrade request carried (header or query), or
   * null: welcomed at once (anonymous access), once its token is good, or not before an
   * {@code auth} frame.
   */
  public void connected(Session session, String token, Replies replies) {
    if (token != null) {
      credentials.verify(token).onComplete(ar -> {
        if (ar.succeeded()) {
          accept(session, ar.result(), replies);
        } else {
          hub.close(session, CloseCode.UNAUTHORIZED);
        }
      });
    } else if (config.auth().anonymous()) {
      welcome(session, replies);
    } else {
      Timer deadline = vertx.timer(config.auth().timeoutMs());
      state(session).timer = deadline;
      deadline.onSuccess(v -> {
        if (!session.welcomed()) {
          hub.close(session, CloseCode.UNAUTHORIZED);
        }
      });
    }
  }

  /**
   * An {@code auth} frame: authenticates the session (the welcome goes through {@code replies};
   * completes with false) or refreshes its token (completes with true: answer with an ack). A bad
   * token closes a session that is not in use yet with 4401; a session already in use keeps its
   * current token and the future fails with the error to answer.
   */
  public Future<Boolean> authFrame(Session session, ClientFrame.Auth frame, Replies replies) {
    return credentials.verify(frame.token()).transform(ar -> {
      if (session.closed()) {
        return Future.failedFuture(new SwitchboardException(ErrorCode.UNAUTHORIZED, "closed"));
      }
      if (ar.failed()) {
        if (!session.welcomed()) {
          hub.close(session, CloseCode.UNAUTHORIZED);
        }
        return Future.failedFuture(ar.cause());
      }
      VerifiedToken token = ar.result();
      String user = token.principal().user();
      // the token's sub, not the user a connect hook put in its place
      String current = session.credentialUser();
      if (!current.isEmpty() && !current.equals(user)
          || current.isEmpty() && session.welcomed() && session.subscriptionCount() > 0) {
        return Future.failedFuture(new SwitchboardException(
            ErrorCode.FORBIDDEN,
            "a connection cannot change its user once it has one or holds subscriptions"));
      }
      boolean refresh = session.welcomed();
      return accept(session, token, replies)
          .compose(accepted -> accepted
              ? Future.succeededFuture(refresh)
              : Future.failedFuture(tooManyConnections(user)));
    });
  }

  /**
   * Makes the token the session's (welcoming it if it was not yet); the session closes with 4401
   * when the token expires (after {@code auth.jwt.clockSkewMs}, the tolerance verification
   * allows). Completes with false, having closed the session with 4429 after a
   * {@code rate_limited} error, when the user already holds {@code limits.maxConnectionsPerUser}
   * connections (on this node, or across the cluster with the Redis broker); false too when the
   * session closed meanwhile. Completes on this hub's loop. For SSE, whose streams end at expiry,
   * and which answers by the outcome alone.
   */
  public Future<Boolean> accept(Session session, VerifiedToken token) {
    return accept(session, token, NO_REPLIES);
  }

  /**
   * {@link #accept(Session, VerifiedToken)}, telling {@code replies} of a refusal (SSE answers a
   * connect hook's refusal with its code and message).
   */
  public Future<Boolean> accept(Session session, VerifiedToken token, Replies replies) {
    if (session.closed()) {
      return Future.succeededFuture(false);
    }
    State state = state(session);
    if (state.userSlot == null) {
      // taken once per session, by its first token; a refresh keeps the user (authFrame checks)
      String user = token.principal().user();
      state.userSlot =
          userSlots.tryAcquire(user, session.id()).map(acquired -> acquired ? user : null);
    }
    return state.userSlot.compose(counted -> {
      if (session.closed()) {
        return Future.succeededFuture(false);
      }
      if (counted == null) {
        metrics.error(session.transport().kind(), ErrorCode.RATE_LIMITED);
        replies.tooManyConnections(session, tooManyConnections(token.principal().user()));
        hub.close(session, CloseCode.TOO_MANY);
        return Future.succeededFuture(false);
      }
      if (credentials.revocations().isRevoked(token, System.currentTimeMillis())) {
        // revoked while the slot was being taken (a disconnect in between)
        hub.close(session, CloseCode.UNAUTHORIZED);
        return Future.succeededFuture(false);
      }
      return adopt(session, token, replies);
    });
  }

  /**
   * A session without a token where anonymous access is allowed (an SSE stream): welcomed once
   * the connect hook allows it. Completes with false, the session closed, when it refuses.
   */
  public Future<Boolean> anonymous(Session session, Replies replies) {
    return welcome(session, replies);
  }

  private Future<Boolean> adopt(Session session, VerifiedToken token, Replies replies) {
    State state = state(session);
    // the auth deadline (first token) or the expiry of the token this one replaces
    cancel(state.timer);
    state.timer = null;
    // the claims are kept for hook requests only: an idle connection should not hold them
    session.token(keepClaims ? token : token.withoutClaims());
    if (token.expiresAtMs() > 0) {
      // the same tolerance that let the token in: closing at exp itself would welcome a token
      // that expired a few seconds ago, then close it at once
      long closeAtMs = token.expiresAtMs() + config.auth().jwt().clockSkewMs();
      long delay = Math.max(1, closeAtMs - System.currentTimeMillis());
      Timer expiry = vertx.timer(delay);
      state.timer = expiry;
      expiry.onSuccess(v -> hub.close(session, CloseCode.UNAUTHORIZED));
    }
    return session.welcomed() ? Future.succeededFuture(true) : welcome(session, replies);
  }

  /** Cancels the session's timers and frees its user slot; part of the hub's close path. */
  void release(Session session) {
    State state = session.auth();
    if (state == null) {
      return;
    }
    cancel(state.timer);
    if (state.userSlot != null) {
      // a slot still being taken is given back once it is
      state.userSlot.onSuccess(counted -> {
        if (counted != null) {
          userSlots.release(counted, session.id());
        }
      });
    }
  }

  private static State state(Session session) {
    State state = session.auth();
    if (state == null) {
      state = new State();
      session.auth(state);
    }
    return state;
  }

  static SwitchboardException tooManyConnections(String user) {
    return new SwitchboardException(
        ErrorCode.RATE_LIMITED,
        "too many connections for user " + user + " (limits.maxConnectionsPerUser)");
  }

  /**
   * Welcomes the session, at once or once the connect hook allows it ({@link WelcomeGate}). Asked
   * once per session: an {@code auth} frame sent while the hook thinks waits for the same answer.
   */
  private Future<Boolean> welcome(Session session, Replies replies) {
    if (!gate.asks()) {
      WelcomeGate.welcome(session, replies, Hooks.Admission.UNCHANGED);
      return Future.succeededFuture(true);
    }
    State state = state(session);
    if (state.welcoming == null) {
      state.welcoming = gate.ask(session, replies);
    }
    return state.welcoming;
  }

  private static void cancel(Timer timer) {
    if (timer != null) {
      timer.cancel();
    }
  }
}
