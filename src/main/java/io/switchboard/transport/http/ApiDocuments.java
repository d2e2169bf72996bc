package io.switchboard.transport.http;

import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;

/**
 * The API descriptions, built from the resources {@link #OPENAPI} and {@link #ASYNCAPI}. Their
 * {@code components.schemas} name the protocol's JSON Schemas by file, as
 * {@code {"$ref": "../protocol/client-frame.schema.json"}}; {@link #load} replaces each such entry
 * with the file's content, the very schema {@link ProtocolSchema} validates with, so what the
 * documents say and what the server enforces cannot drift apart. Elsewhere the documents point
 * into those schemas by their {@code $id}, which holds once they are inlined.
 */
public final class ApiDocuments {
  public static final String OPENAPI = "api/openapi.json";
  public static final String ASYNCAPI = "api/asyncapi.json";

  private ApiDocuments() {}

  /** The document as served: the resource with its schema files inlined. Reads the classpath. */
  public static JsonObject load(String resource) {
    JsonObject document = ProtocolSchema.resource(resource);
    JsonObject components = document.getJsonObject("components");
    JsonObject schemas = components == null ? null : components.getJsonObject("schemas");
    if (schemas == null) {
      return document;
    }
    URI base = URI.create(resource);
    for (String name : new ArrayList<>(schemas.fieldNames())) {
      String file = fileReference(schemas.getValue(name));
      if (file != null) {
        schemas.put(name, ProtocolSchema.resource(base.resolve(file).normalize().toString()));
      }
    }
    return document;
  }

  /** The relative file an entry that is only {@code {"$ref": "file"}} names, else null. */
  private static String fileReference(Object entry) {
    if (entry instanceof JsonObject json && json.size() == 1
        && json.getValue("$ref") instanceof String ref && !ref.contains("#") && !ref.contains(":")) {
      return ref;
    }
    return null;
  }
}
