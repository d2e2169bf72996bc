package io.switchboard.auth;

import io.switchboard.config.Sections.AuthConfig;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;

/**
 * What the node checks callers against (the {@code auth} section and what it configures). Built
 * once by the node; each part is immutable or thread-safe.
 *
 * @param tokens null when no JWT key is configured
 * @param revocations this node's own list; {@code tokens} also asks the cluster's
 */
public record Credentials(
    AuthConfig config, TokenVerifier tokens, ApiKeys apiKeys, RevocationList revocations) {

  /** Verifies a connection's token; {@code unauthorized} when no JWT key is configured. */
  public Future<VerifiedToken> verify(String token) {
    if (tokens == null) {
      return Future.failedFuture(new SwitchboardException(
          ErrorCode.UNAUTHORIZED,
          "token authentication is not configured on this node (auth.jwt)"));
    }
    return tokens.verify(token);
  }
}
