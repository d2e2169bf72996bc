package io.switchboard.auth;

import io.switchboard.config.ConfigException;
import io.switchboard.config.Sections.JwtConfig;
import io.switchboard.config.Sections.JwtKeyConfig;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Verifies JWTs with vertx-auth-jwt (signature with the configured HS256/RS256/ES256 or JWKS keys,
 * {@code exp}/{@code nbf} with the clock skew, {@code iss}/{@code aud} when configured), then the
 * checks of our own: a non-empty {@code sub}, and the revocations: the node's own list, then the
 * store it shares with the other nodes (which answers "not revoked" when it cannot tell, so
 * logins go on while it is unreachable, checked against the node's list). The algorithm a token names
 * must be one a configured key has, so {@code alg: none} and algorithm confusion are refused.
 * Thread-safe; shared by every event loop.
 */
public final class TokenVerifier {
  private final JWTAuth jwt;
  private final RevocationList revocations;
  private final RevocationStore shared;

  private TokenVerifier(JWTAuth jwt, RevocationList revocations, RevocationStore shared) {
    this.jwt = jwt;
    this.revocations = revocations;
    this.shared = shared;
  }

  /** A single node's verifier: its own revocation list only. */
  public static TokenVerifier create(Vertx vertx, JwtConfig config, RevocationList revocations) {
    return create(vertx, config, revocations, RevocationStore.NONE);
  }

  /** Null when no key is configured; throws {@link ConfigException} naming a key it cannot use. */
  public static TokenVerifier create(
      Vertx vertx, JwtConfig config, RevocationList revocations, RevocationStore shared) {
    if (!config.enabled()) {
      return null;
    }
    JWTOptions checks = new JWTOptions()
        .setLeeway((int) Math.min(Integer.MAX_VALUE, (config.clockSkewMs() + 999) / 1000))
        .setIssuer(config.issuer());
    if (!config.audience().isEmpty()) {
      checks.setAudience(config.audience());
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < config.keys().size(); i++) {
      PubSecKeyOptions key = keyOptions(config.keys().get(i));
      try {
        // one provider per key first, so a bad key is reported by its place in the config
        JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key));
      } catch (RuntimeException e) {
        problems.add("auth.jwt.keys[" + i + "]: unusable " + key.getAlgorithm() + " key ("
            + e.getMessage() + ")");
      }
      options.addPubSecKey(key);
    }
    config.jwks().forEach(options::addJwk);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    try {
      return new TokenVerifier(JWTAuth.create(vertx, options), revocations, shared);
    } catch (RuntimeException e) {
      throw new ConfigException(
          List.of("auth.jwt.jwksFile: unusable key (" + e.getMessage() + ")"));
    }
  }

  private static PubSecKeyOptions keyOptions(JwtKeyConfig key) {
    PubSecKeyOptions options = new PubSecKeyOptions().setAlgorithm(key.algorithm());
    return key.algorithm().equals("HS256")
        ? options.setBuffer(key.secret())
        : options.setBuffer(key.publicKey());
  }

  /** Completes with the verified token, or fails with {@code unauthorized} saying why. */
  public Future<VerifiedToken> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(unauthorized("no token"));
    }
    return jwt.authenticate(new TokenCredentials(token))
        .recover(err -> Future.failedFuture(unauthorized("invalid token: " + err.getMessage())))
        .compose(user -> {
          JsonObject claims = user.principal();
          // vertx-auth-jwt 5 keeps exp, iat and nbf out of the principal, in the attributes
          JsonObject times = user.attributes();
          Object sub = claims.getValue("sub");
          if (!(sub instanceof String subject) || subject.isEmpty()) {
            return Future.failedFuture(unauthorized("the token has no sub (user id)"));
          }
          VerifiedToken verified = new VerifiedToken(
              new Principal(subject, globs(claims, "channels"), globs(claims, "publish"), false),
              times.getValue("exp") instanceof Number exp ? exp.longValue() * 1000 : 0,
              times.getValue("iat") instanceof Number iat ? iat.longValue() : 0,
              fingerprint(token),
              "admin".equals(claims.getValue("role")),
              claims);
          long now = System.currentTimeMillis();
          if (revocations.isRevoked(verified, now)) {
            return Future.failedFuture(unauthorized("the token was revoked"));
          }
          return shared
              .isRevoked(verified, now)
              .compose(revoked -> revoked
                  ? Future.failedFuture(unauthorized("the token was revoked"))
                  : Future.succeededFuture(verified));
        });
  }

  private static List<String> globs(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value instanceof String one) {
      return List.of(one);
    }
    List<String> globs = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(item -> {
        if (item instanceof String glob) {
          globs.add(glob);
        }
      });
    }
    return List.copyOf(globs);
  }

  private static String fingerprint(String token) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Sha256.of(token));
  }

  private static SwitchboardException unauthorized(String message) {
    return new SwitchboardException(ErrorCode.UNAUTHORIZED, message);
  }
}
