package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How {@link ApiDocuments} makes a document self-contained: references by a schema's
 * {@code $id} become pointers into the document, and a reference it cannot make local stops the
 * build of the document (so the node does not start) instead of being served.
 */
class ApiDocumentsTest {
  private static final String CLIENT_FRAME_ID =
      "https://switchboard.invalid/schemas/client-frame.json";

  /** A document inlining client-frame.schema.json, with {@code ref} at /paths/~1x/schema. */
  private static JsonObject documentWith(String ref) {
    return new JsonObject()
        .put(
            "components",
            new JsonObject()
                .put(
                    "schemas",
                    new JsonObject()
                        .put(
                            "ClientFrame",
                            new JsonObject().put("$ref", "../protocol/client-frame.schema.json"))))
        .put(
            "paths",
            new JsonObject()
                .put("/x", new JsonObject().put("schema", new JsonObject().put("$ref", ref))));
  }

  @Test
  void referencesIntoAnInlinedSchemaBecomePointersIntoTheDocument() {
    JsonObject served = ApiDocuments.selfContained(
        documentWith(CLIENT_FRAME_ID + "#/$defs/subscribe"), ApiDocuments.OPENAPI);
    assertEquals(
        "#/components/schemas/ClientFrame/$defs/subscribe",
        served
            .getJsonObject("paths")
            .getJsonObject("/x")
            .getJsonObject("schema")
            .getString("$ref"));
    JsonObject clientFrame =
        served.getJsonObject("components").getJsonObject("schemas").getJsonObject("ClientFrame");
    assertFalse(clientFrame.containsKey("$id"), "the inlined schema keeps no $id");
    assertEquals(
        "#/components/schemas/ClientFrame/$defs/channel",
        clientFrame
            .getJsonObject("$defs")
            .getJsonObject("subscribe")
            .getJsonObject("properties")
            .getJsonObject("channel")
            .getString("$ref"),
        "its own pointers follow it");
    assertEquals(
        "#/components/schemas/ClientFrame",
        ApiDocuments.selfContained(documentWith(CLIENT_FRAME_ID), ApiDocuments.OPENAPI)
            .getJsonObject("paths")
            .getJsonObject("/x")
            .getJsonObject("schema")
            .getString("$ref"),
        "the whole schema");
  }

  static Stream<Arguments> referencesThatLeaveTheDocument() {
    return Stream.of(
        arguments(
            "a schema id that is not inlined",
            "https://switchboard.invalid/schemas/publish-request.json#/properties/channel"),
        arguments("another site", "https://example.com/schemas/frame.json"),
        arguments("a file", "../protocol/client-frame.schema.json#/$defs/auth"),
        arguments("an anchor instead of a pointer", CLIENT_FRAME_ID + "#auth"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("referencesThatLeaveTheDocument")
  void aReferenceThatLeavesTheDocumentStopsItsBuild(String name, String ref) {
    IllegalStateException refused = assertThrows(
        IllegalStateException.class,
        () -> ApiDocuments.selfContained(documentWith(ref), ApiDocuments.OPENAPI));
    assertTrue(
        refused.getMessage().startsWith("/paths/~1x/schema/$ref " + ref + " points outside"),
        refused.getMessage());
  }
}
