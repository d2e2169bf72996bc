package io.switchboard.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.hub.SessionIds;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.testing.ApiDocument;
import io.switchboard.testing.ApiDocument.Reference;
import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.TestNode.Reply;
import io.switchboard.testing.TestTokens;
import io.switchboard.transport.NodeParts;
import io.switchboard.validation.ProtocolSchema;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /openapi.json} and {@code /asyncapi.json} as a node serves them: open, well-formed OpenAPI
 * 3.1 and AsyncAPI 3.0, self-contained, complete (every route, every frame type), and built on the
 * very schema files the server validates with. Their examples are checked in
 * {@link ApiDocsExamplesTest}, the real server's traffic in {@link ApiDocsConformanceTest}.
 */
@ExtendWith(VertxExtension.class)
class ApiDocsTest {
  /** Where the served documents hold the schemas inlined from the protocol's files. */
  private static final String SCHEMAS = "#/components/schemas/";

  private static final String CLIENT_FRAME = SCHEMAS + "ClientFrame";
  private static final String SERVER_FRAME = SCHEMAS + "ServerFrame";
  /** Documented ahead of their routes, which another branch of issue 6 adds. */
  private static final Set<String> ROUTES_PENDING = Set.of("POST /api/drain");
  /** Never probed: it would drain the node under test. */
  private static final String DRAIN = "POST /api/drain";

  private static final Pattern ROUTE_PATTERN = Pattern.compile("pattern=(.+?), groups=");

  private Vertx vertx;
  private TestNode node;
  private ApiDocument openapi;
  private ApiDocument asyncapi;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    node = TestNode.start(vertx);
    openapi = served(node, ApiDocsRoutes.OPENAPI_PATH);
    asyncapi = served(node, ApiDocsRoutes.ASYNCAPI_PATH);
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private ApiDocument served(TestNode on, String path) {
    ApiDocument.Served served = ApiDocument.fetch(vertx, on.port(), path);
    assertEquals(200, served.status(), path);
    assertEquals("application/json", served.contentType(), path);
    return served.document();
  }

  // --- well-formed -------------------------------------------------------------------------

  @Test
  void openApiDocumentPassesTheOpenApi31MetaSchema() {
    JsonObject doc = openapi.root();
    assertTrue(doc.getString("openapi", "").startsWith("3.1."), doc.getString("openapi"));
    assertFalse(doc.getJsonObject("info").getString("title", "").isBlank());
    assertFalse(doc.getJsonObject("info").getString("version", "").isBlank());
    assertFalse(doc.getJsonObject("paths").isEmpty());
    // vertx-openapi's check of a contract against the OpenAPI 3.1 schema it ships (2022-10-07),
    // then its resolution of every reference; not OpenAPIContract.from(), which also refuses
    // what its request validator cannot handle (text/event-stream, text/html responses)
    OpenAPIVersion version = OpenAPIVersion.fromContract(doc);
    assertEquals(OpenAPIVersion.V3_1, version);
    SchemaRepository repository = Await.result(version.getRepository(vertx, openapi.base()));
    OutputUnit result;
    try {
      result = Await.result(version.validateContract(vertx, repository, doc.copy()));
    } catch (RuntimeException e) {
      throw new AssertionError("not a valid OpenAPI 3.1 document: " + e, e);
    }
    assertTrue(result.getValid(), "not a valid OpenAPI 3.1 document: " + result.getErrors());
    JsonObject resolved = Await.result(version.resolve(vertx, repository, doc.copy()));
    assertTrue(resolved
        .getJsonObject("paths")
        .fieldNames()
        .containsAll(doc.getJsonObject("paths").fieldNames()));

    // the check is not vacuous: a response without its required description fails it
    JsonObject broken = doc.copy();
    broken
        .getJsonObject("paths")
        .getJsonObject("/health")
        .getJsonObject("get")
        .getJsonObject("responses")
        .getJsonObject("200")
        .remove("description");
    boolean refused;
    try {
      refused =
          !Await.result(version.validateContract(vertx, repository, broken)).getValid();
    } catch (RuntimeException e) {
      refused = true;
    }
    assertTrue(refused, "the OpenAPI meta-schema check accepted a response without description");
  }

