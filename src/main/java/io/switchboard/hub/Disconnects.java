package io.switchboard.hub;

import io.switchboard.auth.RevocationList;
import io.switchboard.auth.RevocationStore;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.broker.NodeControl;
import io.switchboard.broker.NodeControl.Answers;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/disconnect}: refuses the user's tokens issued until now, and closes the user's
 * connections with 4403, on this node and on every other one.
 *
 * <p>On this node both happen at once, whatever the broker does: the node's own
 * {@link RevocationList} takes the revocation and the hubs close the connections. Then the
 * revocation is shared ({@link RevocationStore}: nodes started later refuse the tokens too) and the
 * other nodes are asked to close theirs ({@link NodeControl}); each of them revokes in its own
 * list, closes, and shares the exact tokens it closed. When sharing or asking fails (Redis is
 * unreachable), the disconnect fails with {@code unavailable}, saying it took effect on this node
 * only. A node that lost touch with the others (its link to Redis) checks its connections against
 * the shared revocations when it is back, and closes those revoked meanwhile with 4403.
 * Thread-safe; node-wide.
 */
public final class Disconnects {
  private static final Logger log = LoggerFactory.getLogger(Disconnects.class);

  private final Hubs hubs;
  private final RevocationList revocations;
  private final RevocationStore shared;
  private final NodeControl control;
  private final SwitchboardMetrics metrics;

  public Disconnects(
      Hubs hubs,
      RevocationList revocations,
      RevocationStore shared,
      NodeControl control,
      SwitchboardMetrics metrics) {
    this.hubs = hubs;
    this.revocations = revocations;
    this.shared = shared;
    this.control = control;
    this.metrics = metrics;
    control.onDisconnect(this::disconnectHere);
    control.onJoined(this::closeRevokedMeanwhile);
  }

  /** Disconnects {@code user} everywhere; completes on any thread. */
  public Future<DisconnectResult> disconnect(String user) {
    long now = System.currentTimeMillis();
    long until = now + RevocationList.DEFAULT_USER_REVOCATION_MS;
    revocations.revokeUser(user, now, until);
    Future<List<VerifiedToken>> closedHere = hubs.disconnect(user);
    Future<Void> tokensShared =
        closedHere.compose(tokens -> shared.revokeTokens(user, tokens, now));
    // the revocation is stored before the others close, so a client they close cannot come back
    // through a node that has not heard of it yet
    Future<Answers> elsewhere = shared
        .revokeUser(user, now / 1000, until)
        .compose(v -> control.disconnectElsewhere(user, now));
    return Future.join(tokensShared, elsewhere).transform(ar -> {
      int here = closedHere.result().size();
      if (ar.failed()) {
        metrics.disconnect("unavailable");
        log.atWarn()
            .addKeyValue("user", user)
            .addKeyValue("closed", here)
            .log("disconnect took effect on this node only: {}", ar.cause().toString());
        return Future.failedFuture(new SwitchboardException(
            ErrorCode.UNAVAILABLE,
            "the broker is unreachable: closed " + here + " connection(s) of user " + user
                + " on this node only, and revoked their tokens on this node only; other nodes"
                + " were not reached, retry when the broker is back"));
      }
      Answers answers = elsewhere.result();
      metrics.disconnect(answers.complete() ? "complete" : "incomplete");
      return Future.succeededFuture(new DisconnectResult(
          user, here + answers.closed(), control.clustered() ? answers : null));
    });
  }

  /**
   * Another node disconnected {@code user} (tokens issued until {@code revokedAtMs}): revokes on
   * this node, closes the user's connections here and shares their exact tokens; completes with
   * how many were closed.
   */
  private Future<Integer> disconnectHere(String user, long revokedAtMs) {
    revocations.revokeUser(
        user, revokedAtMs, revokedAtMs + RevocationList.DEFAULT_USER_REVOCATION_MS);
    return hubs.disconnect(user)
        .compose(tokens -> shared
            .revokeTokens(user, tokens, System.currentTimeMillis())
            .otherwise(err -> {
              // their user's revocation (older tokens) is stored; what may be missed is a token
              // issued after the disconnect within the clock skew, refused here but not elsewhere
              log.atWarn()
                  .addKeyValue("user", user)
                  .log("could not share the revoked tokens: {}", err.toString());
              return null;
            })
            .map(v -> tokens.size()));
  }

  /** Disconnects this node did not hear of: their revocations are in the shared store. */
  private void closeRevokedMeanwhile() {
    hubs.closeRevoked(token -> shared.isRevoked(token, System.currentTimeMillis()));
  }

  /**
   * What a disconnect did.
   *
   * @param closed connections closed, on this node and the other nodes that answered
   * @param elsewhere the other nodes' answers; null on a single node
   */
  public record DisconnectResult(String user, int closed, Answers elsewhere) {
    /** Whether other nodes were asked (a cluster). */
    public boolean clustered() {
      return elsewhere != null;
    }

    /** The nodes that should have answered, this one included. */
    public int nodes() {
      return 1 + (elsewhere == null ? 0 : elsewhere.nodes());
    }

    /** The nodes that answered, this one included. */
    public int answered() {
      return 1 + (elsewhere == null ? 0 : elsewhere.answered());
    }

    public boolean complete() {
      return elsewhere == null || elsewhere.complete();
    }
  }
}
