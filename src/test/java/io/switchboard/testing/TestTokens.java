package io.switchboard.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Real keys and tokens for authentication tests: an HS256 secret, an RSA-2048 and an EC P-256 key
 * pair generated once per JVM (public keys as PEM for the node's config, private keys as PKCS#8
 * PEM for signing with vertx-auth-jwt), a JWKS file, and hostile tokens built by hand.
 *
 * <p>Good tokens carry {@link #ISSUER} and {@link #AUDIENCE}, which {@link #nodeConfig()}
 * requires, so the wrong-issuer and wrong-audience tokens are refused by that config.
 */
public final class TestTokens {
  public static final String HS256_SECRET = "switchboard-tests-hs256-secret-0123456789";
  public static final String OTHER_SECRET = "some-other-secret-that-the-node-does-not-know";
  public static final String ISSUER = "switchboard-tests";
  public static final String AUDIENCE = "switchboard";
  public static final String JWKS_KID = "tests-rsa-1";
  /** Far beyond any clock skew a test node is given (the default is 30 s). */
  public static final long LONG_AGO_SEC = 600;

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final Keys KEYS = new Keys();

  private final JWTAuth hs256;
  private final JWTAuth rs256;
  private final JWTAuth es256;
  private final JWTAuth otherSecret;
  private final Vertx vertx;

  /** Key pairs are generated once per JVM: RSA generation is slow. */
  private static final class Keys {
    final KeyPair rsa = generate("RSA", null);
    final KeyPair ec = generate("EC", new ECGenParameterSpec("secp256r1"));

    private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (spec == null) {
          generator.initialize(2048);
        } else {
          generator.initialize(spec);
        }
        return generator.generateKeyPair();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestTokens(Vertx vertx) {
    this.vertx = vertx;
    this.hs256 =
        signer(vertx, new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(HS256_SECRET));
    this.rs256 =
        signer(vertx, new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(rsaPrivatePem()));
    this.es256 =
        signer(vertx, new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(ecPrivatePem()));
    this.otherSecret =
        signer(vertx, new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(OTHER_SECRET));
  }

  public static TestTokens create(Vertx vertx) {
    return new TestTokens(vertx);
  }

  private static JWTAuth signer(Vertx vertx, PubSecKeyOptions key) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key));
  }

  // ---- keys ----

  public static String rsaPublicPem() {
    return pem("PUBLIC KEY", KEYS.rsa.getPublic().getEncoded());
  }

  public static String ecPublicPem() {
    return pem("PUBLIC KEY", KEYS.ec.getPublic().getEncoded());
  }

  public static String rsaPrivatePem() {
    return pem("PRIVATE KEY", KEYS.rsa.getPrivate().getEncoded());
  }

  public static String ecPrivatePem() {
    return pem("PRIVATE KEY", KEYS.ec.getPrivate().getEncoded());
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /** The RSA public key as a JWK (kty RSA, n, e, alg RS256, use sig, kid {@link #JWKS_KID}). */
  public static JsonObject rsaJwk() {
    RSAPublicKey key = (RSAPublicKey) KEYS.rsa.getPublic();
    return new JsonObject()
        .put("kty", "RSA")
        .put("kid", JWKS_KID)
        .put("alg", "RS256")
        .put("use", "sig")
        .put("n", unsigned(key.getModulus()))
        .put("e", unsigned(key.getPublicExponent()));
  }

  private static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return B64URL.encodeToString(bytes);
  }

  /** Writes {@code {"keys":[rsaJwk]}} to {@code dir/jwks.json} and returns its absolute path. */
  public static Path writeJwks(Path dir) {
    Path file = dir.resolve("jwks.json").toAbsolutePath();
    try {
      Files.writeString(
          file, new JsonObject().put("keys", new JsonArray().add(rsaJwk())).encodePrettily());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return file;
  }

  // ---- node config ----

  public static JsonObject key(String algorithm) {
    JsonObject key = new JsonObject().put("algorithm", algorithm);
    return switch (algorithm) {
      case "HS256" -> key.put("secret", HS256_SECRET);
      case "RS256" -> key.put("publicKey", rsaPublicPem());
      case "ES256" -> key.put("publicKey", ecPublicPem());
      default -> throw new IllegalArgumentException(algorithm);
    };
  }

  /**
   * {@code {"auth":{"anonymous":false,"timeoutMs":500,"jwt":{"keys":[HS256,RS256,ES256],
   * "clockSkewMs":0,"issuer":ISSUER,"audience":[AUDIENCE]}}}}.
   */
  public static JsonObject nodeConfig() {
    return new JsonObject()
        .put(
            "auth",
            new JsonObject()
                .put("anonymous", false)
                .put("timeoutMs", 500)
                .put(
                    "jwt",
                    new JsonObject()
                        .put(
                            "keys",
                            new JsonArray().add(key("HS256")).add(key("RS256")).add(key("ES256")))
                        .put("clockSkewMs", 0)
                        .put("issuer", ISSUER)
                        .put("audience", new JsonArray().add(AUDIENCE))));
  }

  // ---- claims ----

  public static long nowSec() {
    return System.currentTimeMillis() / 1000;
  }

  /** sub, iat now, exp in an hour, iss and aud as {@link #nodeConfig()} requires. */
  public static JsonObject claims(String sub) {
    long now = nowSec();
    return new JsonObject()
        .put("sub", sub)
        .put("iat", now)
        .put("exp", now + 3600)
        .put("iss", ISSUER)
        .put("aud", AUDIENCE);
  }

  /** {@link #claims} with {@code "role":"admin"}. */
  public static JsonObject admin(String sub) {
    return claims(sub).put("role", "admin");
  }

  // ---- signed tokens ----

  public String hs256(JsonObject claims) {
    return sign(hs256, "HS256", claims);
  }

  public String rs256(JsonObject claims) {
    return sign(rs256, "RS256", claims);
  }

  public String es256(JsonObject claims) {
    return sign(es256, "ES256", claims);
  }

  /** RS256 with the JWKS key's kid in the header, as an identity provider behind a JWKS signs. */
  public String jwks(JsonObject claims) {
    return sign(rs256, "RS256", claims, new JsonObject().put("kid", JWKS_KID));
  }

  public String hs256(String sub) {
    return hs256(claims(sub));
  }

  private static String sign(JWTAuth signer, String algorithm, JsonObject claims) {
    return sign(signer, algorithm, claims, new JsonObject());
  }

  private static String sign(
      JWTAuth signer, String algorithm, JsonObject claims, JsonObject header) {
    // noTimestamp: the claims decide about iat (generateToken would add one)
    return signer.generateToken(
        claims.copy(),
        new JWTOptions().setAlgorithm(algorithm).setNoTimestamp(true).setHeader(header));
  }

  // ---- hostile tokens ----

  /** {@code alg: none} with an empty signature. */
  public String algNone(JsonObject claims) {
    return segment(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + segment(claims)
        + ".";
  }

  /** A valid HS256 token of {@code claims} whose payload was swapped for an admin one. */
  public String tampered(JsonObject claims) {
    String[] parts = hs256(claims).split("\\.");
    JsonObject forged = claims.copy().put("sub", "someone-else").put("role", "admin");
    return parts[0] + "." + segment(forged) + "." + parts[2];
  }

  /** HS256 keyed with the RSA public key's PEM text (the classic RS256/HS256 confusion). */
  public String algConfusion(JsonObject claims) {
    return hmac(rsaPublicPem().getBytes(StandardCharsets.UTF_8), claims);
  }

  /** HS256 with a secret the node does not know. */
  public String badSignature(JsonObject claims) {
    return sign(otherSecret, "HS256", claims);
  }

  private static String hmac(byte[] key, JsonObject claims) {
    String input =
        segment(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + segment(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return input + "."
          + B64URL.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String segment(JsonObject json) {
    return B64URL.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * One row per kind of token a node with {@link #nodeConfig()} must refuse: a name and how to
   * make the token for user {@code sub}.
   */
  public static Stream<Arguments> hostile() {
    return badKinds().stream().map(k -> Arguments.of(k.name(), k.make()));
  }

  /** A refused kind of token: {@code make.apply(tokens).apply(sub)} builds one for {@code sub}. */
  public record BadKind(String name, Function<TestTokens, Function<String, String>> make) {}

  public static List<BadKind> badKinds() {
    long now = nowSec();
    return List.of(
        new BadKind("alg none", t -> sub -> t.algNone(claims(sub))),
        new BadKind("tampered payload", t -> sub -> t.tampered(claims(sub))),
        new BadKind(
            "alg confusion (HS256 keyed with the RSA public key)",
            t -> sub -> t.algConfusion(claims(sub))),
        new BadKind("bad signature", t -> sub -> t.badSignature(claims(sub))),
        new BadKind(
            "expired",
            t -> sub -> t.hs256(
                claims(sub).put("iat", now - 2 * LONG_AGO_SEC).put("exp", now - LONG_AGO_SEC))),
        new BadKind(
            "nbf in the future", t -> sub -> t.hs256(claims(sub).put("nbf", now + LONG_AGO_SEC))),
        new BadKind("wrong iss", t -> sub -> t.hs256(claims(sub).put("iss", "someone-else"))),
        new BadKind("no iss", t -> sub -> t.hs256(removed(claims(sub), "iss"))),
        new BadKind("wrong aud", t -> sub -> t.hs256(claims(sub).put("aud", "other-service"))),
        new BadKind("no aud", t -> sub -> t.hs256(removed(claims(sub), "aud"))),
        new BadKind("no sub", t -> sub -> t.hs256(removed(claims(sub), "sub"))),
        new BadKind("empty sub", t -> sub -> t.hs256(claims("").put("sub", ""))),
        new BadKind("numeric sub", t -> sub -> t.hs256(claims(sub).put("sub", 42))),
        new BadKind("not a JWT", t -> sub -> "not-a-jwt"),
        new BadKind(
            "RS256 signed with a key the node does not have",
            t -> sub -> t.rs256ForeignKey(claims(sub))));
  }

  private static JsonObject removed(JsonObject json, String key) {
    json.remove(key);
    return json;
  }

  /** RS256 signed with a freshly generated key pair the node was never told about. */
  public String rs256ForeignKey(JsonObject claims) {
    KeyPair foreign = Keys.generate("RSA", null);
    JWTAuth signer = JWTAuth.create(
        vertx,
        new JWTAuthOptions()
            .addPubSecKey(new PubSecKeyOptions()
                .setAlgorithm("RS256")
                .setBuffer(pem("PRIVATE KEY", foreign.getPrivate().getEncoded()))));
    return sign(signer, "RS256", claims);
  }
}
