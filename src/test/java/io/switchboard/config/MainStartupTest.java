package io.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.NodeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code io.switchboard.Main -conf FILE} as a real process: a bad config is one clear message. */
class MainStartupTest {
  private static final long EXIT_DEADLINE_S = 30;

  @TempDir
  Path dir;

  private record Run(int exitCode, String stderr, String stdout) {}

  private Run runMain(Path config, String... args) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(NodeProcess.mainCommand(List.of(), config, args))
        .redirectError(dir.resolve("stderr.txt").toFile())
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .start();
    if (!process.waitFor(EXIT_DEADLINE_S, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("Main did not exit within " + EXIT_DEADLINE_S + " s");
    }
    return new Run(
        process.exitValue(),
        Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8));
  }

  static Stream<Arguments> badConfigFiles() {
    return Stream.of(
        Arguments.of("unknown key", "{\"http\": {\"prot\": 8080}}", List.of("http.prot")),
        Arguments.of("bad port", "{\"http\": {\"port\": 70000}}", List.of("http.port", "70000")),
        Arguments.of("not JSON", "{\"http\": {", List.of("bad.json")),
        Arguments.of("missing file", null, List.of("bad.json")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigFiles")
  void badConfigExitsWithTwoAndOneClearMessage(String name, String content, List<String> mentions)
      throws Exception {
    Path config = dir.resolve("bad.json");
    if (content != null) {
      Files.writeString(config, content);
    }
    Run run = runMain(config);
    assertEquals(2, run.exitCode(), "exit code; stderr: " + run.stderr());
    String stderr = run.stderr().strip();
    assertFalse(stderr.isEmpty(), "stderr says what is wrong");
    for (String mention : mentions) {
      assertTrue(stderr.contains(mention), "stderr names " + mention + ": " + stderr);
    }
    assertFalse(
        stderr.contains("\tat ") || stderr.contains("Exception"), "no stack trace: " + stderr);
    assertTrue(stderr.lines().count() <= 3, "one short message: " + stderr);
  }

  static Stream<Arguments> refusedStarts() {
    String notPem = "{\"broker\": {\"type\": \"redis\"}, \"cluster\": {\"enabled\": true,"
        + " \"tls\": {\"keyFile\": \"junk.pem\", \"certFile\": \"junk.pem\","
        + " \"caFile\": \"junk.pem\"}}}";
    return Stream.of(
        Arguments.of(
            "cluster.enabled with the memory broker",
            "{\"cluster\": {\"enabled\": true}}",
            List.of(),
            2,
            List.of("cluster.enabled", "broker.type")),
        Arguments.of(
            "-cluster with the memory broker",
            "{}",
            List.of("-cluster"),
            2,
            List.of("cluster.enabled", "broker.type")),
        Arguments.of(
            "cluster TLS files that are not PEM",
            notPem,
            List.of(),
            2,
            List.of("cluster.tls", "junk.pem")),
        Arguments.of(
            "verticle class not found",
            "{\"http\": {\"port\": 0}, \"verticles\": [{\"class\": \"com.acme.Missing\"}]}",
            List.of(),
            2,
            List.of("verticles[0].class", "com.acme.Missing", "plugins")),
        Arguments.of(
            "verticle class that is no verticle",
            "{\"http\": {\"port\": 0}, \"verticles\": [{\"class\": \"java.lang.String\"}]}",
            List.of(),
            2,
            List.of("verticles[0].class", "java.lang.String", "not a verticle")),
        Arguments.of(
            "verticle failing to start",
            "{\"http\": {\"port\": 0}, \"verticles\": [{\"class\": \""
                + "io.switchboard.plugin.FailingVerticle\", \"config\": {\"url\": \"db:5432\"}}]}",
            List.of(),
            1,
            List.of("FailingVerticle", "verticles[0]", "no database at db:5432")));
  }

  /** A start Main refuses after reading the config: one clear message, the right exit code. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedStarts")
  void refusedStartExitsWithOneClearMessage(
      String name, String content, List<String> args, int exitCode, List<String> mentions)
      throws Exception {
    Path config = dir.resolve("refused.json");
    Files.writeString(config, content);
    Files.writeString(dir.resolve("junk.pem"), "not a PEM file");
    Run run = runMain(config, args.toArray(String[]::new));
    assertEquals(exitCode, run.exitCode(), "exit code; stderr: " + run.stderr());
    String stderr = run.stderr().strip();
    for (String mention : mentions) {
      assertTrue(stderr.contains(mention), "stderr names " + mention + ": " + stderr);
    }
    assertFalse(
        stderr.contains("\tat ") || stderr.contains("Exception"), "no stack trace: " + stderr);
    assertTrue(stderr.lines().count() <= 3, "one short message: " + stderr);
  }
}
