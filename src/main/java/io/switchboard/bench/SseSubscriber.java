package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/**
 * One benchmark SSE stream ({@code GET /sse?channel=X}, PROTOCOL §7). {@link #open} completes at
 * the stream's first {@code id:} line, which the server sends once the channel is subscribed: a
 * connect costs "request to first event". After that every {@code data:} line is scanned for
 * {@code t}/{@code s} and recorded, as {@link Subscriber} does with frames.
 *
 * <p>It reads a plain TCP socket and takes the chunked transfer encoding off itself, as the
 * WebSocket subscriber reads frames: with Vert.x's HTTP client and a line parser on top, the one
 * load core spent more on each SSE event than on each WebSocket frame, and at 100,000 events a
 * second that showed in the latencies as if it were the server's.
 *
 * <p>Touched only by its connection's event loop, so its state needs no lock.
 */
final class SseSubscriber implements Receiver {
  private static final byte[] GAP = "\"type\":\"gap\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final int MAX_HEAD_BYTES = 8192;

  private final int channelIndex;
  private final int channels;
  private final LatencyRecorder recorder;
  private final Promise<Void> ready = Promise.promise();
  /** Seen sequence numbers of this channel, by s / channels (the publisher round-robins). */
  private final BitSet seen = new BitSet();

  /** The response head until it is complete; null after. */
  private Buffer head = Buffer.buffer();

  private boolean chunked;
  /** Bytes left of the current chunk; -1 while reading a chunk-size line. */
  private long chunkLeft = -1;

  private long chunkSize;
  private boolean inExtension;
  /** The CRLF after a chunk's data: bytes of it still to skip. */
  private int skip;

  private byte[] line = new byte[256];
  private int lineLength;

  SseSubscriber(int channelIndex, int channels, LatencyRecorder recorder) {
    this.channelIndex = channelIndex;
    this.channels = channels;
    this.recorder = recorder;
  }

  Future<Void> open(
      Vertx vertx, NetClient client, String host, int port, String uri, long timeoutMs) {
    client
        .connect(port, host)
        .onSuccess(socket -> start(socket, host, port, uri))
        .onFailure(ready::tryFail);
    long timer =
        vertx.setTimer(timeoutMs, id -> ready.tryFail("not ready within " + timeoutMs + " ms"));
    return ready.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private void start(NetSocket socket, String host, int port, String uri) {
    socket.handler(this::onData);
    socket.closeHandler(v -> {
      recorder.closed(null);
      ready.tryFail("stream ended before ready");
    });
    socket.exceptionHandler(err -> {
      if (!ready.tryFail(err)) {
        recorder.error(err.toString());
      }
    });
    socket.write("GET " + uri + " HTTP/1.1\r\nHost: " + host + ":" + port
        + "\r\nAccept: text/event-stream\r\n\r\n");
  }

  @Override
  public boolean isReady() {
    return ready.future().succeeded();
  }

  private void onData(Buffer data) {
    long now = System.nanoTime();
    byte[] b = data.getBytes();
    int from = 0;
    if (head != null) {
      from = onHead(b);
      if (from < 0) {
        return;
      }
    }
    if (!chunked) {
      lines(b, from, b.length, now);
      return;
    }
    int i = from;
    while (i < b.length) {
      if (skip > 0) {
        skip--;
        i++;
      } else if (chunkLeft < 0) {
        byte c = b[i++];
        if (c == '\n') {
          // a size line of 0 is the last chunk: the stream ended, and its close tells the rest
          chunkLeft = chunkSize == 0 ? -1 : chunkSize;
          chunkSize = 0;
          inExtension = false;
        } else if (c == ';') {
          inExtension = true;
        } else if (!inExtension && Character.digit(c, 16) >= 0) {
          chunkSize = chunkSize * 16 + Character.digit(c, 16);
        }
      } else {
        int end = (int) Math.min(b.length, i + chunkLeft);
        lines(b, i, end, now);
        chunkLeft -= end - i;
        i = end;
        if (chunkLeft == 0) {
          chunkLeft = -1;
          chunkSize = 0;
          skip = 2; // the CRLF that ends the chunk's data
        }
      }
    }
  }

  /** Reads the response head; returns where the body starts, or -1 while the head is not all in. */
  private int onHead(byte[] b) {
    int before = head.length();
    head.appendBytes(b);
    byte[] all = head.getBytes();
    int end = FrameScanner.indexOf(all, 0, all.length, HEAD_END);
    if (end < 0) {
      if (all.length > MAX_HEAD_BYTES) {
        ready.tryFail("no end of the response head in " + MAX_HEAD_BYTES + " bytes");
      }
      return -1;
    }
    String text = new String(all, 0, end, StandardCharsets.ISO_8859_1);
    head = null;
    if (!text.startsWith("HTTP/1.1 200")) {
      int eol = text.indexOf('\r');
      ready.tryFail("HTTP " + (eol > 0 ? text.substring(9, eol) : text));
      return -1;
    }
    chunked = text.toLowerCase().contains("transfer-encoding: chunked");
    return end + HEAD_END.length - before;
  }

  /** Splits b[from, to) into lines, which may continue from the previous data. */
  private void lines(byte[] b, int from, int to, long now) {
    int start = from;
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        if (lineLength == 0) {
          onLine(b, start, i, now);
        } else {
          append(b, start, i);
          onLine(line, 0, lineLength, now);
          lineLength = 0;
        }
        start = i + 1;
      }
    }
    if (start < to) {
      append(b, start, to);
    }
  }

  private void append(byte[] b, int from, int to) {
    int n = to - from;
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + n));
    }
    System.arraycopy(b, from, line, lineLength, n);
    lineLength += n;
  }

  private void onLine(byte[] b, int from, int to, long now) {
    if (startsWith(b, from, to, "id:")) {
      ready.tryComplete(); // the first id: says the channel is subscribed
      return;
    }
    if (!startsWith(b, from, to, "data:")) {
      return; // retry:, event:, ": ping", blank separators
    }
    long t = FrameScanner.t(b, from + 5, to);
    long s = t == FrameScanner.MISSING ? FrameScanner.MISSING : FrameScanner.s(b, from + 5, to);
    if (s == FrameScanner.MISSING) {
      if (FrameScanner.indexOf(b, from + 5, to, GAP) >= 0) {
        recorder.gaps.increment();
      }
      return; // join, leave
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

  private static boolean startsWith(byte[] b, int from, int to, String prefix) {
    if (to - from < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (b[from + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
