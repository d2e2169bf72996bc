package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.SseReader;
import io.switchboard.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What the clients of a cross-node test were sent, read the same way for WebSocket and SSE. */
final class Received {
  /** How long a state held in Redis or another node may take to show. */
  static final long SETTLE_DEADLINE_MS = 5_000;

  private Received() {}

  /** Every message frame the client was sent so far, in arrival order. */
  static List<JsonObject> messages(WsClient ws) {
    return ws.received().stream()
        .filter(f -> "message".equals(f.getString("type")))
        .toList();
  }

  /** Every message event of the stream so far, as message frames without type. */
  static List<JsonObject> messages(SseReader sse) {
    return sse.received().stream()
        .filter(e -> "message".equals(e.event()))
        .map(SseReader.Event::json)
        .toList();
  }

  /** The numeric part of an offset {@code <n>-<epoch>}. */
  static long number(String offset) {
    return Long.parseLong(offset.substring(0, offset.indexOf('-')));
  }

  static String epoch(String offset) {
    return offset.substring(offset.indexOf('-') + 1);
  }

  /**
   * The "nothing more arrives" window, once for every client of a test: call it after everything
   * expected arrived, then compare what each client holds.
   */
  static void quietWindow() {
    try {
      Thread.sleep(Await.QUIET_WINDOW.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Polls {@code value} until it equals {@code expected}, for state no event announces (Redis
   * subscriptions, presence after a close).
   */
  static <T> void eventually(Supplier<T> value, T expected, String what) {
    long deadline = System.currentTimeMillis() + SETTLE_DEADLINE_MS;
    T current = value.get();
    while (!expected.equals(current) && System.currentTimeMillis() < deadline) {
      pause();
      current = value.get();
    }
    assertEquals(expected, current, what);
  }

  static void eventually(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + SETTLE_DEADLINE_MS;
    while (!condition.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, what);
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
