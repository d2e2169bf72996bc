package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.testing.ApiDocument;
import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every example of {@code /openapi.json} and {@code /asyncapi.json}, as a node serves them, matches
 * its schema (validated with vertx-json-schema, as the server validates), error examples carry the
 * status of their code, and the SSE stream example holds only documented events.
 */
@ExtendWith(VertxExtension.class)
class ApiDocsExamplesTest {
  private TestNode node;
  private ApiDocument openapi;
  private ApiDocument asyncapi;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
    openapi = ApiDocument.fetch(vertx, node.port(), ApiDocsRoutes.OPENAPI_PATH).document();
    asyncapi =
        ApiDocument.fetch(vertx, node.port(), ApiDocsRoutes.ASYNCAPI_PATH).document();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void everyOpenApiExampleMatchesItsSchema() {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Example example : openApiExamples()) {
      checked++;
      List<String> errors = openapi.validate(example.schema(), example.value());
      if (!errors.isEmpty()) {
        failures.add(example.where() + ": " + errors);
      }
    }
    assertTrue(checked >= 40, "examples checked: " + checked);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void everyAsyncApiExampleMatchesItsMessage() {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    JsonObject messages = asyncapi.components("messages");
    for (String name : messages.fieldNames()) {
      JsonObject message = messages.getJsonObject(name);
      for (Object item : message.getJsonArray("examples")) {
        JsonObject example = (JsonObject) item;
        for (String part : List.of("payload", "headers")) {
          if (example.containsKey(part)) {
            checked++;
            assertTrue(
                message.containsKey(part), name + " has an example " + part + " but no schema");
            List<String> errors = asyncapi.validate(message.getValue(part), example.getValue(part));
            if (!errors.isEmpty()) {
              failures.add(name + "/" + example.getString("name") + " " + part + ": " + errors);
            }
          }
        }
      }
    }
    assertTrue(checked >= 40, "examples checked: " + checked);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void errorExamplesHaveTheHttpStatusOfTheirCode() {
    int checked = 0;
    for (Map.Entry<String, JsonObject> op : openapi.operations().entrySet()) {
      JsonObject responses = op.getValue().getJsonObject("responses");
      for (String status : responses.fieldNames()) {
        JsonObject response = (JsonObject) openapi.dereference(responses.getValue(status));
        JsonObject json =
            response.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
        if (json == null
            || !"#/components/schemas/Error"
                .equals(json.getJsonObject("schema").getString("$ref"))) {
          continue;
        }
        for (Object value : openapi.exampleValues(json)) {
          String code = ((JsonObject) value).getString("code");
          ErrorCode error = Arrays.stream(ErrorCode.values())
              .filter(c -> c.wireName().equals(code))
              .findFirst()
              .orElseThrow();
          assertEquals(
              error.httpStatus(),
              Integer.parseInt(status),
              op.getKey() + " " + status + " example with code " + code);
          checked++;
        }
      }
    }
    assertTrue(checked >= 30, "error examples checked: " + checked);
  }

  @Test
  void theSseExampleHoldsTheDocumentedEvents() {
    String stream = openapi
        .root()
        .getJsonObject("paths")
        .getJsonObject("/sse")
        .getJsonObject("get")
        .getJsonObject("responses")
        .getJsonObject("200")
        .getJsonObject("content")
        .getJsonObject("text/event-stream")
        .getString("example");
    Set<String> seen = new TreeSet<>();
    for (String block : stream.split("\n\n")) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String line : block.split("\n")) {
        int colon = line.indexOf(':');
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
      if (fields.containsKey("")) {
        assertEquals("ping", fields.get(""), "the only comment is the heartbeat");
        seen.add(": ping");
      } else if (fields.containsKey("retry")) {
        assertEquals("3000", fields.get("retry"));
        seen.add("retry");
      } else {
        seen.add(asyncapi.checkSseEvent(fields.get("id"), fields.get("event"), fields.get("data")));
      }
    }
    assertEquals(Set.of("retry", ": ping", "sseResumePoint", "sseMessage", "sseJoin"), seen);
  }

  /** An example value, the schema it must match, and where it is (for failure messages). */
  private record Example(String where, Object schema, Object value) {}

  /**
   * Every example of the document: of media types (request bodies, responses) and of parameters,
   * wherever they are (paths or components), each with its sibling schema.
   */
  private List<Example> openApiExamples() {
    List<Example> found = new ArrayList<>();
    collectExamples(openapi.root(), "", found);
    return found;
  }

  private void collectExamples(Object node, String pointer, List<Example> found) {
    if (node instanceof JsonObject json) {
      if (json.getValue("schema") instanceof JsonObject schema
          && (json.containsKey("example") || json.containsKey("examples"))) {
        for (Object value : openapi.exampleValues(json)) {
          found.add(new Example(pointer, schema, value));
        }
      }
      for (String key : json.fieldNames()) {
        if (!key.equals("example") && !key.equals("examples") && !key.equals("schema")) {
          collectExamples(json.getValue(key), pointer + "/" + ApiDocument.escape(key), found);
        }
      }
    } else if (node instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        collectExamples(array.getValue(i), pointer + "/" + i, found);
      }
    }
  }
}
