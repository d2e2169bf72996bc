package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.config.ConfigLoader;
import io.switchboard.config.Sections.JwtConfig;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PROTOCOL.md section 6: which tokens the verifier accepts (HS256, RS256, ES256, JWKS) and which
 * it refuses (every hostile kind of {@link TestTokens#badKinds()}), with real keys, through the
 * same config loading as a node.
 */
@ExtendWith(VertxExtension.class)
class TokenVerifierTest {
  @TempDir
  Path dir;

  private Vertx vertx;
  private TestTokens tokens;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.tokens = TestTokens.create(vertx);
  }

  /** A verifier built from {@code jwt} (an auth.jwt section) the way a node builds it. */
  private TokenVerifier verifier(JsonObject jwt, RevocationList revocations) {
    JsonObject config = TestNode.baseConfig().put("auth", new JsonObject().put("jwt", jwt));
    JwtConfig loaded =
        Await.result(ConfigLoader.fromJson(vertx, config, Map.of(), dir)).auth().jwt();
    return TokenVerifier.create(vertx, loaded, revocations);
  }

  private TokenVerifier verifier(JsonObject jwt) {
    return verifier(jwt, new RevocationList());
  }

  /** The node config's jwt section (HS256, RS256, ES256, iss, aud, no skew) plus the JWKS file. */
  private TokenVerifier standard() {
    return verifier(TestTokens.nodeConfig()
        .getJsonObject("auth")
        .getJsonObject("jwt")
        .put("jwksFile", TestTokens.writeJwks(dir).toString()));
  }

  private static SwitchboardException refusal(TokenVerifier verifier, String token) {
    Throwable failure = Await.failure(verifier.verify(token));
    SwitchboardException error = assertInstanceOf(SwitchboardException.class, failure);
    assertEquals(ErrorCode.UNAUTHORIZED, error.code(), error.getMessage());
    return error;
  }

  static Stream<Arguments> goodTokens() {
    return Stream.of(
        Arguments.of("HS256", (Function<TestTokens, String>) t -> t.hs256(TestTokens.claims("42"))),
        Arguments.of("RS256", (Function<TestTokens, String>) t -> t.rs256(TestTokens.claims("42"))),
        Arguments.of("ES256", (Function<TestTokens, String>) t -> t.es256(TestTokens.claims("42"))),
        Arguments.of("RS256 with the JWKS kid", (Function<TestTokens, String>)
            t -> t.jwks(TestTokens.claims("42"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodTokens")
  void goodTokenIsAcceptedWithItsSub(String name, Function<TestTokens, String> token) {
    VerifiedToken verified = Await.result(standard().verify(token.apply(tokens)));
    assertEquals("42", verified.principal().user());
    assertTrue(verified.principal().authenticated());
    assertFalse(verified.principal().server());
    assertFalse(verified.admin());
    assertTrue(verified.expiresAtMs() > System.currentTimeMillis());
    assertTrue(verified.issuedAtSec() > 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.switchboard.testing.TestTokens#hostile")
  void hostileTokenIsRefused(String name, Function<TestTokens, Function<String, String>> make) {
    refusal(standard(), make.apply(tokens).apply("42"));
  }

  @Test
  void missingOrBlankTokenIsRefused() {
    TokenVerifier verifier = standard();
    refusal(verifier, null);
    refusal(verifier, "");
    refusal(verifier, "   ");
  }

  @Test
  void jwksAloneVerifiesItsKeyAndNothingElse() {
    TokenVerifier verifier = verifier(new JsonObject()
        .put("clockSkewMs", 0)
        .put("jwksFile", TestTokens.writeJwks(dir).toString()));
    assertEquals(
        "42",
        Await.result(verifier.verify(tokens.jwks(TestTokens.claims("42"))))
            .principal()
            .user());
    // without a kid, the token is tried against every key of its algorithm
    assertEquals(
        "42",
        Await.result(verifier.verify(tokens.rs256(TestTokens.claims("42"))))
            .principal()
            .user());
    refusal(verifier, tokens.hs256(TestTokens.claims("42")));
    refusal(verifier, tokens.es256(TestTokens.claims("42")));
    refusal(verifier, tokens.algConfusion(TestTokens.claims("42")));
    refusal(verifier, tokens.algNone(TestTokens.claims("42")));
  }

  @Test
  void onlyKeysOfConfiguredAlgorithmsAreTried() {
    TokenVerifier rsaOnly =
        verifier(new JsonObject().put("keys", new JsonArray().add(TestTokens.key("RS256"))));
    assertEquals(
        "7",
        Await.result(rsaOnly.verify(tokens.rs256(TestTokens.claims("7"))))
            .principal()
            .user());
    refusal(rsaOnly, tokens.hs256(TestTokens.claims("7")));
    refusal(rsaOnly, tokens.es256(TestTokens.claims("7")));
    refusal(rsaOnly, tokens.algConfusion(TestTokens.claims("7")));
  }

  @Test
  void issuerAndAudienceAreCheckedOnlyWhenConfigured() {
    TokenVerifier open =
        verifier(new JsonObject().put("keys", new JsonArray().add(TestTokens.key("HS256"))));
    for (JsonObject claims : List.of(
        TestTokens.claims("42").put("iss", "someone-else"),
        TestTokens.claims("42").put("aud", "other-service"),
        TestTokens.claims("42").put("aud", new JsonArray().add("x").add("y")),
        without(without(TestTokens.claims("42"), "iss"), "aud"))) {
      assertEquals(
          "42",
          Await.result(open.verify(tokens.hs256(claims))).principal().user(),
          claims.encode());
    }
  }

  @Test
  void audienceMatchesAnyConfiguredValueAndAnyTokenValue() {
    TokenVerifier verifier = verifier(new JsonObject()
        .put("keys", new JsonArray().add(TestTokens.key("HS256")))
        .put("audience", new JsonArray().add("a").add("b")));
    Await.result(verifier.verify(tokens.hs256(TestTokens.claims("42").put("aud", "b"))));
    Await.result(verifier.verify(
        tokens.hs256(TestTokens.claims("42").put("aud", new JsonArray().add("z").add("a")))));
    refusal(verifier, tokens.hs256(TestTokens.claims("42").put("aud", "c")));
    refusal(verifier, tokens.hs256(TestTokens.claims("42").put("aud", new JsonArray())));
  }

  @Test
  void clockSkewExtendsExpAndNbf() {
    long now = TestTokens.nowSec();
    String expiredRecently = tokens.hs256(TestTokens.claims("42").put("exp", now - 10));
    String startsSoon = tokens.hs256(TestTokens.claims("42").put("nbf", now + 10));
    JsonObject strict = new JsonObject()
        .put("keys", new JsonArray().add(TestTokens.key("HS256")))
        .put("clockSkewMs", 0);
    refusal(verifier(strict), expiredRecently);
    refusal(verifier(strict), startsSoon);
    TokenVerifier lenient = verifier(strict.copy().put("clockSkewMs", 30_000));
    Await.result(lenient.verify(expiredRecently));
    Await.result(lenient.verify(startsSoon));
    // beyond the skew
    refusal(lenient, tokens.hs256(TestTokens.claims("42").put("exp", now - 60)));
  }

  @Test
  void issuedInTheFutureIsRefusedBeyondTheSkew() {
    // vertx-auth-jwt treats an iat later than now + leeway as an invalid ("expired") token
    JsonObject strict = new JsonObject()
        .put("keys", new JsonArray().add(TestTokens.key("HS256")))
        .put("clockSkewMs", 0);
    String future = tokens.hs256(TestTokens.claims("42").put("iat", TestTokens.nowSec() + 10));
    refusal(verifier(strict), future);
    Await.result(verifier(strict.copy().put("clockSkewMs", 30_000)).verify(future));
  }

  @Test
  void tokenWithoutExpIsAcceptedWithoutExpiry() {
    VerifiedToken verified =
        Await.result(standard().verify(tokens.hs256(without(TestTokens.claims("42"), "exp"))));
    assertEquals(0, verified.expiresAtMs());
  }

  @Test
  void channelAndPublishClaimsAsStringOrArray() {
    TokenVerifier verifier = standard();
    Principal strings = Await.result(verifier.verify(tokens.hs256(
            TestTokens.claims("42").put("channels", "room:*").put("publish", "room:lobby"))))
        .principal();
    assertEquals(List.of("room:*"), strings.subscribeClaims());
    assertEquals(List.of("room:lobby"), strings.publishClaims());

    Principal arrays = Await.result(verifier.verify(tokens.rs256(TestTokens.claims("42")
            .put("channels", new JsonArray().add("room:*").add("user:42").add(7))
            .put("publish", new JsonArray().add("room:a*")))))
        .principal();
    assertEquals(List.of("room:*", "user:42"), arrays.subscribeClaims());
    assertEquals(List.of("room:a*"), arrays.publishClaims());

    Principal none =
        Await.result(verifier.verify(tokens.es256(TestTokens.claims("42")))).principal();
    assertEquals(List.of(), none.subscribeClaims());
    assertEquals(List.of(), none.publishClaims());
  }

  @Test
  void roleAdminMarksAdminTokens() {
    TokenVerifier verifier = standard();
    assertTrue(
        Await.result(verifier.verify(tokens.hs256(TestTokens.admin("ops")))).admin());
    assertFalse(
        Await.result(verifier.verify(tokens.hs256(TestTokens.claims("ops").put("role", "user"))))
            .admin());
    assertFalse(Await.result(verifier.verify(
            tokens.hs256(TestTokens.claims("ops").put("role", new JsonArray().add("admin")))))
        .admin());
  }

  @Test
  void revokedTokensAndUsersAreRefused() {
    RevocationList revocations = new RevocationList();
    TokenVerifier verifier =
        verifier(TestTokens.nodeConfig().getJsonObject("auth").getJsonObject("jwt"), revocations);
    long now = System.currentTimeMillis();
    String token = tokens.hs256(TestTokens.claims("42"));
    VerifiedToken verified = Await.result(verifier.verify(token));
    revocations.revokeToken(verified, now);
    refusal(verifier, token);

    String older = tokens.hs256(TestTokens.claims("7").put("iat", now / 1000 - 5));
    String later = tokens.hs256(TestTokens.claims("7").put("iat", now / 1000 + 2));
    String noIat = tokens.hs256(without(TestTokens.claims("7"), "iat"));
    revocations.revokeUser("7", now, now + 60_000);
    refusal(verifier, older);
    refusal(verifier, noIat);
    // clockSkewMs 0: an iat 2 s ahead is refused by vertx-auth-jwt itself, so use a lenient one
    TokenVerifier lenient = verifier(
        TestTokens.nodeConfig()
            .getJsonObject("auth")
            .getJsonObject("jwt")
            .put("clockSkewMs", 30_000),
        revocations);
    assertEquals("7", Await.result(lenient.verify(later)).principal().user());
    refusal(lenient, older);
  }

  private static JsonObject without(JsonObject json, String key) {
    json.remove(key);
    return json;
  }
}
