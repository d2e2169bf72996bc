package io.switchboard.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made with openssl, and the members' keys and certificates it signs
 * (EC P-256, with 127.0.0.1 as subject alternative name), for {@code cluster.tls}. Each instance
 * is a CA of its own: an intruder's CA signs certificates the cluster does not trust. Blocking.
 */
public final class ClusterCerts {
  private final Path dir;
  private final String name;

  private ClusterCerts(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /** A new CA in {@code dir}, its files named after {@code name}. */
  public static ClusterCerts create(Path dir, String name) {
    ClusterCerts ca = new ClusterCerts(dir, name);
    ca.openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        name + "-ca.key",
        "-out",
        name + "-ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=" + name + "-ca");
    return ca;
  }

  /** A member's key and certificate, signed by this CA. */
  public Member member(String member) {
    String base = name + "-" + member;
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        base + ".key",
        "-out",
        base + ".csr",
        "-subj",
        "/CN=" + member,
        "-addext",
        "subjectAltName=IP:127.0.0.1");
    openssl(
        "x509",
        "-req",
        "-in",
        base + ".csr",
        "-CA",
        name + "-ca.crt",
        "-CAkey",
        name + "-ca.key",
        "-CAcreateserial",
        "-copy_extensions",
        "copy",
        "-days",
        "2",
        "-out",
        base + ".crt");
    return new Member(
        dir.resolve(base + ".key"), dir.resolve(base + ".crt"), dir.resolve(name + "-ca.crt"));
  }

  /** A member's files; {@code ca} is the CA it trusts (its own CA's certificate). */
  public record Member(Path key, Path cert, Path ca) {
    /** The {@code cluster.tls} section (and the service's). */
    public JsonObject tls() {
      return new JsonObject()
          .put("keyFile", key.toString())
          .put("certFile", cert.toString())
          .put("caFile", ca.toString());
    }

    /** The join attributes, made with openssl as the README shows users. */
    public Map<String, String> joinAttributes(String clusterName) {
      String certificate = shell("openssl x509 -in '" + cert + "' -outform DER | base64 -w0");
      String signature = shell("printf 'switchboard-join:%s' '" + clusterName
          + "' | openssl dgst -sha256 -sign '" + key + "' | base64 -w0");
      return Map.of("switchboard.certificate", certificate, "switchboard.signature", signature);
    }

    /** The same member trusting another CA (to check what the CA decides). */
    public Member trusting(Path otherCa) {
      return new Member(key, cert, otherCa);
    }
  }

  private void openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    run(command, dir);
  }

  private static String shell(String script) {
    return run(List.of("bash", "-c", "set -euo pipefail; " + script), null);
  }

  private static String run(List<String> command, Path dir) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (dir != null) {
        builder.directory(dir.toFile());
      }
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError(command + " failed:\n" + output);
      }
      return output.strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
