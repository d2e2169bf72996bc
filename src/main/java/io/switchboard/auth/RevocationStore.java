package io.switchboard.auth;

import io.vertx.core.Future;
import java.util.List;

/**
 * Revocations shared with the other nodes of a cluster, next to each node's own
 * {@link RevocationList}: what one node revokes is refused on every node, nodes started later
 * included. The memory broker shares nothing ({@link #NONE}). Thread-safe; futures complete on the
 * caller's context.
 */
public interface RevocationStore {

  /**
   * Shares the revocation of the user's tokens issued at or before {@code revokedAtSec} (or
   * without iat), until {@code untilMs}. Fails when it could not be stored.
   */
  Future<Void> revokeUser(String user, long revokedAtSec, long untilMs);

  /** Shares the revocation of these exact tokens of {@code user}, each until it expires. */
  Future<Void> revokeTokens(String user, List<VerifiedToken> tokens, long nowMs);

  /**
   * Whether the store holds a revocation covering the token. Never fails: when the store cannot
   * tell (unreachable), false, and the node's own list decides alone.
   */
  Future<Boolean> isRevoked(VerifiedToken token, long nowMs);

  /** A single node's: its {@link RevocationList} is all there is. */
  RevocationStore NONE = new RevocationStore() {
    @Override
    public Future<Void> revokeUser(String user, long revokedAtSec, long untilMs) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> revokeTokens(String user, List<VerifiedToken> tokens, long nowMs) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> isRevoked(VerifiedToken token, long nowMs) {
      return Future.succeededFuture(false);
    }
  };
}
