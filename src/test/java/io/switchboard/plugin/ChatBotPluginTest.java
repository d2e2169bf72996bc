package io.switchboard.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/chat-bot}, built by Maven as a user builds it, deployed by a node (Main, its own
 * JVM) from {@code plugins/} beside the config file: it answers {@code /help} in a chat channel.
 */
class ChatBotPluginTest {
  private static final Path EXAMPLE = Path.of("examples/chat-bot");

  @TempDir
  static Path dir;

  private static NodeProcess node;
  private static Vertx vertx;

  @BeforeAll
  static void buildAndDeploy() throws Exception {
    Path jar = build();
    Files.createDirectories(dir.resolve("plugins"));
    Files.copy(jar, dir.resolve("plugins/chat-bot.jar"));
    JsonObject config = new JsonObject()
        .put(
            "namespaces",
            new JsonObject()
                .put(
                    "chat",
                    new JsonObject()
                        .put(
                            "schema",
                            new JsonObject(Files.readString(Path.of("conf/schemas/chat.json"))))
                        .put("bus", new JsonObject().put("messages", true))))
        .put(
            "verticles",
            new JsonArray()
                .add(new JsonObject()
                    .put("class", "com.acme.ChatBot")
                    .put("instances", 1)
                    .put("config", new JsonObject().put("namespace", "chat"))));
    node = NodeProcess.start(dir, config, List.of(), Map.of());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  /**
   * {@code mvn package} in the example: offline first (a machine that built Switchboard has every
   * plugin and vertx-core), online if the local repository lacks something.
   */
  private static Path build() throws IOException, InterruptedException {
    for (boolean offline : new boolean[] {true, false}) {
      List<String> command = new ArrayList<>(
          List.of("mvn", "-q", "-B", "-f", EXAMPLE.resolve("pom.xml").toString(), "package"));
      if (offline) {
        command.add("-o");
      }
      Process mvn = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!mvn.waitFor(180, TimeUnit.SECONDS)) {
        mvn.destroyForcibly();
        throw new AssertionError("mvn package of the example took over 3 minutes");
      }
      if (mvn.exitValue() == 0) {
        return EXAMPLE.resolve("target/chat-bot.jar");
      }
      if (!offline) {
        throw new AssertionError("the example does not build:\n" + output);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  @Test
  void theExamplePluginAnswersHelpInAChatChannel() {
    WsClient ws = WsClient.welcomed(vertx, node.port());
    ws.subscribe("chat:lobby");
    ws.publish("chat:lobby", new JsonObject().put("text", "hello"));
    ws.publish("chat:lobby", new JsonObject().put("text", "/help"));
    JsonObject hello = ws.nextMessage("chat:lobby");
    assertEquals("hello", hello.getJsonObject("data").getString("text"));
    JsonObject help = ws.nextMessage("chat:lobby");
    assertEquals("/help", help.getJsonObject("data").getString("text"));
    JsonObject answer = ws.nextMessage("chat:lobby");
    assertEquals("bot", answer.getJsonObject("data").getString("name"), answer.encode());
    assertTrue(answer.getJsonObject("data").getString("text").startsWith("Commands: /help"));
    assertNull(answer.getString("publisher"), "the bot publishes as the server");
    ws.expectNo("message");
    assertTrue(node.output().contains("verticle deployed"), node.output());
    ws.close();
  }
}