  @Test
  void everyOpenApiOperationIsComplete() {
    Set<String> ids = new LinkedHashSet<>();
    for (Map.Entry<String, JsonObject> op : openapi.operations().entrySet()) {
      JsonObject operation = op.getValue();
      assertTrue(ids.add(operation.getString("operationId")), "operationId of " + op.getKey());
      assertFalse(operation.getString("summary", "").isBlank(), "summary of " + op.getKey());
      assertFalse(
          operation.getJsonArray("tags", new JsonArray()).isEmpty(), "tags of " + op.getKey());
      JsonObject responses = operation.getJsonObject("responses");
      assertTrue(
          responses.fieldNames().stream().anyMatch(s -> s.startsWith("1") || s.startsWith("2")),
          "a success response for " + op.getKey());
      boolean api = op.getKey().contains(" /api/");
      assertEquals(
          api,
          operation.containsKey("security")
              && operation.getJsonArray("security").stream()
                  .noneMatch(r -> ((JsonObject) r).isEmpty()),
          "/api needs credentials: " + op.getKey());
      if (api) {
        assertTrue(responses.containsKey("401") && responses.containsKey("403"), op.getKey());
      }
    }
  }

  @Test
  void asyncApiDocumentIsWellFormedAsyncApi3() {
    JsonObject doc = asyncapi.root();
    assertEquals("3.0.0", doc.getString("asyncapi"));
    assertFalse(doc.getJsonObject("info").getString("title", "").isBlank());
    assertFalse(doc.getJsonObject("info").getString("version", "").isBlank());
    assertEquals("application/json", doc.getString("defaultContentType"));
    Set<String> known = Set.of(
        "asyncapi",
        "id",
        "info",
        "servers",
        "defaultContentType",
        "channels",
        "operations",
        "components");
    assertTrue(
        known.containsAll(doc.fieldNames()), "unknown top-level fields: " + doc.fieldNames());

    JsonObject servers = doc.getJsonObject("servers");
    for (String name : servers.fieldNames()) {
      JsonObject server = servers.getJsonObject(name);
      assertNotNull(server.getString("host"), "host of server " + name);
      assertNotNull(server.getString("protocol"), "protocol of server " + name);
      Matcher variable = Pattern.compile("\\{(\\w+)}").matcher(server.getString("host"));
      while (variable.find()) {
        assertNotNull(
            server.getJsonObject("variables", new JsonObject()).getJsonObject(variable.group(1)),
            "variable " + variable.group() + " of " + name);
      }
    }

    JsonObject channels = doc.getJsonObject("channels");
    Set<String> used = new TreeSet<>();
    for (String name : channels.fieldNames()) {
      JsonObject channel = channels.getJsonObject(name);
      assertTrue(channel.getString("address", "").startsWith("/"), "address of channel " + name);
      assertFalse(channel.getJsonObject("messages").isEmpty(), "messages of channel " + name);
      channel
          .getJsonObject("messages")
          .forEach(m -> assertTrue(
              ((JsonObject) m.getValue()).getString("$ref").startsWith("#/components/messages/"),
              name + "." + m.getKey()));
      for (Object server : channel.getJsonArray("servers", new JsonArray())) {
        String ref = ((JsonObject) server).getString("$ref");
        assertTrue(ref.startsWith("#/servers/"), "a channel's servers are root servers: " + ref);
        asyncapi.resolve(ref);
      }
    }

    JsonObject operations = doc.getJsonObject("operations");
    for (String name : operations.fieldNames()) {
      JsonObject operation = operations.getJsonObject(name);
      assertTrue(Set.of("send", "receive").contains(operation.getString("action")), name);
      String channel = operation.getJsonObject("channel").getString("$ref");
      assertTrue(channel.startsWith("#/channels/"), name + " channel " + channel);
      used.addAll(operationMessages(name, channel, operation.getJsonArray("messages")));
      JsonObject reply = operation.getJsonObject("reply");
      if (reply != null) {
        String replyChannel = reply.getJsonObject("channel").getString("$ref");
        used.addAll(
            operationMessages(name + ".reply", replyChannel, reply.getJsonArray("messages")));
      }
    }
    Set<String> declared = new TreeSet<>();
    channels.forEach(c -> ((JsonObject) c.getValue())
        .getJsonObject("messages")
        .fieldNames()
        .forEach(m -> declared.add("#/channels/" + c.getKey() + "/messages/" + m)));
    assertEquals(declared, used, "every message of a channel is sent or received by an operation");

    JsonObject messages = asyncapi.components("messages");
    for (String name : messages.fieldNames()) {
      assertTrue(name.matches("^[a-zA-Z0-9.\\-_]+$"), "component key " + name);
      JsonObject message = messages.getJsonObject(name);
      assertEquals(name, message.getString("name"), "a message's name is its unique key");
      assertTrue(message.containsKey("payload") || message.containsKey("headers"), name);
      assertFalse(
          message.getJsonArray("examples", new JsonArray()).isEmpty(), "examples of " + name);
      for (Object example : message.getJsonArray("examples")) {
        JsonObject ex = (JsonObject) example;
        assertTrue(ex.containsKey("payload") || ex.containsKey("headers"), name + " example");
      }
    }
  }

