package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.switchboard.testing.Bytes;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
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
 * PROTOCOL.md sections 3 and 4: binary frames close with 1003, frames over the limit with 1009;
 * and RFC 6455's: text that is not UTF-8 closes with 1007, other protocol violations with 1002.
 */
@ExtendWith(VertxExtension.class)
class CloseCodeTest {
  private static final int MAX_FRAME = 1024;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx, new JsonObject().put("limits", new JsonObject().put("maxFrameBytes", MAX_FRAME)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private WsClient client() {
    return node.ws();
  }

  /** A publish frame of exactly {@code bytes} bytes (ASCII, so characters are bytes). */
  private static String publishFrameOf(String channel, int bytes) {
    String empty = new JsonObject()
        .put("type", "publish")
        .put("id", 1)
        .put("channel", channel)
        .put("data", "")
        .encode();
    return new JsonObject()
        .put("type", "publish")
        .put("id", 1)
        .put("channel", channel)
        .put("data", "x".repeat(bytes - empty.length()))
        .encode();
  }

  @Test
  void binaryFrameClosesWith1003() {
    WsClient ws = client();
    ws.sendBinary(Buffer.buffer("{\"type\":\"ping\",\"id\":1}"));
    assertEquals(1003, ws.closeCode());
  }

  @Test
  void binaryFrameReleasesTheSubscriptions() {
    WsClient watcher = client();
    watcher.subscribe("chat:cc-binary");
    WsClient ws = client();
    ws.subscribe("chat:cc-binary");
    ws.sendBinary(Buffer.buffer(new byte[] {1, 2, 3}));
    assertEquals(1003, ws.closeCode());
    JsonObject presence =
        watcher.request(new JsonObject().put("type", "presence").put("channel", "chat:cc-binary"));
    assertEquals(
        1,
        presence.getJsonArray("users").getJsonObject(0).getInteger("connections"),
        presence.encode());
  }

  @Test
  void frameAtTheLimitIsAccepted() {
    WsClient ws = client();
    String frame = publishFrameOf("cc-fits", MAX_FRAME);
    assertEquals(MAX_FRAME, frame.length());
    ws.subscribe("cc-fits");
    ws.send(frame);
    JsonObject message = ws.nextMessage("cc-fits");
    assertEquals(new JsonObject(frame).getString("data"), message.getString("data"));
    assertFalse(ws.isClosed());
  }

  @Test
  void singleFrameOverTheLimitClosesWith1009() {
    WsClient ws = client();
    ws.write(publishFrameOf("cc-big", MAX_FRAME + 1));
    assertEquals(1009, ws.closeCode());
  }

  @Test
  void muchBiggerFrameClosesWith1009() {
    WsClient ws = client();
    ws.write(publishFrameOf("cc-huge", 64 * MAX_FRAME));
    assertEquals(1009, ws.closeCode());
  }

  @Test
  void fragmentedMessageUnderTheLimitIsAccepted() {
    WsClient ws = client();
    ws.subscribe("cc-frag-ok");
    String frame = publishFrameOf("cc-frag-ok", MAX_FRAME);
    int half = frame.length() / 2;
    ws.sendFrame(WebSocketFrame.textFrame(frame.substring(0, half), false));
    ws.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(half)), true));
    assertEquals(
        new JsonObject(frame).getString("data"), ws.nextMessage("cc-frag-ok").getString("data"));
    assertFalse(ws.isClosed());
  }

  /**
   * Each fragment is under the frame limit but the message is not: the limit is on what the server
   * must buffer, so this closes with 1009 too.
   */
  @Test
  void fragmentedMessageOverTheLimitClosesWith1009() {
    WsClient ws = client();
    String frame = publishFrameOf("cc-frag-big", 3 * MAX_FRAME);
    int third = frame.length() / 3;
    // the server may close after the second fragment, so the third write may fail
    ws.writeFrame(WebSocketFrame.textFrame(frame.substring(0, third), false));
    ws.writeFrame(
        WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(third, 2 * third)), false));
    ws.writeFrame(
        WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(2 * third)), true));
    assertEquals(1009, ws.closeCode());
  }

  private static Buffer bytes(int... values) {
    return Bytes.of(values);
  }

  private static Buffer text(String text) {
    return Bytes.utf8(text);
  }

  /** Text messages that are not UTF-8, as the fragments they are sent in. */
  static Stream<Arguments> notUtf8() {
    Buffer start = text("{\"type\":\"ping\",\"id\":1,\"x\":\"");
    return Stream.of(
        Arguments.of("byte FF", List.of(start.copy().appendBuffer(bytes(0xFF)))),
        Arguments.of("overlong NUL", List.of(start.copy().appendBuffer(bytes(0xC0, 0x80)))),
        Arguments.of(
            "encoded surrogate", List.of(start.copy().appendBuffer(bytes(0xED, 0xA0, 0x80)))),
        Arguments.of(
            "above U+10FFFF", List.of(start.copy().appendBuffer(bytes(0xF4, 0x90, 0x80, 0x80)))),
        Arguments.of("cut off at the end", List.of(start.copy().appendBuffer(bytes(0xE2, 0x82)))),
        Arguments.of("bad byte in the second fragment", List.of(start, bytes(0x41, 0xFE))),
        Arguments.of(
            "sequence broken across fragments",
            List.of(start.copy().appendBuffer(bytes(0xE2)), bytes(0x41, 0x22, 0x7D))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notUtf8")
  void textThatIsNotUtf8ClosesWith1007(String name, List<Buffer> fragments) {
    WsClient ws = client();
    for (int i = 0; i < fragments.size(); i++) {
      boolean last = i == fragments.size() - 1;
      // the server may close before the last fragment arrives, so the writes are not awaited
      ws.writeFrame(
          i == 0
              ? WsClient.textFrame(fragments.get(i), last)
              : WebSocketFrame.continuationFrame(fragments.get(i), last));
    }
    assertEquals(1007, ws.closeCode());
  }

  @Test
  void utf8SplitInsideACharacterAcrossFragmentsIsAccepted() {
    WsClient ws = client();
    Buffer frame =
        text("{\"type\":\"publish\",\"id\":1,\"channel\":\"cc-split\"," + "\"data\":\"\u20ac\"}");
    ws.subscribe("cc-split");
    int inside = frame.toString(StandardCharsets.UTF_8).indexOf('\u20ac') + 1;
    ws.sendFrame(WsClient.textFrame(frame.getBuffer(0, inside), false));
    ws.sendFrame(WebSocketFrame.continuationFrame(frame.getBuffer(inside, frame.length()), true));
    assertEquals("\u20ac", ws.nextMessage("cc-split").getString("data"));
    assertFalse(ws.isClosed());
  }

  /** Vert.x's own aggregation lost such a message, logging an IndexOutOfBoundsException. */
  @Test
  void fragmentedMessageWithAnEmptyFirstFragmentIsAnswered() {
    WsClient ws = client();
    ws.sendFrame(WebSocketFrame.textFrame("", false));
    ws.sendFrame(WebSocketFrame.continuationFrame(text("{\"type\":\"ping\",\"id\":7}"), true));
    assertEquals(7, ws.next("pong").getInteger("id"));
    assertFalse(ws.isClosed());
  }

  @Test
  void continuationThatContinuesNothingClosesWith1002() {
    WsClient ws = client();
    ws.writeFrame(WebSocketFrame.continuationFrame(text("{\"type\":\"ping\"}"), true));
    assertEquals(1002, ws.closeCode());
  }

  @Test
  void newMessageInsideAFragmentedOneClosesWith1002() {
    WsClient ws = client();
    ws.writeFrame(WebSocketFrame.textFrame("{\"type\":", false));
    ws.writeFrame(WebSocketFrame.textFrame("{\"type\":\"ping\"}", true));
    assertEquals(1002, ws.closeCode());
  }
}
