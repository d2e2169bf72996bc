package io.switchboard.hub;

import io.switchboard.auth.Credentials;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.limits.UserSlots;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ClientFrame;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerFrames;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * When a session may be used and as whom (PROTOCOL.md sections 3 and 6): a token from the upgrade
 * request or the first {@code auth} frame within {@code auth.timeoutMs}, else anonymous access if
 * allowed; the connection closes with 4401 when its token expires unless an {@code auth} frame
 * brought a fresh one. One per hub; runs on the hub's event loop.
 */
public final class Authenticator {
  private final Vertx vertx;
  private final Hub hub;
  private final SwitchboardConfig config;
  private final Credentials credentials;
  private final UserSlots userSlots;
  private final SwitchboardMetrics metrics;

  Authenticator(Vertx vertx, Hub hub, SwitchboardConfig config, Credentials credentials,
      UserSlots userSlots, SwitchboardMetrics metrics) {
    this.vertx = vertx;
    this.hub = hub;
    this.config = config;
    this.credentials = credentials;
    this.userSlots = userSlots;
    this.metrics = metrics;
  }

  /** A new connection, with the token its upgrade request carried (header or query), or null. */
  public void connected(Session session, String token) {
    if (token != null) {
      credentials.verify(token).onComplete(ar -> {
        if (ar.succeeded()) {
          accept(session, ar.result());
        } else {
          hub.close(session, CloseCode.UNAUTHORIZED);
        }
      });
    } else if (config.auth().anonymous()) {
      welcome(session);
    } else {
      session.authTimer(vertx.setTimer(config.auth().timeoutMs(), id -> {
        if (!session.welcomed()) {
          hub.close(session, CloseCode.UNAUTHORIZED);
        }
      }));
    }
  }

  /**
   * An {@code auth} frame: authenticates the session (the reply is the welcome) or refreshes its
   * token (the reply is an ack). A bad token closes a session that is not in use yet with 4401;
   * a session already in use keeps its current token and gets the error.
   */
  Future<String> authFrame(Session session, ClientFrame.Auth frame) {
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
      if (!session.user().isEmpty() && !session.user().equals(user)
          || session.user().isEmpty() && session.welcomed() && session.subscriptionCount() > 0) {
        return Future.failedFuture(new SwitchboardException(ErrorCode.FORBIDDEN,
            "a connection cannot change its user once it has one or holds subscriptions"));
      }
      boolean refresh = session.welcomed();
      return accept(session, token).compose(accepted -> accepted
          ? Future.succeededFuture(refresh ? ServerFrames.ack(frame.id()) : null)
          : Future.failedFuture(tooManyConnections(user)));
    });
  }

  /**
   * Makes the token the session's (welcoming it if it was not yet); the session closes with 4401
   * when the token expires (after {@code auth.jwt.clockSkewMs}, the tolerance verification
   * allows). Completes with false, having closed the session with 4429 after a
   * {@code rate_limited} error, when the user already holds {@code limits.maxConnectionsPerUser}
   * connections (on this node, or across the cluster with the Redis broker); false too when the
   * session closed meanwhile. Completes on this hub's loop. Also used by SSE, whose streams end at
   * expiry.
   */
  public Future<Boolean> accept(Session session, VerifiedToken token) {
    if (session.closed()) {
      return Future.succeededFuture(false);
    }
    if (session.userSlot() == null) {
      // taken once per session, by its first token; a refresh keeps the user (authFrame checks)
      session.countedUser(token.principal().user());
      session.userSlot(userSlots.tryAcquire(token.principal().user(), session.id()));
    }
    return session.userSlot().map(acquired -> {
      if (session.closed()) {
        return false;
      }
      if (!acquired) {
        metrics.error("ws", ErrorCode.RATE_LIMITED);
        session.transport().sendFrame(ServerFrames.error(null,
            tooManyConnections(token.principal().user())));
        hub.close(session, CloseCode.TOO_MANY);
        return false;
      }
      if (credentials.revocations().isRevoked(token, System.currentTimeMillis())) {
        // revoked while the slot was being taken (a disconnect in between)
        hub.close(session, CloseCode.UNAUTHORIZED);
        return false;
      }
      adopt(session, token);
      return true;
    });
  }

  private void adopt(Session session, VerifiedToken token) {
    cancel(session.authTimer());
    session.authTimer(-1);
    session.token(token);
    cancel(session.expiryTimer());
    session.expiryTimer(-1);
    if (token.expiresAtMs() > 0) {
      // the same tolerance that let the token in: closing at exp itself would welcome a token
      // that expired a few seconds ago, then close it at once
      long closeAtMs = token.expiresAtMs() + config.auth().jwt().clockSkewMs();
      long delay = Math.max(1, closeAtMs - System.currentTimeMillis());
      session.expiryTimer(vertx.setTimer(delay, id -> hub.close(session, CloseCode.UNAUTHORIZED)));
    }
    if (!session.welcomed()) {
      welcome(session);
    }
  }

  /** Cancels the session's timers and frees its user slot; part of the hub's close path. */
  void release(Session session) {
    cancel(session.authTimer());
    cancel(session.expiryTimer());
    Future<Boolean> slot = session.userSlot();
    if (slot != null) {
      String user = session.countedUser();
      // a slot still being taken is given back once it is
      slot.onSuccess(acquired -> {
        if (acquired) {
          userSlots.release(user, session.id());
        }
      });
    }
  }

  static SwitchboardException tooManyConnections(String user) {
    return new SwitchboardException(ErrorCode.RATE_LIMITED, "too many connections for user "
        + user + " (limits.maxConnectionsPerUser)");
  }

  private void welcome(Session session) {
    session.markWelcomed();
    session.transport().sendFrame(ServerFrames.welcome(session.id(), session.user(),
        config.nodeId(), config.heartbeat().intervalMs()));
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
