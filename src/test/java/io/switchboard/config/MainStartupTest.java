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

  private Run runMain(Path config) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(NodeProcess.mainCommand(List.of(), config))
        .redirectError(dir.resolve("stderr.txt").toFile())
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .start();
    if (!process.waitFor(EXIT_DEADLINE_S, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("Main did not exit within " + EXIT_DEADLINE_S + " s");
    }
    return new Run(process.exitValue(),
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
  void badConfigExitsWithTwoAndOneClearMessage(String name, String content,
      List<String> mentions) throws Exception {
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
    assertFalse(stderr.contains("\tat ") || stderr.contains("Exception"),
        "no stack trace: " + stderr);
    assertTrue(stderr.lines().count() <= 3, "one short message: " + stderr);
  }
}
