package io.switchboard.cluster;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.X509TrustManager;

/**
 * What a member shows to join the cluster when {@code cluster.tls} is set: its certificate and a
 * signature, made with the certificate's key, of {@code switchboard-join:<cluster name>}, as two
 * Hazelcast member attributes. Hazelcast's open-source edition has no authentication or TLS of
 * its own (both are Enterprise features), so this is how a member without a certificate the CA
 * signed is kept out of the membership; the event bus itself is protected by mutual TLS.
 *
 * <p>What it does not do: Hazelcast's own traffic stays plain TCP, so someone who can read the
 * member network can copy a member's attributes. Keep {@code cluster.port} on a private network.
 *
 * <p>A service written without Switchboard's classes makes the two values with openssl:
 * {@code openssl x509 -in member.crt -outform DER | base64 -w0} and
 * {@code printf 'switchboard-join:%s' NAME | openssl dgst -sha256 -sign member.key | base64 -w0}.
 */
public final class MemberProof {
  public static final String CERTIFICATE_ATTRIBUTE = "switchboard.certificate";
  public static final String SIGNATURE_ATTRIBUTE = "switchboard.signature";

  private MemberProof() {}

  /** The text a member signs to join the cluster {@code clusterName}. */
  public static byte[] statement(String clusterName) {
    return ("switchboard-join:" + clusterName).getBytes(StandardCharsets.UTF_8);
  }

  /** The two member attributes for {@code clusterName}, signed with {@code key}. */
  public static Map<String, String> attributes(
      String clusterName, PrivateKey key, X509Certificate certificate)
      throws GeneralSecurityException {
    Signature signature = Signature.getInstance(algorithm(key.getAlgorithm()));
    signature.initSign(key);
    signature.update(statement(clusterName));
    Base64.Encoder base64 = Base64.getEncoder();
    return Map.of(
        CERTIFICATE_ATTRIBUTE,
        base64.encodeToString(certificate.getEncoded()),
        SIGNATURE_ATTRIBUTE,
        base64.encodeToString(signature.sign()));
  }

  /**
   * Checks a joining member's attributes: a certificate {@code trust} accepts (signed by the CA,
   * in its validity period) and a signature of the statement by that certificate's key.
   *
   * @throws GeneralSecurityException saying what is wrong, when the member may not join
   */
  public static void verify(
      Map<String, String> attributes, String clusterName, X509TrustManager trust)
      throws GeneralSecurityException {
    String certificate = attributes.get(CERTIFICATE_ATTRIBUTE);
    String signed = attributes.get(SIGNATURE_ATTRIBUTE);
    if (certificate == null || signed == null) {
      throw new GeneralSecurityException("no " + CERTIFICATE_ATTRIBUTE + " and "
          + SIGNATURE_ATTRIBUTE + " member attributes (cluster.tls is set on this member)");
    }
    X509Certificate cert;
    byte[] signatureBytes;
    try {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(certificate)));
      signatureBytes = Base64.getDecoder().decode(signed);
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("member attributes are not base64: " + e.getMessage());
    }
    PublicKey key = cert.getPublicKey();
    trust.checkClientTrusted(new X509Certificate[] {cert}, key.getAlgorithm());
    Signature signature = Signature.getInstance(algorithm(key.getAlgorithm()));
    signature.initVerify(key);
    signature.update(statement(clusterName));
    if (!signature.verify(signatureBytes)) {
      throw new GeneralSecurityException("the signature does not match the certificate "
          + cert.getSubjectX500Principal() + " for cluster " + clusterName);
    }
  }

  /** SHA-256 signatures as {@code openssl dgst -sha256 -sign} makes them for RSA and EC keys. */
  private static String algorithm(String keyAlgorithm) throws GeneralSecurityException {
    switch (keyAlgorithm) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
        return "SHA256withECDSA";
      default:
        throw new GeneralSecurityException(
            "unsupported key algorithm " + keyAlgorithm + " (RSA or EC)");
    }
  }
}
