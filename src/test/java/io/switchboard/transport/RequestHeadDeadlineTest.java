package io.switchboard.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.RawConnection;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * http.requestHeaderTimeoutMs (issue 10, "slowloris"): a connection must complete each request
 * head within the deadline of its accept or of its previous response, however many bytes it
 * trickles; it is closed at the deadline, without an answer. Requests being answered, WebSockets
 * and SSE streams are not subject to it, and 500 trickling clients do not keep a normal one out.
 */
@ExtendWith(VertxExtension.class)
class RequestHeadDeadlineTest {
  // long enough that a client on a loaded machine still sends a whole head in time when it means to
  private static final long DEADLINE_MS = 1_000;
  /** How late a close may come on a loaded machine; the deadline is what the test asserts. */
  private static final long LATE_MS = 1_500;
  /** Far faster than the deadline: bytes keep coming, so an idle timeout would never fire. */
  private static final long TRICKLE_MS = 100;

  private static final String GET_HEALTH = RawConnection.GET_HEALTH;
  private static final String WS_UPGRADE = RawConnection.WS_UPGRADE;
  private static final String SSE =
      "GET /sse?channel=rhd HTTP/1.1\r\nHost: localhost\r\n" + "Accept: text/event-stream\r\n\r\n";

  private Vertx vertx;
  private TestNode node;
  private NetClient client;
  private final List<RawConnection> raw = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createNetClient();
    node = startNode(new JsonObject());
  }

  private TestNode startNode(JsonObject http) {
    return TestNode.start(
        vertx,
        new JsonObject().put("http", http.copy().put("requestHeaderTimeoutMs", DEADLINE_MS)));
  }

  @AfterEach
  void stop() {
    raw.forEach(c -> {
      if (!c.isClosed()) {
        c.close();
      }
    });
    node.close();
    client.close();
  }

  private RawConnection connect(int port) {
    RawConnection connection = RawConnection.open(vertx, client, port);
    raw.add(connection);
    return connection;
  }

  private double timeouts() {
    return node.node()
        .parts()
        .metrics()
        .registry()
        .find("switchboard_request_head_timeouts")
        .counter()
        .count();
  }

  private static void assertClosedAtTheDeadline(RawConnection connection, long fromNanos) {
    long closedNanos =
        Await.result(connection.closed(), Duration.ofMillis(DEADLINE_MS + LATE_MS + 1_000));
    long elapsedMs = (closedNanos - fromNanos) / 1_000_000;
    // the client sees the accept and the response a little after the server starts the clock
    assertTrue(elapsedMs >= DEADLINE_MS - 250, "closed after only " + elapsedMs + " ms");
    assertTrue(elapsedMs <= DEADLINE_MS + LATE_MS, "closed only after " + elapsedMs + " ms");
  }

  /** What a connection sends in full first (answered), then what it trickles. */
  static Stream<Arguments> slowHeads() {
    return Stream.of(
        Arguments.of("nothing at all", "", ""),
        Arguments.of("a GET head, a byte at a time", "", GET_HEALTH),
        Arguments.of("a WebSocket upgrade head, a byte at a time", "", WS_UPGRADE),
        Arguments.of("an SSE request head, a byte at a time", "", SSE),
        Arguments.of(
            "a second head on a keep-alive connection, a byte at a time", GET_HEALTH, GET_HEALTH),
        Arguments.of("no second head on a keep-alive connection", GET_HEALTH, ""),
        Arguments.of(
            "a second head after a refused WebSocket upgrade",
            WS_UPGRADE.replace("/ws", "/nowhere"),
            GET_HEALTH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("slowHeads")
  void slowRequestHeadIsClosedAtTheDeadline(String name, String answered, String trickled) {
    assertSlowHeadClosed(connect(node.port()), answered, trickled);
  }

  /**
   * Vert.x reads an upgrade request's body before it hands the handshake over, so the deadline is
   * still running then: an upgrade whose announced body never comes is closed at it, as a head
   * that never completes is, not left waiting for the body.
   */
  @Test
  void anUpgradeWhoseBodyNeverComesIsClosedAtTheDeadline() {
    RawConnection connection = connect(node.port());
    double before = timeouts();
    connection.send(WS_UPGRADE.replace("\r\n\r\n", "\r\nContent-Length: 20\r\n\r\n"));
    assertClosedWithoutAnswer(connection, connection.openedNanos(), before);
  }

  /**
   * The idle timeout restarts with every byte, so a body trickled a byte at a time would hold the
   * socket and the handler waiting for it for as long as the client liked: the body is due within
   * the deadline of the head.
   */
  @Test
  void aRequestBodyTrickledAByteAtATimeIsClosedAtTheDeadline() {
    RawConnection connection = connect(node.port());
    double before = timeouts();
    String body = "{\"channel\":\"rhd\",\"data\":{\"text\":\"" + "x".repeat(100) + "\"}}";
    connection.send(publishHead(body));
    long headSent = System.nanoTime();
    connection.trickle(body, TRICKLE_MS);
    assertClosedWithoutAnswer(connection, headSent, before);
  }

  private static String publishHead(String body) {
    return "POST /api/publish HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n";
  }

  @Test
  void aRequestBodySentInTimeIsAnswered() {
    RawConnection connection = connect(node.port());
    String body = "{\"channel\":\"rhd\",\"data\":{\"ok\":true}}";
    connection.send(publishHead(body));
    connection.send(body.substring(0, 10));
    Await.result(vertx.timer(DEADLINE_MS / 3));
    connection.send(body.substring(10));
    assertTrue(connection.nextResponse().startsWith("HTTP/1.1 200"));
    // still open well within the next head's deadline, which runs from the answer
    Await.result(vertx.timer(DEADLINE_MS / 2 + 100));
    assertFalse(connection.isClosed(), "a body that came in time is not held to a deadline");
    assertEquals(0, timeouts());
  }

  @Test
  void theAdminPortHasTheDeadlineToo() throws Exception {
    node.close();
    int adminPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      adminPort = socket.getLocalPort();
    }
    node = startNode(new JsonObject().put("adminPort", adminPort));
    assertSlowHeadClosed(connect(adminPort), "", GET_HEALTH);
    assertSlowHeadClosed(connect(adminPort), GET_HEALTH, GET_HEALTH);
  }

  private void assertSlowHeadClosed(RawConnection connection, String answered, String trickled) {
    double before = timeouts();
    long from = connection.openedNanos();
    if (!answered.isEmpty()) {
      connection.send(answered);
      connection.nextResponse();
      from = connection.receivedNanos();
    }
    if (!trickled.isEmpty()) {
      connection.trickle(trickled, TRICKLE_MS);
    }
    assertClosedWithoutAnswer(connection, from, before);
  }

  /** Closed at the deadline counted from {@code from}, unanswered, and counted once. */
  private void assertClosedWithoutAnswer(RawConnection connection, long from, double before) {
    assertClosedAtTheDeadline(connection, from);
    assertEquals("", connection.unread(), "closed without an answer");
    assertEquals(before + 1, timeouts(), "switchboard_request_head_timeouts_total");
  }

  @Test
  void requestsInTimeKeepAKeepAliveConnectionOpen() {
    RawConnection connection = connect(node.port());
    long until = System.nanoTime() + Duration.ofMillis(3 * DEADLINE_MS).toNanos();
    while (System.nanoTime() < until) {
      connection.send(GET_HEALTH);
      assertTrue(connection.nextResponse().startsWith("HTTP/1.1 200"));
      Await.result(vertx.timer(DEADLINE_MS / 3));
    }
    assertFalse(connection.isClosed());
    assertEquals(0, timeouts());
  }

  @Test
  void responsesTellKeepAliveClientsToLeaveASecondEarly() {
    assertEquals(
        null,
        node.get("/health").headers().get("Keep-Alive"),
        "no whole second to promise under a 1 s deadline");
    node.close();
    node = TestNode.start(vertx);
    assertEquals("timeout=9", node.get("/health").headers().get("Keep-Alive"));
  }

  @Test
  void webSocketsAndSseStreamsOutliveTheDeadline() {
    node.close();
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put("http", new JsonObject().put("requestHeaderTimeoutMs", DEADLINE_MS))
            .put("heartbeat", new JsonObject().put("intervalMs", 250).put("timeoutMs", 10_000)));
    WsClient ws = node.ws();
    ws.subscribe("rhd-live");
    SseReader sse = node.sse("/sse?channel=rhd-live");
    try {
      sse.firstId();
      // pings come every 250 ms: 12 of them span three deadlines
      for (int i = 0; i < 12; i++) {
        ws.next("ping");
      }
      node.publish("rhd-live", 1);
      assertEquals(1, ws.nextMessage("rhd-live").getInteger("data"));
      assertEquals(1, sse.next("message").json().getInteger("data"));
      assertEquals(0, timeouts());
    } finally {
      sse.close();
    }
  }

  /**
   * 500 clients trickle a request head a byte a second from 127.0.0.2, over
   * limits.maxConnectionsPerAddress (100); meanwhile a client from 127.0.0.1 connects over
   * WebSocket and SSE and receives. All 500 are closed at the deadline.
   */
  @Test
  void fiveHundredTricklersDoNotKeepANormalClientOut() {
    node.close();
    // long enough for the normal client to be served on a loaded machine (seen: 2.7 s) while all
    // 500 still trickle, which is what the test is about
    long deadlineMs = 5_000;
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put("http", new JsonObject().put("requestHeaderTimeoutMs", deadlineMs))
            .put("limits", new JsonObject().put("maxConnectionsPerAddress", 100)));
    NetClient attacker = vertx.createNetClient(new NetClientOptions().setLocalAddress("127.0.0.2"));
    try {
      List<Future<RawConnection>> connecting = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        connecting.add(RawConnection.connect(vertx, attacker, node.port()));
      }
      List<RawConnection> tricklers = new ArrayList<>();
      connecting.forEach(f -> tricklers.add(Await.result(f)));
      raw.addAll(tricklers);
      tricklers.forEach(t -> t.trickle(GET_HEALTH, 1_000));
      long lastOpened =
          tricklers.stream().mapToLong(RawConnection::openedNanos).max().getAsLong();

      WsClient ws = node.ws();
      ws.subscribe("rhd-500");
      SseReader sse = node.sse("/sse?channel=rhd-500");
      try {
        sse.firstId();
        node.publish("rhd-500", 500);
        assertEquals(500, ws.nextMessage("rhd-500").getInteger("data"));
        assertEquals(500, sse.next("message").json().getInteger("data"));
        assertTrue(
            tricklers.stream().noneMatch(RawConnection::isClosed),
            "the normal client was served while all 500 still trickled");
        assertTrue(node.node().parts().limits().connections().addressCount("127.0.0.2") <= 100);

        for (RawConnection trickler : tricklers) {
          long closedNanos =
              Await.result(trickler.closed(), Duration.ofMillis(deadlineMs + LATE_MS + 1_000));
          long lateMs = (closedNanos - lastOpened) / 1_000_000 - deadlineMs;
          assertTrue(lateMs <= LATE_MS, "a trickler outlived the deadline by " + lateMs + " ms");
        }
        Await.until(
            () -> node.node().parts().limits().connections().addressCount("127.0.0.2") == 0,
            "the tricklers' slots are freed");
        assertTrue(timeouts() >= 500, "timeouts: " + timeouts());
        assertFalse(ws.isClosed());
      } finally {
        sse.close();
      }
    } finally {
      attacker.close();
    }
  }
}