  /** The messages of an operation (or reply) are references to messages of its channel. */
  private List<String> operationMessages(String operation, String channelRef, JsonArray messages) {
    assertNotNull(asyncapi.resolve(channelRef), operation);
    assertFalse(messages == null || messages.isEmpty(), "messages of " + operation);
    List<String> refs = new ArrayList<>();
    for (Object message : messages) {
      String ref = ((JsonObject) message).getString("$ref");
      assertTrue(
          ref.startsWith(channelRef + "/messages/"),
          operation + ": " + ref + " is not a message of " + channelRef);
      asyncapi.resolve(ref);
      refs.add(ref);
    }
    return refs;
  }

  @Test
  void everyReferenceResolvesWithinTheDocument() {
    for (ApiDocument doc : List.of(openapi, asyncapi)) {
      List<Reference> refs = doc.references();
      assertTrue(refs.size() > 20, "references found: " + refs.size());
      for (Reference ref : refs) {
        // served documents are self-contained: every reference is a pointer into the document
        // (no file, no $id of an inlined schema), the only kind every OpenAPI/AsyncAPI tool follows
        assertTrue(ref.ref().startsWith("#/"), ref.pointer() + ": " + ref.ref());
        assertNotNull(doc.resolve(ref), ref.pointer());
      }
    }
  }

  // --- no drift ----------------------------------------------------------------------------

  @Test
  void embeddedSchemasAreTheFilesTheServerValidatesWith() {
    JsonObject clientFrame = ProtocolSchema.resource("protocol/client-frame.schema.json");
    JsonObject publishRequest = ProtocolSchema.resource("protocol/publish-request.schema.json");
    JsonObject serverFrame = ProtocolSchema.resource("protocol/server-frame.schema.json");

    JsonObject oa = openapi.components("schemas");
    assertEquals(inlined(publishRequest, "PublishRequest"), oa.getJsonObject("PublishRequest"));
    assertEquals(inlined(serverFrame, "ServerFrame"), oa.getJsonObject("ServerFrame"));

    JsonObject aa = asyncapi.components("schemas");
    assertEquals(inlined(clientFrame, "ClientFrame"), aa.getJsonObject("ClientFrame"));
    assertEquals(inlined(serverFrame, "ServerFrame"), aa.getJsonObject("ServerFrame"));
  }

  /**
   * A schema file as a served document holds it at {@code #/components/schemas/<name>}: the same
   * schema, without its {@code $id} (a 2020-12 resolver would resolve the pointers against it),
   * and with its own {@code #/...} pointers prefixed by where it now is in the document.
   */
  private static JsonObject inlined(JsonObject file, String name) {
    assertNotNull(file.getString("$id"), "the protocol's schema files have an $id");
    JsonObject expected = file.copy();
    expected.remove("$id");
    prefixPointers(expected, SCHEMAS + name);
    return expected;
  }

  private static void prefixPointers(Object value, String prefix) {
    if (value instanceof JsonObject json) {
      for (String key : json.fieldNames()) {
        if (key.equals("$ref") && json.getValue(key) instanceof String ref) {
          assertTrue(ref.startsWith("#/"), "a schema file points only into itself: " + ref);
          json.put(key, prefix + ref.substring(1));
        } else {
          prefixPointers(json.getValue(key), prefix);
        }
      }
    } else if (value instanceof JsonArray array) {
      array.forEach(item -> prefixPointers(item, prefix));
    }
  }

  @Test
  void errorCodesOfTheServerFrameSchemaAreTheServersErrorCodes() {
    JsonArray documented = ProtocolSchema.resource("protocol/server-frame.schema.json")
        .getJsonObject("$defs")
        .getJsonObject("errorCode")
        .getJsonArray("enum");
    assertEquals(
        Arrays.stream(ErrorCode.values()).map(ErrorCode::wireName).toList(), documented.getList());
  }

  @Test
  void everyFrameTypeHasAnAsyncApiMessage() {
    assertEquals(
        frameTypes((JsonObject) asyncapi.resolve(CLIENT_FRAME)), messageTypes(CLIENT_FRAME));
    assertEquals(
        frameTypes((JsonObject) asyncapi.resolve(SERVER_FRAME)), messageTypes(SERVER_FRAME));
  }

  /** The frame types a frame schema defines: $defs entries whose type is a const. */
  private static Set<String> frameTypes(JsonObject schema) {
    Set<String> types = new TreeSet<>();
    JsonObject defs = schema.getJsonObject("$defs");
    for (String name : defs.fieldNames()) {
      JsonObject type = defs.getJsonObject(name)
          .getJsonObject("properties", new JsonObject())
          .getJsonObject("type");
      if (type != null && type.containsKey("const")) {
        types.add(type.getString("const"));
      }
    }
    return types;
  }

