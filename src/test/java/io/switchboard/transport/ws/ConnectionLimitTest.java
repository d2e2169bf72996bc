package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.limits.ConnectionCounter;
import io.switchboard.testing.Await;
import io.switchboard.testing.RawConnection;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * limits.maxConnectionsPerAddress (PROTOCOL.md section 10): the TCP connections of one address
 * share the cap, plain HTTP keep-alive ones too, each counted once whatever it carries; over it a
 * handshake gets 429, an SSE or any other request 429 rate_limited, and the connection is closed;
 * every way a connection ends frees its slot.
 */
@ExtendWith(VertxExtension.class)
class ConnectionLimitTest {
  private static final int CAP = 2;
  private static final String ADDRESS = "127.0.0.1";

  private TestNode node;
  private Vertx vertx;
  private final List<SseReader> readers = new ArrayList<>();
  private final List<RawConnection> raw = new ArrayList<>();
  private NetClient client;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createNetClient();
    node = TestNode.start(
        vertx,
        new JsonObject().put("limits", new JsonObject().put("maxConnectionsPerAddress", CAP)));
  }

  @AfterEach
  void stop() {
    readers.forEach(SseReader::close);
    raw.stream().filter(c -> !c.isClosed()).forEach(RawConnection::close);
    node.close();
    client.close();
  }

  private static final String GET_HEALTH = RawConnection.GET_HEALTH;

  /** A plain HTTP connection that has had one request answered, and stays open (keep-alive). */
  private RawConnection keepAlive() {
    RawConnection connection = RawConnection.open(vertx, client, node.port());
    raw.add(connection);
    connection.send(GET_HEALTH);
    String response = connection.nextResponse();
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    return connection;
  }

  private WsClient ws() {
    return node.ws();
  }

  private SseReader sse() {
    SseReader reader = node.sse("/sse?channel=cl-" + readers.size());
    readers.add(reader);
    return reader;
  }

  private ConnectionCounter counter() {
    return node.node().parts().limits().connections();
  }

  private void assertWsRefused() {
    UpgradeRejectedException refused = assertThrows(
        UpgradeRejectedException.class, () -> node.track(WsClient.connect(vertx, node.port())));
    assertEquals(429, refused.getStatus());
  }

  private void assertSseRefused() {
    SseReader reader = sse();
    assertEquals(429, reader.status());
    assertEquals("rate_limited", reader.errorBody().getString("code"));
  }

  /** The server notices a close on its own time, and no event tells the test: poll the count. */
  private void awaitCount(int expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (counter().addressCount(ADDRESS) != expected) {
      assertTrue(
          System.nanoTime() < deadline,
          "address count stayed at " + counter().addressCount(ADDRESS) + ", expected " + expected);
      Await.result(vertx.timer(10));
    }
  }

  @Test
  void webSocketsOverTheCapAreRefusedWith429() {
    ws();
    ws();
    assertWsRefused();
    assertSseRefused();
    assertEquals(CAP, counter().addressCount(ADDRESS));
  }

  @Test
  void sseStreamsCountToo() {
    sse().firstId();
    sse().firstId();
    assertSseRefused();
    assertWsRefused();
  }

  @Test
  void refusedRequestsHoldNoSlot() {
    ws();
    ws();
    for (int i = 0; i < 5; i++) {
      assertWsRefused();
      assertSseRefused();
    }
    assertEquals(CAP, counter().addressCount(ADDRESS));
  }

  @Test
  void plainKeepAliveConnectionsCountAndTheOneOverIsRefusedThenClosed() {
    keepAlive();
    RawConnection second = keepAlive();
    assertEquals(CAP, counter().addressCount(ADDRESS));

    RawConnection over = RawConnection.open(vertx, client, node.port());
    raw.add(over);
    over.send(GET_HEALTH);
    String refused = over.nextResponse();
    assertTrue(refused.startsWith("HTTP/1.1 429"), refused);
    assertTrue(refused.toLowerCase(Locale.ROOT).contains("connection: close"), refused);
    JsonObject body = new JsonObject(refused.substring(refused.indexOf("\r\n\r\n") + 4));
    assertEquals("rate_limited", body.getString("code"));
    assertTrue(
        body.getString("message").contains("limits.maxConnectionsPerAddress"), body.encode());
    Await.result(over.closed());
    assertWsRefused();
    assertSseRefused();
    assertEquals(CAP, counter().addressCount(ADDRESS));

    second.close();
    awaitCount(1);
    ws();
  }

  /** A first exchange on a fresh connection, then what the same connection does next. */
  static Stream<Arguments> upgrades() {
    return Stream.of(
        Arguments.of("upgrade to WebSocket", RawConnection.WS_UPGRADE, "HTTP/1.1 101"),
        Arguments.of(
            "SSE stream",
            "GET /sse?channel=cl-once HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "HTTP/1.1 200"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("upgrades")
  void aKeepAliveConnectionCountsOnceWhateverItCarriesNext(
      String name, String request, String status) {
    RawConnection connection = keepAlive();
    connection.send(request);
    String response = connection.nextResponse();
    assertTrue(response.startsWith(status), response);
    assertEquals(1, counter().addressCount(ADDRESS));
    ws();
    assertWsRefused();
    connection.close();
    awaitCount(1);
  }

  /** How a connection can end; each must give its slot back. */
  static Stream<Arguments> closePaths() {
    return Stream.<Arguments>of(
        Arguments.of("websocket closed by the client", (Consumer<ConnectionLimitTest>) t -> {
          WsClient ws = t.ws();
          t.awaitCount(1);
          ws.close();
        }),
        Arguments.of("websocket closed by the server (binary frame, 1003)", (Consumer<
                ConnectionLimitTest>)
            t -> {
              WsClient ws = t.ws();
              ws.sendBinary(Buffer.buffer(new byte[] {1}));
              assertEquals(1003, ws.closeCode());
            }),
        Arguments.of(
            "websocket closed by the server (flood, 4429)", (Consumer<ConnectionLimitTest>) t -> {
              WsClient ws = t.ws();
              for (int i = 0; i < 2_000; i++) {
                ws.write("{\"type\":\"ping\"}");
              }
              assertEquals(4429, ws.closeCode());
            }),
        Arguments.of("sse stream closed by the client", (Consumer<ConnectionLimitTest>) t -> {
          SseReader reader = t.sse();
          reader.firstId();
          t.awaitCount(1);
          reader.close();
        }),
        Arguments.of(
            "keep-alive connection closed by the client", (Consumer<ConnectionLimitTest>) t -> {
              RawConnection connection = t.keepAlive();
              t.awaitCount(1);
              connection.close();
            }),
        Arguments.of("connection closed by the server at the request-head deadline", (Consumer<
                ConnectionLimitTest>)
            t -> {
              RawConnection connection = RawConnection.open(t.vertx, t.client, t.node.port());
              t.raw.add(connection);
              t.awaitCount(1);
              Await.result(connection.closed());
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("closePaths")
  void closingFreesTheSlot(String name, Consumer<ConnectionLimitTest> openAndClose, Vertx vertx) {
    node.close();
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put(
                "limits",
                new JsonObject()
                    .put("maxConnectionsPerAddress", CAP)
                    .put("messagesPerSecond", 10)
                    .put("messagesBurst", 10))
            .put("http", new JsonObject().put("requestHeaderTimeoutMs", 2_000)));
    openAndClose.accept(this);
    awaitCount(0);
    ws();
    ws();
    assertWsRefused();
  }
}
