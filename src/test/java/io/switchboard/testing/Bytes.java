package io.switchboard.testing;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Test input as bytes, UTF-8 or deliberately not. */
public final class Bytes {
  private Bytes() {}

  public static Buffer utf8(String text) {
    return Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code before}, then the raw byte values, then {@code after}. */
  public static Buffer of(String before, int[] raw, String after) {
    Buffer buffer = utf8(before);
    for (int b : raw) {
      buffer.appendByte((byte) b);
    }
    return buffer.appendBuffer(utf8(after));
  }

  public static Buffer of(int... raw) {
    return of("", raw, "");
  }

  /** Whether the bytes are UTF-8 as RFC 3629 defines it. */
  public static boolean isUtf8(Buffer bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.getBytes()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
