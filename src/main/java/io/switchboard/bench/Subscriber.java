package io.switchboard.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * One benchmark WebSocket connection. {@link #open} completes once the connection is usable:
 * upgraded (baseline), welcomed (Switchboard idle) or welcomed and subscribed (Switchboard
 * fanout, and the baseline's {@code ?handshake=1}). After that every data frame is scanned for
 * {@code t}/{@code s} and recorded.
 *
 * <p>A resuming subscriber (the storm) also keeps the offset of the last message it got; {@link
 * #cut} closes its connection and {@link #open} it again subscribes with {@code since} that
 * offset, counting replayed messages apart from live ones until it has caught up with the ack's
 * offset.
 *
 * <p>Touched only by its connection's event loop, so the seen-set needs no lock.
 */
final class Subscriber implements Receiver {
  private static final String PONG = "{\"type\":\"pong\"}";
  private static final byte[] OFFSET_KEY = {'"', 'o', 'f', 'f', 's', 'e', 't', '"', ':', '"'};

  private final Target target;
  private final String channel; // null: idle, no subscribe
  private final int channelIndex;
  private final int channels;
  private final boolean batch;
  private final LatencyRecorder recorder;
  /** Seen sequence numbers of this channel, indexed by s / channels (the publisher round-robins). */
  private final BitSet seen = new BitSet();

  private Promise<Void> ready = Promise.promise();
  private ClientWebSocket ws;
  private Context context;
  /** The baseline's ?handshake=1: it sends welcome and answers subscribe as Switchboard does. */
  private boolean handshake;

  private ResumeCounters resume; // null: not a resuming subscriber
  /** Set by the bench thread, run once by the event loop when the live connection closes. */
  private volatile Runnable onDropped;

  private String lastOffset;
  private long lastOffsetSeq = -1;
  private boolean resuming;
  private long ackOffsetSeq = -1;
  private boolean caughtUp;

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

  /** Expects the baseline's protocol-shaped handshake ({@link Target#handshakeUri()}). */
  Subscriber handshaking() {
    handshake = true;
    return this;
  }

  /** Keeps the last offset, so {@link #cut} and {@link #open} resume with {@code since}. */
  Subscriber resuming(ResumeCounters counters) {
    resume = counters;
    return this;
  }

  private boolean sendsWelcome() {
    return handshake || target.sendsWelcome();
  }

  private boolean needsSubscribe() {
    return handshake || target.needsSubscribe();
  }

  /**
   * Connects (again, after {@link #cut}); completes once usable. Each connection has its own
   * promise and socket in the handlers, so a late close of the previous one cannot fail this one.
   */
  Future<Void> open(
      Vertx vertx, WebSocketClient client, WebSocketConnectOptions options, long timeoutMs) {
    Promise<Void> promise = Promise.promise();
    ClientWebSocket socket = client.webSocket();
    context = vertx.getOrCreateContext();
    ready = promise;
    ws = socket;
    resuming = lastOffset != null;
    caughtUp = false;
    socket.handler(buffer -> {
      if (socket == ws) { // not a stale attempt that a retry has replaced
        onData(buffer);
      }
    });
    socket.closeHandler(v -> {
      recorder.closed(socket.closeStatusCode());
      if (!promise.tryFail("closed before ready, code " + socket.closeStatusCode())
          && socket == ws) {
        dropped();
      }
    });
    socket.exceptionHandler(err -> {
      if (!promise.tryFail(err)) {
        recorder.error(err.toString()); // after ready: the run's figures must show it
      }
    });
    Future<WebSocket> connecting = socket.connect(options);
    connecting
        .onSuccess(w -> {
          if (!sendsWelcome()) {
            promise.tryComplete();
          }
        })
        .onFailure(promise::tryFail);
    long timer =
        vertx.setTimer(timeoutMs, id -> promise.tryFail("not ready within " + timeoutMs + " ms"));
    return promise.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        // a late handshake must not leave a second live connection behind
        connecting.onSuccess(WebSocket::close);
      }
    });
  }

  /**
   * Runs {@code action} (once) when the connection closes after it was ready, whoever closed it:
   * a storm reconnects from there, after its own cut or a drain.
   */
  void onDropped(Runnable action) {
    onDropped = action;
  }

  private void dropped() {
    Runnable action = onDropped;
    onDropped = null;
    if (action != null) {
      action.run();
    }
  }

  /** The context the connection was opened on: where {@link #cut} and a reopen must run. */
  Context context() {
    return context;
  }

  /** Closes the connection from the client side (a storm's cut); runs on its event loop. */
  Future<Void> cut() {
    return ws == null ? Future.succeededFuture() : ws.close();
  }

  /** Read from the bench main thread once the connect phase is over. */
  @Override
  public boolean isReady() {
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
    boolean replay = resume != null && trackOffset(b, from, to, now);
    int index = (int) (s / channels);
    if (seen.get(index)) {
      recorder.duplicates.increment();
      return;
    }
    seen.set(index);
    if (replay) {
      recorder.count(now); // its latency is how long the client was away, not the server's
    } else {
      recorder.record(now - t, now);
    }
  }

  /** Notes a message's offset; true if it is a replay of what this subscriber missed. */
  private boolean trackOffset(byte[] b, int from, int to, long now) {
    int i = FrameScanner.indexOf(b, from, to, OFFSET_KEY);
    if (i < 0) {
      return false;
    }
    int start = i + OFFSET_KEY.length;
    int end = start;
    while (end < to && b[end] != '"') {
      end++;
    }
    lastOffset = new String(b, start, end - start, StandardCharsets.US_ASCII);
    lastOffsetSeq = offsetSeq(lastOffset);
    if (!resuming || caughtUp) {
      return false;
    }
    resume.replayed.increment();
    checkCaughtUp(now);
    return true;
  }

  private void checkCaughtUp(long now) {
    if (!caughtUp && ackOffsetSeq >= 0 && lastOffsetSeq >= ackOffsetSeq) {
      caughtUp = true;
      resume.caughtUp.increment();
      resume.lastCaughtUpNanos.accumulate(now);
    }
  }

  /** The sequence part of an offset ("17-3f9c1a2b" is 17); -1 if it has none. */
  private static long offsetSeq(String offset) {
    int dash = offset == null ? -1 : offset.indexOf('-');
    try {
      return dash < 0 ? -1 : Long.parseLong(offset, 0, dash, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A resuming subscriber's ack: before a cut, where it starts; after one, it is back. */
  private void onAck(JsonObject frame) {
    String offset = frame.getString("offset");
    if (!resuming) {
      if (lastOffset == null) {
        lastOffset = offset; // a resume point even if no message comes before the cut
        lastOffsetSeq = offsetSeq(offset);
      }
      return;
    }
    long now = System.nanoTime();
    resume.back.increment();
    resume.lastBackNanos.accumulate(now);
    resume.backTimes.record(now - resume.cutNanos, now);
    if (!frame.getBoolean("recovered", false)) {
      resume.notRecovered.increment();
    }
    ackOffsetSeq = offsetSeq(offset);
    checkCaughtUp(now);
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
        if (channel == null || !needsSubscribe()) {
          ready.tryComplete();
        } else {
          JsonObject subscribe =
              new JsonObject().put("type", "subscribe").put("id", 1).put("channel", channel);
          if (resume != null && lastOffset != null) {
            subscribe.put("since", lastOffset);
          }
          ws.writeTextMessage(subscribe.encode());
        }
        break;
      case "ack":
        if (resume != null) {
          onAck(frame);
        }
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
