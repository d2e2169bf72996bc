package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends bytes that HTTP clients refuse to send (a malformed request line, a bad %-escape in an
 * upgrade's URI, garbage) over a plain TCP connection, and reads back one response.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A response: its status (0 when the server closed without one) and body. */
  public record Response(int status, String body) {}

  public static Response exchange(Vertx vertx, int port, Buffer request) {
    NetClient client = vertx.createNetClient();
    try {
      return Await.result(send(client, port, request), Duration.ofSeconds(10));
    } finally {
      client.close();
    }
  }

  /**
   * On a connection of its own; completes once a whole response (by Content-Length) arrived or
   * the server closed.
   */
  public static Future<Response> send(NetClient client, int port, Buffer request) {
    Promise<Response> response = Promise.promise();
    Buffer received = Buffer.buffer();
    client.connect(port, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        response.tryFail(connected.cause());
        return;
      }
      NetSocket socket = connected.result();
      socket.handler(chunk -> {
        received.appendBuffer(chunk);
        Response whole = parse(received, false);
        if (whole != null) {
          response.tryComplete(whole);
          socket.close();
        }
      });
      socket.closeHandler(v -> response.tryComplete(parse(received, true)));
      socket.write(request);
    });
    return response.future();
  }

  private static Response parse(Buffer bytes, boolean closed) {
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return closed ? new Response(0, text) : null;
    }
    String head = text.substring(0, end);
    String[] statusLine = head.split("\r\n", 2)[0].split(" ");
    int status = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : 0;
    int length = -1;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    int bodyStart = end + 4;
    if (length >= 0 && bytes.length() >= bodyStart + length) {
      return new Response(status, bytes.getString(bodyStart, bodyStart + length, "UTF-8"));
    }
    if (length < 0 && (closed || status == 101)) {
      return new Response(status, bytes.getString(bodyStart, bytes.length(), "UTF-8"));
    }
    return closed ? new Response(status, bytes.getString(bodyStart, bytes.length(), "UTF-8"))
        : null;
  }

  /** A WebSocket upgrade request for {@code uri}, sent as is. */
  public static Buffer upgrade(String uri) {
    return Buffer.buffer("GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n");
  }
}
