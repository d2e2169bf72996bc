package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;

/**
 * One idle benchmark SSE stream: {@code GET uri} on a plain TCP socket, ready once the stream's
 * first {@code id:} line (the resume point Switchboard sends when every channel is subscribed,
 * PROTOCOL §7) has arrived. A raw socket rather than an HTTP client, so the bench holds no
 * request state per stream; after ready it reads and drops what comes (heartbeat comments).
 */
final class SseStream {
  private static final int MAX_HEAD_BYTES = 8192;

  private final Promise<Void> ready = Promise.promise();
  private Buffer head = Buffer.buffer();

  private SseStream() {}

  /** Opens the stream; the future fails with the status line if the answer is not a 200. */
  static Future<Void> open(
      Vertx vertx, NetClient client, String host, int port, String uri, long timeoutMs) {
    SseStream stream = new SseStream();
    client
        .connect(port, host)
        .onSuccess(socket -> stream.start(socket, host, port, uri))
        .onFailure(stream.ready::tryFail);
    long timer = vertx.setTimer(
        timeoutMs, id -> stream.ready.tryFail("no first event within " + timeoutMs + " ms"));
    return stream.ready.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private void start(NetSocket socket, String host, int port, String uri) {
    socket.handler(this::onData);
    socket.closeHandler(v -> ready.tryFail("closed before the first event"));
    socket.exceptionHandler(ready::tryFail);
    socket.write("GET " + uri + " HTTP/1.1\r\nHost: " + host + ":" + port
        + "\r\nAccept: text/event-stream\r\n\r\n");
  }

  private void onData(Buffer data) {
    if (head == null) {
      return; // ready: an idle stream only gets heartbeat comments, which need no answer
    }
    head.appendBuffer(data);
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/1.1 200")) {
      int eol = text.indexOf('\r');
      if (eol > 0) {
        ready.tryFail("answered " + text.substring(0, eol));
        head = null;
      }
      return;
    }
    if (text.contains("\nid: ")) {
      head = null;
      ready.tryComplete();
    } else if (head.length() > MAX_HEAD_BYTES) {
      ready.tryFail("no id: line in the first " + MAX_HEAD_BYTES + " bytes");
      head = null;
    }
  }
}
