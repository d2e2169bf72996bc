package io.switchboard.auth;

import io.vertx.core.json.JsonObject;

/**
 * A token that passed every check, with what the rest of the server needs from it.
 *
 * @param expiresAtMs when the token expires (its {@code exp}), or 0 for a token without one
 * @param issuedAtSec its {@code iat}, or 0 when absent
 * @param fingerprint a hash that identifies the token in the revocation list (never the token)
 * @param admin whether it carries {@code "role": "admin"} (HTTP API access)
 * @param claims its claims without exp, iat and nbf, as application hooks are sent them
 */
public record VerifiedToken(
    Principal principal,
    long expiresAtMs,
    long issuedAtSec,
    String fingerprint,
    boolean admin,
    JsonObject claims) {
  /** The same token without its claims, for a node that has no hook to send them to. */
  public VerifiedToken withoutClaims() {
    return claims == null
        ? this
        : new VerifiedToken(principal, expiresAtMs, issuedAtSec, fingerprint, admin, null);
  }
}
