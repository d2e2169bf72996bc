package io.switchboard.transport.http;

import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * The API descriptions, built from the resources {@link #OPENAPI} and {@link #ASYNCAPI}. Their
 * {@code components.schemas} name the protocol's JSON Schemas by file, as
 * {@code {"$ref": "../protocol/client-frame.schema.json"}}, and elsewhere point into those schemas
 * by their {@code $id} ({@code https://switchboard.invalid/schemas/client-frame.json#/$defs/auth}).
 * {@link #load} replaces each such entry with the file's content, the very schema
 * {@link ProtocolSchema} validates with, so what the documents say and what the server enforces
 * cannot drift apart, and makes the result self-contained: every {@code $ref} becomes a pointer
 * into the document itself ({@code #/components/schemas/ClientFrame/$defs/auth}), the form every
 * OpenAPI and AsyncAPI tool resolves, and the inlined schemas lose their {@code $id}, under which
 * a JSON Schema 2020-12 resolver would otherwise resolve those pointers.
 */
public final class ApiDocuments {
  public static final String OPENAPI = "api/openapi.json";
  public static final String ASYNCAPI = "api/asyncapi.json";
  private static final String SCHEMAS = "#/components/schemas/";

  private ApiDocuments() {}

  /** The document as served. Reads the classpath; a reference it cannot make local fails. */
  public static JsonObject load(String resource) {
    return selfContained(ProtocolSchema.resource(resource), resource);
  }

  /**
   * {@code document} with its schema files inlined and every {@code $ref} made local.
   *
   * @param resource where the document lives on the classpath: its file references resolve there
   * @throws IllegalStateException naming the first {@code $ref} that stays outside the document
   */
  static JsonObject selfContained(JsonObject document, String resource) {
    JsonObject schemas = document
        .getJsonObject("components", new JsonObject())
        .getJsonObject("schemas", new JsonObject());
    URI base = URI.create(resource);
    // the $id of each inlined schema -> where it now is in the document; all known before any
    // reference is rewritten, so one schema file may point into another
    Map<String, String> inlined = new HashMap<>();
    Map<String, URI> scopes = new HashMap<>();
    for (String name : new ArrayList<>(schemas.fieldNames())) {
      String file = fileReference(schemas.getValue(name));
      if (file != null) {
        JsonObject schema =
            ProtocolSchema.resource(base.resolve(file).normalize().toString());
        String id = (String) schema.remove("$id");
        if (id == null) {
          throw new IllegalStateException(file + " has no $id, so nothing can point into it");
        }
        inlined.put(id, SCHEMAS + name);
        scopes.put(name, URI.create(id));
        schemas.put(name, schema);
      }
    }
    scopes.forEach((name, id) ->
        rewrite(schemas.getJsonObject(name), "/components/schemas/" + name, id, inlined));
    // the rest of the document; the inlined schemas, visited again, hold only #/ pointers by now
    rewrite(document, "", null, inlined);
    return document;
  }

  /**
   * Rewrites the {@code $ref}s under {@code value} into local pointers.
   *
   * @param scope the base URI references resolve against: the {@code $id} of the inlined schema
   *     they are in, null outside one (where {@code #/...} already means this document)
   */
  private static void rewrite(
      Object value, String pointer, URI scope, Map<String, String> inlined) {
    if (value instanceof JsonObject json) {
      for (String key : json.fieldNames()) {
        Object child = json.getValue(key);
        if (key.equals("$ref") && child instanceof String ref) {
          json.put(key, local(ref, pointer, scope, inlined));
        } else {
          rewrite(child, pointer + "/" + key.replace("~", "~0").replace("/", "~1"), scope, inlined);
        }
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        rewrite(array.getValue(i), pointer + "/" + i, scope, inlined);
      }
    }
  }

  private static String local(String ref, String pointer, URI scope, Map<String, String> inlined) {
    if (scope == null && ref.startsWith("#")) {
      return ref; // already a pointer into the document
    }
    String absolute = scope == null ? ref : scope.resolve(ref).toString();
    int hash = absolute.indexOf('#');
    String address = hash < 0 ? absolute : absolute.substring(0, hash);
    String fragment = hash < 0 ? "" : absolute.substring(hash + 1);
    String target = inlined.get(address);
    if (target == null || !(fragment.isEmpty() || fragment.startsWith("/"))) {
      throw new IllegalStateException(pointer + "/$ref " + ref + " points outside the document:"
          + " only #/... pointers and the $id of an inlined schema file can be served");
    }
    return target + fragment;
  }

  /** The relative file an entry that is only {@code {"$ref": "file"}} names, else null. */
  private static String fileReference(Object entry) {
    if (entry instanceof JsonObject json
        && json.size() == 1
        && json.getValue("$ref") instanceof String ref
        && !ref.contains("#")
        && !ref.contains(":")) {
      return ref;
    }
    return null;
  }
}
