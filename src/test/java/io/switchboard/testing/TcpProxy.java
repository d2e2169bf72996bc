package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of a node, on a free 127.0.0.1 port, for clients whose connections a test
 * cuts: {@link #cut} closes every connection through it (both sides), and
 * {@link #refuseUpgrades} answers WebSocket upgrades 403 while other requests pass, as some
 * corporate proxies do. Bytes are forwarded as they come. Blocking methods are for the JUnit
 * thread.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Pattern UPGRADE = Pattern.compile("(?im)^upgrade:\\s*websocket");
  private static final Buffer REFUSAL =
      Buffer.buffer("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

  private final NetServer server;
  private final NetClient client;
  /** Sockets of both sides: the proxy's connection loops and the JUnit thread touch it. */
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();

  private final AtomicInteger upgradesRefused = new AtomicInteger();
  private volatile boolean refuseUpgrades;

  private TcpProxy(Vertx vertx, int targetPort) {
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(in -> forward(in, targetPort));
  }

  /** A proxy to 127.0.0.1:{@code targetPort}, listening once this returns. */
  public static TcpProxy start(Vertx vertx, int targetPort) {
    TcpProxy proxy = new TcpProxy(vertx, targetPort);
    Await.result(proxy.server.listen(0, "127.0.0.1"));
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** From now on, WebSocket upgrades get 403 and the connection is closed. */
  public void refuseUpgrades(boolean refuse) {
    refuseUpgrades = refuse;
  }

  public int upgradesRefused() {
    return upgradesRefused.get();
  }

  /** Closes every connection through the proxy, and returns once they are closed. */
  public void cut() {
    List<Future<Void>> closed = open.stream().map(NetSocket::close).toList();
    Await.result(Future.join(closed));
  }

  private void forward(NetSocket in, int targetPort) {
    in.pause();
    open.add(in);
    // the sides' errors are their resets, which the close handlers below pass on
    in.exceptionHandler(err -> {});
    client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        in.close();
        return;
      }
      NetSocket out = ar.result();
      open.add(out);
      out.exceptionHandler(err -> {});
      in.closeHandler(v -> {
        open.remove(in);
        out.close();
      });
      out.closeHandler(v -> {
        open.remove(out);
        in.close();
      });
      // the request head decides whether this is an upgrade to refuse; both sides' handlers run
      // on this connection's event loop
      Buffer[] head = {refuseUpgrades ? Buffer.buffer() : null};
      in.handler(chunk -> {
        if (head[0] == null) {
          out.write(chunk);
          return;
        }
        head[0].appendBuffer(chunk);
        String text = head[0].toString(StandardCharsets.ISO_8859_1);
        if (!text.contains("\r\n\r\n")) {
          return;
        }
        Buffer request = head[0];
        head[0] = null;
        if (UPGRADE.matcher(text).find()) {
          upgradesRefused.incrementAndGet();
          out.close();
          in.end(REFUSAL.copy());
        } else {
          out.write(request);
        }
      });
      out.handler(in::write);
      in.resume();
    });
  }

  @Override
  public void close() {
    cut();
    Await.result(server.close());
    Await.result(client.close());
  }
}
