package io.switchboard.hub;

import io.netty.buffer.ByteBuf;
import io.switchboard.broker.Publication;
import io.switchboard.protocol.WebSocketTextFrame;
import io.vertx.core.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * A publication encoded for delivery, once per node however many subscribers it has: the
 * WebSocket {@code message} frame, as text and as a wire frame, and, on first use, the SSE
 * {@code data:} payload.
 */
public final class OutboundMessage implements Delivery {
  private final Publication publication;
  private final String offset;
  private final String wsFrame;
  private final ByteBuf wsWireFrame;
  // Lazily built by whichever event loop first needs it. A race builds equal strings twice, which
  // is harmless: String is immutable and safely published through its final fields.
  private String sseData;

  public OutboundMessage(Publication publication) {
    this.publication = publication;
    this.offset = publication.position().encode();
    this.wsFrame = "{\"type\":\"message\"," + body();
    this.wsWireFrame = wireFrame(wsFrame);
  }

  /**
   * The WebSocket text frame of {@code text}, which every socket may write without encoding or
   * framing it again: each write takes a {@code duplicate()} (own indexes, same bytes), and release
   * is a no-op, so the bytes live as long as the message object.
   */
  static ByteBuf wireFrame(String text) {
    return WebSocketTextFrame.of(text.getBytes(StandardCharsets.UTF_8));
  }

  public Publication publication() {
    return publication;
  }

  @Override
  public String channel() {
    return publication.channel();
  }

  public String offset() {
    return offset;
  }

  /** {@code {"type":"message","channel":..,"offset":..,"ts":..,"publisher":..,"data":..}} */
  public String wsFrame() {
    return wsFrame;
  }

  /** {@link #wsFrame()} as a shared WebSocket text frame, header included; write a duplicate. */
  public ByteBuf wsWireFrame() {
    return wsWireFrame;
  }

  /** The same object without {@code type}, as an SSE event's data (PROTOCOL.md section 7). */
  public String sseData() {
    String data = sseData;
    if (data == null) {
      data = "{" + body();
      sseData = data;
    }
    return data;
  }

  @Override
  public void handOver(Handler handler) {
    handler.message(this);
  }

  private String body() {
    // channel names and offsets are restricted to characters JSON needs no escape for
    StringBuilder out = new StringBuilder(64 + publication.data().length());
    out.append("\"channel\":\"")
        .append(publication.channel())
        .append("\",\"offset\":\"")
        .append(offset)
        .append("\",\"ts\":")
        .append(publication.ts());
    if (publication.publisher() != null) {
      out.append(",\"publisher\":").append(Json.encode(publication.publisher()));
    }
    return out.append(",\"data\":").append(publication.data()).append('}').toString();
  }
}
