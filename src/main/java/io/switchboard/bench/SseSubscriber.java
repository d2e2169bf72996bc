package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * One benchmark SSE stream ({@code GET /sse?channel=X}, PROTOCOL §7). {@link #open} completes at
 * the stream's first {@code id:} line, which the server sends once the channel is subscribed: a
 * connect costs "request to first event". After that every {@code data:} line is scanned for
 * {@code t}/{@code s} and recorded, as {@link Subscriber} does with frames.
 *
 * <p>Touched only by its connection's event loop, so the seen-set needs no lock.
 */
final class SseSubscriber implements Receiver {
  private static final byte[] GAP = "\"type\":\"gap\"".getBytes(StandardCharsets.UTF_8);

  private final int channelIndex;
  private final int channels;
  private final LatencyRecorder recorder;
  private final Promise<Void> ready = Promise.promise();
  /** Seen sequence numbers of this channel, by s / channels (the publisher round-robins). */
  private final BitSet seen = new BitSet();

  SseSubscriber(int channelIndex, int channels, LatencyRecorder recorder) {
    this.channelIndex = channelIndex;
    this.channels = channels;
    this.recorder = recorder;
  }

  Future<Void> open(
      Vertx vertx, HttpClientAgent http, String host, int port, String uri, long timeoutMs) {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(host)
        .setPort(port)
        .setURI(uri)
        .putHeader("accept", "text/event-stream");
    http.request(request)
        .compose(req -> req.send())
        .onSuccess(resp -> {
          if (resp.statusCode() != 200) {
            ready.tryFail("HTTP " + resp.statusCode());
            return;
          }
          // events arrive split across chunks at any byte; the parser hands over whole lines
          resp.handler(RecordParser.newDelimited("\n", this::onLine));
          resp.endHandler(v -> {
            recorder.closed(null);
            ready.tryFail("stream ended before ready");
          });
          resp.exceptionHandler(err -> {
            if (!ready.tryFail(err)) {
              recorder.error(err.toString());
            }
          });
        })
        .onFailure(ready::tryFail);
    long timer =
        vertx.setTimer(timeoutMs, id -> ready.tryFail("not ready within " + timeoutMs + " ms"));
    return ready.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  @Override
  public boolean isReady() {
    return ready.future().succeeded();
  }

  private void onLine(Buffer line) {
    long now = System.nanoTime();
    byte[] b = line.getBytes();
    if (startsWith(b, "id:")) {
      ready.tryComplete(); // the first id: says the channel is subscribed
      return;
    }
    if (!startsWith(b, "data:")) {
      return; // retry:, event:, ": ping", blank separators
    }
    long t = FrameScanner.t(b, 5, b.length);
    long s = t == FrameScanner.MISSING ? FrameScanner.MISSING : FrameScanner.s(b, 5, b.length);
    if (s == FrameScanner.MISSING) {
      if (FrameScanner.indexOf(b, 5, b.length, GAP) >= 0) {
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

  private static boolean startsWith(byte[] b, String prefix) {
    if (b.length < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (b[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
