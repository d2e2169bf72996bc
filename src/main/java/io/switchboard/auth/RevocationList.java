package io.switchboard.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens refused after {@code POST /api/disconnect}: the exact tokens of the connections it closed
 * until they expire, and any token of that user issued before the disconnect ({@code iat} at or
 * before it, or without {@code iat}) for as long as those tokens could still be valid. Shared by
 * every event loop of the node (a disconnect arrives on one, connections come in on all), hence
 * the concurrent maps.
 */
public final class RevocationList {
  /** How long a user's revocation lasts when none of their tokens' expiry is known. */
  public static final long DEFAULT_USER_REVOCATION_MS = 24 * 3600_000L;

  private final Map<String, Long> tokenExpiresAtMs = new ConcurrentHashMap<>();
  private final Map<String, UserRevocation> users = new ConcurrentHashMap<>();

  private record UserRevocation(long revokedAtSec, long untilMs) {}

  /** Refuses this exact token until it expires (0: for {@link #DEFAULT_USER_REVOCATION_MS}). */
  public void revokeToken(VerifiedToken token, long nowMs) {
    tokenExpiresAtMs.merge(token.fingerprint(), revokedUntilMs(token, nowMs), Math::max);
  }

  /** Until when a revoked token is refused: its expiry, or a day for a token without one. */
  public static long revokedUntilMs(VerifiedToken token, long nowMs) {
    return token.expiresAtMs() > 0 ? token.expiresAtMs() : nowMs + DEFAULT_USER_REVOCATION_MS;
  }

  /**
   * Whether a revocation of the token's user made at {@code revokedAtSec} covers it: issued at or
   * before then (iat has a one-second granularity), or without iat.
   */
  public static boolean issuedBefore(VerifiedToken token, long revokedAtSec) {
    return token.issuedAtSec() == 0 || token.issuedAtSec() <= revokedAtSec;
  }

  /** Refuses the user's tokens issued up to now, until {@code untilMs}. */
  public void revokeUser(String user, long nowMs, long untilMs) {
    users.merge(
        user,
        new UserRevocation(nowMs / 1000, untilMs),
        (old, fresh) ->
            new UserRevocation(fresh.revokedAtSec(), Math.max(old.untilMs(), fresh.untilMs())));
  }

  public boolean isRevoked(VerifiedToken token, long nowMs) {
    purge(nowMs);
    if (tokenExpiresAtMs.containsKey(token.fingerprint())) {
      return true;
    }
    UserRevocation revocation = users.get(token.principal().user());
    return revocation != null && issuedBefore(token, revocation.revokedAtSec());
  }

  private void purge(long nowMs) {
    tokenExpiresAtMs.values().removeIf(until -> until <= nowMs);
    users.values().removeIf(r -> r.untilMs() <= nowMs);
  }
}
