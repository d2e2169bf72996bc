package io.switchboard.hub;

import io.switchboard.hook.Hooks;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;

/**
 * The connect hook's say in a welcome (hooks.connect): the {@link Authenticator} has decided who
 * the session is; the gate asks the application whether it may come in, and as whom, then
 * welcomes it or refuses it. One per hub; runs on the hub's loop.
 */
final class WelcomeGate {
  private final Hub hub;
  private final Hooks hooks;

  WelcomeGate(Hub hub, Hooks hooks) {
    this.hub = hub;
    this.hooks = hooks;
  }

  /** Whether welcomes wait for a connect hook. */
  boolean asks() {
    return hooks.asksOnConnect();
  }

  /**
   * Asks the connect hook; completes with true once the session is welcomed (as the user the hook
   * named, with its info), false once it is refused and closed, or gone meanwhile.
   */
  Future<Boolean> ask(Session session, Authenticator.Replies replies) {
    return hooks.connect(session.caller()).transform(ar -> {
      if (session.closed()) {
        // gone while the hook thought: nothing was registered for it, nothing to undo
        return Future.succeededFuture(false);
      }
      if (ar.failed()) {
        SwitchboardException error = SwitchboardException.from(ar.cause(), "connect hook");
        replies.refused(session, error);
        hub.close(session, refusalClose(error.code()));
        return Future.succeededFuture(false);
      }
      welcome(session, replies, ar.result());
      return Future.succeededFuture(true);
    });
  }

  /** Makes the session usable, as {@code admission} says, and tells the client. */
  static void welcome(Session session, Authenticator.Replies replies, Hooks.Admission admission) {
    if (admission.user() != null) {
      session.hookUser(admission.user());
    }
    if (admission.info() != null) {
      session.info(admission.info());
    }
    session.markWelcomed();
    replies.welcomed(session);
  }

  /** How a connection the connect hook refused is closed (docs/protocol.md section 4). */
  static CloseCode refusalClose(ErrorCode code) {
    switch (code) {
      case UNAUTHORIZED:
        return CloseCode.UNAUTHORIZED;
      case RATE_LIMITED:
        return CloseCode.TOO_MANY;
      case UNAVAILABLE:
        return CloseCode.TRY_AGAIN_LATER;
      default:
        return CloseCode.REFUSED;
    }
  }
}
