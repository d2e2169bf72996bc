package io.switchboard.validation;

import io.switchboard.protocol.FieldError;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas of the protocol itself, shipped as resources under {@code protocol/}: one
 * validator per client frame type, and one for HTTP/event-bus publish requests. Validators are
 * immutable after construction and safe to share across event loops.
 */
public final class ProtocolSchema {
  static final String CLIENT_FRAME = "protocol/client-frame.schema.json";
  static final String PUBLISH_REQUEST = "protocol/publish-request.schema.json";

  private final Map<String, Validator> frameValidators = new HashMap<>();
  private final Validator publishRequest;

  private ProtocolSchema(JsonObject clientFrame, JsonObject publishRequestSchema) {
    JsonSchemaOptions options = options(clientFrame.getString("$id"));
    SchemaRepository repository = SchemaRepository.create(options);
    repository.dereference(JsonSchema.of(clientFrame));
    JsonObject defs = clientFrame.getJsonObject("$defs");
    for (String type : defs.fieldNames()) {
      if (defs.getJsonObject(type).containsKey("required")) {
        JsonSchema ref = JsonSchema.of(
            new JsonObject().put("$ref", clientFrame.getString("$id") + "#/$defs/" + type));
        frameValidators.put(type, repository.validator(ref, options));
      }
    }
    publishRequest = Validator.create(
        JsonSchema.of(publishRequestSchema), options(publishRequestSchema.getString("$id")));
  }

  public static ProtocolSchema load() {
    return new ProtocolSchema(resource(CLIENT_FRAME), resource(PUBLISH_REQUEST));
  }

  public boolean knowsClientType(String type) {
    return frameValidators.containsKey(type);
  }

  public List<FieldError> validateClientFrame(String type, JsonObject frame) {
    if (WellFormedFrames.plainlyValid(type, frame)) {
      return List.of();
    }
    return schemaErrors(type, frame);
  }

  /** What the validator alone says, for tests that hold the shortcut to it. */
  List<FieldError> schemaErrors(String type, JsonObject frame) {
    return SchemaErrors.of(frameValidators.get(type).validate(frame), "");
  }

  public List<FieldError> validatePublishRequest(Object body) {
    return SchemaErrors.of(publishRequest.validate(body), "");
  }

  static JsonSchemaOptions options(String baseUri) {
    return new JsonSchemaOptions()
        .setDraft(Draft.DRAFT202012)
        .setBaseUri(baseUri)
        .setOutputFormat(OutputFormat.Basic);
  }

  /** Reads a schema shipped in the jar; a missing one is a packaging bug, not a runtime condition. */
  public static JsonObject resource(String path) {
    try (InputStream in = ProtocolSchema.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("resource missing from the jar: " + path);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
