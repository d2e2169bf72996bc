package io.switchboard.transport.sse;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SSE {@code id:} value: the last offset of every channel of the stream, so one
 * {@code Last-Event-ID} resumes them all (PROTOCOL.md section 7). Base64url of a JSON object from
 * channel to offset. The format is part of the protocol (docs/protocol.md, SSE): clients build tokens
 * from offsets they got over a WebSocket (clients/js does, when it falls back to SSE).
 */
final class ResumeToken {
  private ResumeToken() {}

  static String encode(Map<String, String> offsets) {
    JsonObject json = new JsonObject();
    offsets.forEach(json::put);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The offsets of a token; empty for a missing or unreadable one (the stream starts fresh). */
  static Map<String, String> decode(String token) {
    if (token == null || token.isBlank()) {
      return Map.of(); // shared: an open stream keeps what this returns
    }
    Map<String, String> offsets = new LinkedHashMap<>();
    try {
      JsonObject json = new JsonObject(
          new String(Base64.getUrlDecoder().decode(token.trim()), StandardCharsets.UTF_8));
      json.forEach(e -> {
        if (e.getValue() instanceof String offset) {
          offsets.put(e.getKey(), offset);
        }
      });
    } catch (RuntimeException e) {
      // not one of our tokens: resume nothing rather than refuse the stream
      offsets.clear();
    }
    return offsets;
  }
}
