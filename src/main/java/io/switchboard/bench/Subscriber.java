package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * One benchmark WebSocket connection. {@link #open} completes once the connection is usable:
 * upgraded (baseline), welcomed (Switchboard idle) or welcomed and subscribed (Switchboard
 * fanout). After that every data frame is scanned for {@code t}/{@code s} and recorded.
 *
 * <p>Touched only by its connection's event loop, so the seen-set needs no lock.
 */
final class Subscriber {
  private static final String PONG = "{\"type\":\"pong\"}";

  private final Target target;
  private final String channel; // null: idle, no subscribe
  private final int channelIndex;
  private final int channels;
  private final boolean batch;
  private final LatencyRecorder recorder;
  private final Promise<Void> ready = Promise.promise();
  /** Seen sequence numbers of this channel, indexed by s / channels (the publisher round-robins). */
  private final BitSet seen = new BitSet();

  private ClientWebSocket ws;

  Subscriber(
      Target target,
      String channel,
      int channelIndex,
      int channels,
      boolean batch,
      LatencyRecorder recorder) {
    this.target = target;
    this.channel = channel;
    this.channelIndex = channelIndex;
    this.channels = channels;
    this.batch = batch;
    this.recorder = recorder;
  }

  Future<Void> open(
      Vertx vertx, WebSocketClient client, WebSocketConnectOptions options, long timeoutMs) {
    ws = client.webSocket();
    ws.handler(this::onData);
    ws.closeHandler(v -> {
      recorder.closed(ws.closeStatusCode());
      ready.tryFail("closed before ready, code " + ws.closeStatusCode());
    });
    ws.exceptionHandler(err -> {
      if (!ready.tryFail(err)) {
        recorder.error(err.toString()); // after ready: the run's figures must show it
      }
    });
    ws.connect(options)
        .onSuccess(w -> {
          if (!target.sendsWelcome()) {
            ready.tryComplete();
          }
        })
        .onFailure(ready::tryFail);
    long timer =
        vertx.setTimer(timeoutMs, id -> ready.tryFail("not ready within " + timeoutMs + " ms"));
    return ready.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  /** Read from the bench main thread once the connect phase is over. */
  boolean isReady() {
    return ready.future().succeeded();
  }

  private void onData(Buffer buffer) {
    long now = System.nanoTime();
    byte[] b = buffer.getBytes();
    if (!batch) {
      onObject(b, 0, b.length, now);
      return;
    }
    // ?batch=1: one frame may pack several objects separated by \n (PROTOCOL §3)
    int start = 0;
    for (int i = 0; i <= b.length; i++) {
      if (i == b.length || b[i] == '\n') {
        if (i > start) {
          onObject(b, start, i, now);
        }
        start = i + 1;
      }
    }
  }

  private void onObject(byte[] b, int from, int to, long now) {
    long t = FrameScanner.t(b, from, to);
    long s = t == FrameScanner.MISSING ? FrameScanner.MISSING : FrameScanner.s(b, from, to);
    if (s == FrameScanner.MISSING) {
      onControl(new String(b, from, to - from, StandardCharsets.UTF_8));
      return;
    }
    if (s % channels != channelIndex) {
      recorder.misrouted.increment();
      return;
    }
    int index = (int) (s / channels);
    if (seen.get(index)) {
      recorder.duplicates.increment();
      return;
    }
    seen.set(index);
    recorder.record(now - t, now);
  }

  /** Frames other than benchmark messages are rare, so a real JSON parse is fine here. */
  private void onControl(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException e) {
      recorder.error("not JSON: " + abbreviate(text));
      return;
    }
    String type = frame.getString("type", "");
    switch (type) {
      case "welcome":
        if (channel == null || !target.needsSubscribe()) {
          ready.tryComplete();
        } else {
          ws.writeTextMessage(new JsonObject()
              .put("type", "subscribe")
              .put("id", 1)
              .put("channel", channel)
              .encode());
        }
        break;
      case "ack":
        ready.tryComplete();
        break;
      case "ping":
        // the reaper closes silent connections (PROTOCOL §5)
        ws.writeTextMessage(PONG);
        break;
      case "gap":
        recorder.gaps.increment();
        break;
      case "error":
        recorder.error(abbreviate(text));
        ready.tryFail("error frame: " + abbreviate(text));
        break;
      default:
        // pong, join/leave and messages without t/s are not ours to measure
        break;
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