  /** The frame types of the WebSocket messages whose payload is in the schema at {@code schema}. */
  private Set<String> messageTypes(String schema) {
    Set<String> types = new TreeSet<>();
    JsonObject channel = asyncapi.root().getJsonObject("channels").getJsonObject("websocket");
    for (Object ref : channel.getJsonObject("messages")) {
      JsonObject message = (JsonObject) asyncapi.dereference(((Map.Entry<?, ?>) ref).getValue());
      String payload = message.getJsonObject("payload").getString("$ref");
      if (payload.startsWith(schema + "/")) {
        JsonObject frame = (JsonObject) asyncapi.resolve(payload);
        types.add(frame.getJsonObject("properties").getJsonObject("type").getString("const"));
      }
    }
    return types;
  }

  // --- every path --------------------------------------------------------------------------

  @Test
  void everyRouteOfTheRouterIsDocumented() {
    NodeParts parts = node.node().parts();
    Router router = Routes.create(
        vertx,
        parts,
        parts.newHub(vertx, vertx.getOrCreateContext()),
        new SessionIds("routes"),
        RoutingContext::next);
    Set<String> documented = openapi.operations().keySet();
    List<String> undocumented = new ArrayList<>();
    int checked = 0;
    for (Route route : router.getRoutes()) {
      if (route.methods() == null || route.methods().isEmpty()) {
        continue; // handlers of every method: origins, credentials, bodies, failures
      }
      for (HttpMethod method : route.methods()) {
        checked++;
        if (!isDocumented(route, method.name(), documented)) {
          undocumented.add(method.name() + " " + describe(route));
        }
      }
    }
    assertTrue(checked >= 10, "routes checked: " + checked);
    assertTrue(undocumented.isEmpty(), "routes missing from /openapi.json: " + undocumented);
  }

  private static boolean isDocumented(Route route, String method, Set<String> documented) {
    if (route.isRegexPath()) {
      Pattern pattern = Pattern.compile(regexOf(route));
      return documented.stream()
          .anyMatch(op -> op.startsWith(method + " ")
              && pattern.matcher(sample(op.substring(method.length() + 1))).matches());
    }
    // an exact path, or a prefix route ("/*" serves the demo page at "/")
    return documented.contains(method + " " + route.getPath());
  }

  /** vertx-web has no public getter for a regex route's pattern; its toString shows it. */
  private static String regexOf(Route route) {
    Matcher m = ROUTE_PATTERN.matcher(route.toString());
    if (!m.find()) {
      throw new AssertionError("cannot read the pattern of " + route + " (vertx-web's"
          + " RouteImpl.toString changed?)");
    }
    return m.group(1);
  }

  private static String describe(Route route) {
    return route.isRegexPath() ? regexOf(route) : route.getPath();
  }

  /** A concrete path for a documented template. */
  private static String sample(String template) {
    return template.replace("{channel}", "chat:lobby");
  }

  @Test
  void everyDocumentedPathIsServed() {
    List<String> missing = new ArrayList<>();
    for (String op : openapi.operations().keySet()) {
      if (op.equals(DRAIN)) {
        continue;
      }
      String method = op.substring(0, op.indexOf(' '));
      String uri = sample(op.substring(op.indexOf(' ') + 1));
      // no body and no query: answered by the route's own checks, without side effects
      Reply reply = node.exchange(HttpMethod.valueOf(method), uri, null);
      if (reply.status() == 404
          && reply.body().contains("no such endpoint")
          && !ROUTES_PENDING.contains(op)) {
        missing.add(op);
      }
    }
    assertTrue(missing.isEmpty(), "documented but not served: " + missing);
  }

  @Test
  void documentsAreOpenWhenTheApiIsNot() {
    JsonObject config = TestTokens.nodeConfig();
    config
        .getJsonObject("auth")
        .put("anonymous", false)
        .put("apiKeys", new JsonArray().add("a-key-for-the-api-docs-test-0123456789"));
    TestNode closed = TestNode.start(vertx, config);
    try {
      assertEquals(
          401, closed.post("/api/publish", "{\"channel\":\"news\",\"data\":1}").status());
      assertEquals(openapi.root(), served(closed, ApiDocsRoutes.OPENAPI_PATH).root());
      assertEquals(asyncapi.root(), served(closed, ApiDocsRoutes.ASYNCAPI_PATH).root());
    } finally {
      closed.close();
    }
  }
}
