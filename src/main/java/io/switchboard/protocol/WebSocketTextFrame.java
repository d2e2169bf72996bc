package io.switchboard.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A server's WebSocket text frame on the wire (RFC 6455 section 5.2: final, unmasked, no
 * extension bits), built once per message for every socket that delivers it: each socket writes a
 * {@code duplicate()} straight to its connection, where Netty's frame encoder would take a frame
 * object and build the header once per socket. The buffer is on the heap and unreleasable, so the
 * garbage collector frees it once neither its owner nor a pending write holds it; the epoll
 * transport copies it into a direct buffer as it writes it (a direct frame would need a release
 * nobody could time: the message outlives any one socket's write).
 */
public final class WebSocketTextFrame {
  private static final int FIN_TEXT = 0x81;

  private WebSocketTextFrame() {}

  /** The frame of {@code payload} (UTF-8 text). */
  public static ByteBuf of(byte[] payload) {
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf frame = Unpooled.buffer(header + length, header + length);
    frame.writeByte(FIN_TEXT);
    if (length < 126) {
      frame.writeByte(length);
    } else if (length <= 0xFFFF) {
      frame.writeByte(126).writeShort(length);
    } else {
      frame.writeByte(127).writeLong(length);
    }
    return Unpooled.unreleasableBuffer(frame.writeBytes(payload));
  }
}
