package io.switchboard.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Queue;

/**
 * A TCP connection that speaks HTTP/1.1 by hand, a byte at a time if asked: what a slowloris
 * client does, and what request-head deadlines and connection counts need to be tested with.
 * Handlers run on the socket's event loop; the test thread waits on futures.
 */
public final class RawConnection {
  /** A complete request head of a plain GET, keep-alive. */
  public static final String GET_HEALTH = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
  /** A complete WebSocket upgrade head for /ws. */
  public static final String WS_UPGRADE = "GET /ws HTTP/1.1\r\nHost: localhost\r\n"
      + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

  private final NetSocket socket;
  private final Context context;
  private final long openedNanos;
  private final Promise<Long> closed = Promise.promise();
  // guarded by this: bytes received and not yet handed out as a response, and who waits for one
  private final StringBuilder unread = new StringBuilder();
  private final Queue<Promise<String>> waiting = new ArrayDeque<>();
  private long receivedNanos;
  private long trickle = -1;

  private RawConnection(NetSocket socket, Context context) {
    this.socket = socket;
    this.context = context;
    this.openedNanos = System.nanoTime();
    socket.handler(this::received);
    socket.closeHandler(v -> {
      cancelTrickle();
      closed.tryComplete(System.nanoTime());
    });
  }

  /** Connects from the JUnit thread. */
  public static RawConnection open(Vertx vertx, NetClient client, int port) {
    return Await.result(connect(vertx, client, port));
  }

  /**
   * Connects on a Vert.x context, so the handlers are set on the socket's event loop before it
   * reads anything. For many connections at once, join the futures.
   */
  public static Future<RawConnection> connect(Vertx vertx, NetClient client, int port) {
    Context context = vertx.getOrCreateContext();
    Promise<RawConnection> connected = Promise.promise();
    context.runOnContext(v -> client
        .connect(port, "127.0.0.1")
        .map(socket -> new RawConnection(socket, context))
        .onComplete(connected));
    return connected.future();
  }

  /** System.nanoTime() when the connection was made, client side. */
  public long openedNanos() {
    return openedNanos;
  }

  public void send(String text) {
    Await.result(socket.write(text));
  }

  /** Writes any bytes (not only text), without waiting. */
  public Future<Void> write(Buffer bytes) {
    return socket.write(bytes);
  }

  /**
   * Writes {@code text} one byte every {@code intervalMs}, the first at once, until it is all
   * written or the connection closes.
   */
  public void trickle(String text, long intervalMs) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    context.runOnContext(v -> {
      int[] next = {0};
      socket.write(Buffer.buffer(new byte[] {bytes[next[0]++]}));
      trickle = context.owner().setPeriodic(intervalMs, id -> {
        if (next[0] >= bytes.length) {
          cancelTrickle();
          return;
        }
        // a write after the server closed fails: the close handler stops the trickle
        socket.write(Buffer.buffer(new byte[] {bytes[next[0]++]}));
      });
    });
  }

  /** The next complete response (head and Content-Length body), as text. */
  public String nextResponse() {
    return Await.result(response());
  }

  /** {@link #nextResponse()} without waiting: completes when it has arrived. */
  public Future<String> response() {
    Promise<String> response = Promise.promise();
    synchronized (this) {
      waiting.add(response);
      handOut();
    }
    return response.future();
  }

  /** The status code of a response {@link #nextResponse} returned. */
  public static int status(String response) {
    return Integer.parseInt(
        response.substring(response.indexOf(' ') + 1, response.indexOf(' ') + 4));
  }

  /** The body of a response {@link #nextResponse} returned. */
  public static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  /** System.nanoTime() when the last bytes arrived, on the socket's event loop. */
  public synchronized long receivedNanos() {
    return receivedNanos;
  }

  /** Everything received and not handed out as a response. */
  public synchronized String unread() {
    return unread.toString();
  }

  /** System.nanoTime() when the server closed the connection (or it was closed here). */
  public Future<Long> closed() {
    return closed.future();
  }

  public boolean isClosed() {
    return closed.future().isComplete();
  }

  public void close() {
    Await.result(closing());
  }

  /** Closes the connection; completes once it is closed. */
  public Future<Void> closing() {
    context.runOnContext(v -> cancelTrickle());
    return socket.close();
  }

  private void received(Buffer data) {
    synchronized (this) {
      receivedNanos = System.nanoTime();
      unread.append(data.toString(StandardCharsets.ISO_8859_1));
      handOut();
    }
  }

  private void handOut() {
    while (!waiting.isEmpty()) {
      int length = responseLength(unread);
      if (length < 0) {
        return;
      }
      String response = unread.substring(0, length);
      unread.delete(0, length);
      waiting.poll().complete(response);
    }
  }

  /** The length of the first complete response in {@code text}, or -1 if it is not all there. */
  private static int responseLength(CharSequence text) {
    String s = text.toString();
    int headEnd = s.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return -1;
    }
    int bodyLength = 0;
    for (String line : s.substring(0, headEnd).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        bodyLength = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    int length = headEnd + 4 + bodyLength;
    return s.length() >= length ? length : -1;
  }

  private void cancelTrickle() {
    if (trickle >= 0) {
      context.owner().cancelTimer(trickle);
      trickle = -1;
    }
  }
}
