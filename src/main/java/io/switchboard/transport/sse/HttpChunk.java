package io.switchboard.transport.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 chunk ({@code <size in hex>\r\n<bytes>\r\n}) around SSE bytes, made before they
 * reach the connection's HTTP encoder, so that an event encoded once per event loop is framed once
 * too ({@link SharedEvents}). Framed by Netty's encoder, every stream would allocate a size line
 * per event and hand the kernel three buffers (a profile of 10,000 streams at one event a second
 * showed {@code writev} taking a third more time than WebSocket's single-buffer {@code send}).
 * The framing is the encoder's own: a lower-case hex size, no extensions.
 */
final class HttpChunk {
  private static final byte[] CRLF = {'\r', '\n'};

  private HttpChunk() {}

  /** One buffer holding the chunk of {@code content} (not empty: an empty chunk ends a stream). */
  static byte[] of(byte[] content) {
    byte[] size = sizeLine(content.length);
    byte[] chunk = new byte[size.length + content.length + CRLF.length];
    System.arraycopy(size, 0, chunk, 0, size.length);
    System.arraycopy(content, 0, chunk, size.length, content.length);
    System.arraycopy(CRLF, 0, chunk, size.length + content.length, CRLF.length);
    return chunk;
  }

  /** The chunk of the parts' bytes together, without copying them. */
  static ByteBuf of(ByteBuf... parts) {
    int length = 0;
    for (ByteBuf part : parts) {
      length += part.readableBytes();
    }
    ByteBuf[] framed = new ByteBuf[parts.length + 2];
    framed[0] = Unpooled.wrappedBuffer(sizeLine(length));
    System.arraycopy(parts, 0, framed, 1, parts.length);
    framed[framed.length - 1] = Unpooled.wrappedBuffer(CRLF);
    return Unpooled.wrappedBuffer(framed);
  }

  static byte[] of(String content) {
    return of(content.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sizeLine(int length) {
    return (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }
}
