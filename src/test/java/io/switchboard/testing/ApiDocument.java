package io.switchboard.testing;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An API description as a node serves it ({@code /openapi.json}, {@code /asyncapi.json}), for
 * tests: resolves its {@code $ref}s as JSON Schema 2020-12 does (an embedded schema with a
 * {@code $id} would be a resource of its own, against which its {@code #/...} references resolve:
 * so a served document whose inlined schemas kept their {@code $id} fails here, as it should), and
 * validates values against schemas found in it with vertx-json-schema, the validator the server
 * uses.
 */
public final class ApiDocument {
  /** One {@code $ref}: where it is (a JSON pointer), the base URI it resolves against, its value. */
  public record Reference(String pointer, String base, String ref) {}

  /** A served document: the parsed body and its Content-Type. */
  public record Served(int status, String contentType, ApiDocument document) {}

  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final JsonObject root;
  private final String base;
  private final Map<String, JsonObject> resources = new LinkedHashMap<>();
  private final JsonSchemaOptions options;
  private final SchemaRepository repository;
  private int probes;

  /** @param base the URI the document is known by: its own {@code #/...} references resolve here */
  public ApiDocument(JsonObject root, String base) {
    this.root = root;
    this.base = base;
    walk(root, "", base, (pointer, value) -> {});
    this.options = new JsonSchemaOptions()
        .setDraft(Draft.DRAFT202012)
        .setBaseUri(base)
        .setOutputFormat(OutputFormat.Basic);
    this.repository = SchemaRepository.create(options);
    // copies: vertx-json-schema annotates the objects it is given
    resources.values().forEach(schema -> repository.dereference(JsonSchema.of(schema.copy())));
    // the whole document, so that every "#/..." pointer into it resolves, however deep
    repository.dereference(base, JsonSchema.of(root.copy()));
  }

  /** GETs {@code path} from the node and parses the body; the caller checks status and type. */
  public static Served fetch(Vertx vertx, int port, String path) {
    HttpClient client = vertx.createHttpClient();
    Promise<Served> served = Promise.promise();
    // on a Vert.x context, as TestNode does: a response may otherwise arrive before body() is set
    vertx
        .getOrCreateContext()
        .runOnContext(v -> client
            .request(new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI(path))
            .compose(request -> request.send())
            .compose(response -> response
                .body()
                .map(body -> new Served(
                    response.statusCode(),
                    response.getHeader("Content-Type"),
                    new ApiDocument(
                        new JsonObject(body), "https://switchboard.invalid/api" + path))))
            .onComplete(served));
    try {
      return Await.result(served.future());
    } finally {
      client.close();
    }
  }

  public JsonObject root() {
    return root;
  }

  public String base() {
    return base;
  }

  /** {@code components.<kind>} of the document, empty if it has none. */
  public JsonObject components(String kind) {
    JsonObject components = root.getJsonObject("components", new JsonObject());
    return components.getJsonObject(kind, new JsonObject());
  }

  /** Every {@code $ref} of the document. */
  public List<Reference> references() {
    List<Reference> refs = new ArrayList<>();
    walk(root, "", base, (pointer, value) -> {
      if (value instanceof JsonObject json && json.getValue("$ref") instanceof String ref) {
        refs.add(new Reference(pointer, baseAt(pointer), ref));
      }
    });
    return refs;
  }

  /** What a reference of the document points to; fails naming it if it points nowhere. */
  public Object resolve(Reference reference) {
    return resolve(reference.ref(), reference.base());
  }

  /** What {@code ref}, resolved against the document's base, points to. */
  public Object resolve(String ref) {
    return resolve(ref, base);
  }

  /** A JSON value of the document by JSON pointer ("" is the root); null if there is none. */
  public Object at(String pointer) {
    return follow(root, pointer);
  }

  /** Follows {@code $ref}s (Reference Objects) until a value without one. */
  public Object dereference(Object value) {
    Object current = value;
    for (int hops = 0;
        current instanceof JsonObject json
            && json.getValue("$ref") instanceof String ref
            && !json.containsKey("type");
        hops++) {
      if (hops > 20) {
        throw new AssertionError("reference loop at " + ref);
      }
      current = resolve(ref);
    }
    return current;
  }

  /** "METHOD /path" of every operation of an OpenAPI document, in document order. */
  public Map<String, JsonObject> operations() {
    Map<String, JsonObject> operations = new LinkedHashMap<>();
    JsonObject paths = root.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (HTTP_METHODS.contains(method)) {
          operations.put(method.toUpperCase(Locale.ROOT) + " " + path, item.getJsonObject(method));
        }
      }
    }
    return operations;
  }

  /**
   * The {@code example} of an OpenAPI media type or parameter, and the values of its
   * {@code examples} (Example Objects or references to them).
   */
  public List<Object> exampleValues(JsonObject holder) {
    List<Object> values = new ArrayList<>();
    if (holder.containsKey("example")) {
      values.add(holder.getValue("example"));
    }
    JsonObject examples = holder.getJsonObject("examples", new JsonObject());
    for (String name : examples.fieldNames()) {
      if (!(dereference(examples.getValue(name)) instanceof JsonObject example)
          || !example.containsKey("value")) {
        throw new AssertionError("example " + name + " has no value");
      }
      values.add(example.getValue("value"));
    }
    return values;
  }

  /**
   * Checks one SSE event against the messages of the AsyncAPI {@code events} channel: the message
   * is chosen by the event name ({@code id:} alone when there is no data); the event's fields
   * ({@code event}, {@code id}) must match its headers schema and its data its payload schema.
   *
   * @param event the {@code event:} field, null for the default ("message")
   * @param data the {@code data:} field, null for an {@code id:} alone
   * @return the name of the message that matched
   */
  public String checkSseEvent(String id, String event, String data) {
    String name = event == null ? "message" : event;
    JsonObject channel = root.getJsonObject("channels").getJsonObject("events");
    for (Map.Entry<String, Object> entry : channel.getJsonObject("messages")) {
      JsonObject message = (JsonObject) dereference(entry.getValue());
      JsonObject headers = message.getJsonObject("headers");
      JsonObject eventField = headers.getJsonObject("properties").getJsonObject("event");
      boolean matches = data == null
          ? !message.containsKey("payload")
          : eventField != null && name.equals(eventField.getString("const"));
      if (!matches) {
        continue;
      }
      JsonObject fields = new JsonObject();
      if (data != null) {
        fields.put("event", name);
      }
      if (id != null) {
        fields.put("id", id);
      }
      List<String> errors = validate(headers, fields);
      if (data != null) {
        errors.addAll(validate(message.getJsonObject("payload"), Json.decodeValue(data)));
      }
      if (!errors.isEmpty()) {
        throw new AssertionError("SSE event " + fields.encode() + " data " + data + ": " + errors);
      }
      return message.getString("name");
    }
    throw new AssertionError("no documented SSE message for event " + event + " data " + data);
  }

  /**
   * Validates {@code instance} against a schema of the document that is not inside an embedded
   * resource (a payload, a parameter's or a media type's schema...). Empty when valid, else one
   * line per failing keyword.
   */
  public synchronized List<String> validate(Object schema, Object instance) {
    if (!(schema instanceof JsonObject json)) {
      throw new AssertionError("not a schema object: " + schema);
    }
    // registered under a fresh pointer of the document, so that its "#/..." references resolve
    // against the document, then validated through a reference to it
    String uri = base + "#/x-probe/" + probes++;
    repository.dereference(uri, JsonSchema.of(json.copy()));
    OutputUnit result = repository
        .validator(JsonSchema.of(new JsonObject().put("$ref", uri)), options)
        .validate(instance);
    List<String> errors = new ArrayList<>();
    if (!Boolean.TRUE.equals(result.getValid())) {
      List<OutputUnit> units = result.getErrors() == null ? List.of() : result.getErrors();
      for (OutputUnit unit : units) {
        errors.add(unit.getInstanceLocation() + ": " + unit.getError());
      }
      if (errors.isEmpty()) {
        errors.add("does not match " + json.encode());
      }
    }
    return errors;
  }

  private Object resolve(String ref, String against) {
    int hash = ref.indexOf('#');
    String address = hash < 0 ? ref : ref.substring(0, hash);
    String fragment = hash < 0 ? "" : ref.substring(hash + 1);
    String target =
        address.isEmpty() ? against : URI.create(against).resolve(address).toString();
    Object resource = target.equals(base) ? root : resources.get(target);
    if (resource == null) {
      throw new AssertionError("$ref " + ref + " (from " + against + ") names no resource of the"
          + " document: not the document, and no embedded schema has $id " + target);
    }
    Object value = follow(resource, fragment);
    if (value == null) {
      throw new AssertionError("$ref " + ref + " (from " + against + ") points nowhere");
    }
    return value;
  }

  /** The base URI at a pointer: the innermost enclosing {@code $id}, else the document's. */
  private String baseAt(String pointer) {
    String current = base;
    Object node = root;
    String[] tokens = pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1);
    for (int i = 0; i <= tokens.length; i++) {
      if (node instanceof JsonObject json && json.getValue("$id") instanceof String id) {
        current = URI.create(current).resolve(id).toString();
      }
      if (i < tokens.length) {
        node = child(node, unescape(tokens[i]));
      }
    }
    return current;
  }

  private static Object follow(Object from, String pointer) {
    if (pointer.isEmpty()) {
      return from;
    }
    if (!pointer.startsWith("/")) {
      return null;
    }
    Object node = from;
    for (String token : pointer.substring(1).split("/", -1)) {
      node = child(node, unescape(token));
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  private static Object child(Object node, String key) {
    if (node instanceof JsonObject json) {
      return json.getValue(key);
    }
    if (node instanceof JsonArray array
        && key.matches("\\d+")
        && Integer.parseInt(key) < array.size()) {
      return array.getValue(Integer.parseInt(key));
    }
    return null;
  }

  /** Visits every value with its JSON pointer, recording embedded schema resources on the way. */
  private void walk(Object value, String pointer, String scope, BiConsumer<String, Object> visit) {
    String here = scope;
    if (value instanceof JsonObject json && json.getValue("$id") instanceof String id) {
      here = URI.create(scope).resolve(id).toString();
      resources.putIfAbsent(here, json);
    }
    visit.accept(pointer, value);
    if (value instanceof JsonObject json) {
      for (String key : json.fieldNames()) {
        walk(json.getValue(key), pointer + "/" + escape(key), here, visit);
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        walk(array.getValue(i), pointer + "/" + i, here, visit);
      }
    }
  }

  public static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}
