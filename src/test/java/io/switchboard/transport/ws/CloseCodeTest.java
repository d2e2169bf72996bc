package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PROTOCOL.md sections 3 and 4: binary frames close with 1003, frames over the limit with 1009. */
@ExtendWith(VertxExtension.class)
class CloseCodeTest {
  private static final int MAX_FRAME = 1024;

  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx, new JsonObject().put("limits",
        new JsonObject().put("maxFrameBytes", MAX_FRAME)));
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
    String empty = new JsonObject().put("type", "publish").put("id", 1).put("channel", channel)
        .put("data", "").encode();
    return new JsonObject().put("type", "publish").put("id", 1).put("channel", channel)
        .put("data", "x".repeat(bytes - empty.length())).encode();
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
    JsonObject presence = watcher.request(new JsonObject().put("type", "presence")
        .put("channel", "chat:cc-binary"));
    assertEquals(1, presence.getJsonArray("users").getJsonObject(0).getInteger("connections"),
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
    assertEquals(new JsonObject(frame).getString("data"),
        ws.nextMessage("cc-frag-ok").getString("data"));
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
    ws.writeFrame(WebSocketFrame.continuationFrame(
        Buffer.buffer(frame.substring(third, 2 * third)), false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(2 * third)),
        true));
    assertEquals(1009, ws.closeCode());
  }
}
