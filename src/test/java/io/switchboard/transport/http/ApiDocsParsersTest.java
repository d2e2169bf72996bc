package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.switchboard.testing.NodeJs;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /asyncapi.json} and {@code /openapi.json}, as a node serves them over HTTP, read by each
 * ecosystem's own parser, which must report no error: the AsyncAPI project's
 * {@code @asyncapi/parser} (its specification's JSON Schema, its Spectral rules, every
 * {@code $ref} resolved), run in Node.js by {@code src/test/node/asyncapi-check/check.mjs}, and
 * swagger-parser, the parser of the swagger-core tools, for OpenAPI 3.1. Each parser is also shown
 * to refuse a broken copy (a reference it cannot follow), so a pass is not vacuous.
 */
@ExtendWith(VertxExtension.class)
class ApiDocsParsersTest {
  /** The Node.js project that runs {@code @asyncapi/parser}, pinned by its package-lock.json. */
  private static final Path ASYNCAPI_CHECK = Path.of("src/test/node/asyncapi-check");

  private static final long CHECK_TIMEOUT_SECONDS = 60;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private String served(String path) {
    Reply reply = node.get(path);
    assertEquals(200, reply.status(), path);
    return reply.body();
  }

  @Test
  void asyncApiParserReportsNoError(@TempDir Path dir) throws IOException {
    String document = served(ApiDocsRoutes.ASYNCAPI_PATH);
    // not vacuous: the parser refuses a reference to a schema file it cannot read
    JsonObject broken = new JsonObject(document);
    String fileRef = "../protocol/client-frame.schema.json#/$defs/auth";
    broken
        .getJsonObject("components")
        .getJsonObject("messages")
        .getJsonObject("auth")
        .put("payload", new JsonObject().put("$ref", fileRef));
    Path served = write(dir, "served.json", document);
    Path refused = write(dir, "broken.json", broken.encode());

    String output = asyncApiCheck(served, refused);
    assertTrue(
        output.contains(served + ": parsed, 0 error(s)"),
        "@asyncapi/parser refused /asyncapi.json:\n" + output);
    assertTrue(
        output.contains(refused + " error invalid-ref /components/messages/auth/payload")
            && output.contains(refused + ": no document"),
        output);
  }

  @Test
  void swaggerParserReportsNothing() {
    SwaggerParseResult result = parseOpenApi(served(ApiDocsRoutes.OPENAPI_PATH));
    assertNotNull(result.getOpenAPI(), "no document: " + result.getMessages());
    assertTrue(result.isOpenapi31(), "read as OpenAPI 3.1");
    assertEquals(List.of(), result.getMessages(), "swagger-parser's messages on /openapi.json");

    // not vacuous: a schema's own "#/$defs/..." pointer, left as in its file, is reported
    JsonObject broken = new JsonObject(served(ApiDocsRoutes.OPENAPI_PATH));
    broken
        .getJsonObject("components")
        .getJsonObject("schemas")
        .getJsonObject("PublishReply")
        .getJsonObject("properties")
        .put("offset", new JsonObject().put("$ref", "#/$defs/offset"));
    List<String> messages = parseOpenApi(broken.encode()).getMessages();
    assertTrue(messages.stream().anyMatch(m -> m.contains("/$defs/offset")), messages.toString());
  }

  private static SwaggerParseResult parseOpenApi(String document) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);
    return new OpenAPIV3Parser().readContents(document, null, options);
  }

  private static Path write(Path dir, String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8).toAbsolutePath();
  }

  /**
   * What {@code node check.mjs FILE...} printed: per file, its diagnostics and a summary line. One
   * run for several files, as loading the parser costs more than parsing.
   */
  private static String asyncApiCheck(Path... files) throws IOException {
    NodeJs.requirePackage(ASYNCAPI_CHECK, "@asyncapi/parser");
    List<String> command = new ArrayList<>(List.of("node", "check.mjs"));
    for (Path file : files) {
      command.add(file.toString());
    }
    // output to a file, so that a node that hangs cannot hang the test past the timeout
    Path output = Files.createTempFile(files[0].getParent(), "check-", ".txt");
    Process process;
    try {
      process = new ProcessBuilder(command)
          .directory(ASYNCAPI_CHECK.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run node (" + e.getMessage() + "): install Node.js"
              + " (Debian: apt-get install -y nodejs npm), or run scripts/test, which does",
          e);
    }
    try {
      boolean exited = process.waitFor(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      String printed = Files.readString(output, StandardCharsets.UTF_8);
      if (!exited) {
        throw new AssertionError(
            "node check.mjs still running after " + CHECK_TIMEOUT_SECONDS + " s:\n" + printed);
      }
      return printed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } finally {
      process.destroyForcibly();
    }
  }
}
