package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Opens many subscribers with a bounded number of handshakes in flight. Each of the
 * {@code handshakes} lanes opens one connection at a time and starts the next when it is ready
 * or failed; lanes start on fresh contexts, so with several bench event loops the connections
 * spread over them. One {@link WebSocketClient} (and, for SSE streams, one HTTP client) per local
 * address 127.0.0.1..127.0.0.k, so a run is not limited to one address's ephemeral ports.
 */
final class Connector implements AutoCloseable {
  /** How long one connection may take from connect to ready before it counts as failed. */
  private static final long READY_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final int localAddresses;
  private final List<WebSocketClient> clients = new ArrayList<>();
  /**
   * Made on the first SSE stream (most runs open none); raw TCP, so 19,000 streams cost the bench
   * little and an event costs its reader about what a frame costs a WebSocket subscriber.
   */
  private final List<NetClient> sseClients = new ArrayList<>();

  /** Outcome of {@link #open}. */
  record Opened(int ready, int failed, long elapsedNanos, String firstFailure) {
    double perSecond() {
      return elapsedNanos == 0 ? 0 : ready * 1e9 / elapsedNanos;
    }

    /** The subscribe figures every load reports for {@code subscribers} over {@code channels}. */
    JsonObject subscribeFigures(int subscribers, int channels) {
      JsonObject figures = new JsonObject()
          .put("subscribers", subscribers)
          .put("channels", channels)
          .put("subscribed", ready)
          .put("subscribeFailed", failed)
          .put("subscribePerSec", IdleLoad.round(perSecond()));
      if (firstFailure != null) {
        figures.put("firstFailure", firstFailure);
      }
      return figures;
    }
  }

  Connector(Vertx vertx, int localAddresses, int maxConnections) {
    this.vertx = vertx;
    this.localAddresses = localAddresses;
    for (int i = 1; i <= localAddresses; i++) {
      WebSocketClientOptions options = new WebSocketClientOptions()
          // the default (50 per server) would queue every connection after the 50th
          .setMaxConnections(maxConnections + 1)
          .setConnectTimeout((int) READY_TIMEOUT_MS);
      if (localAddresses > 1) {
        // Binding before connect makes the kernel search for a free port per bind (mostly
        // system time, slower as ports fill up), so only do it when more addresses are asked
        // for; with one, connect() picks 127.0.0.1 and a port on its faster path anyway.
        options.setLocalAddress("127.0.0." + i);
      }
      clients.add(vertx.createWebSocketClient(options));
    }
  }

  /**
   * Opens {@code count} subscribers made by {@code factory} (given the index) to host:port/uri,
   * waiting at most {@code timeoutMs} in all. Blocks the calling (non event-loop) thread.
   */
  Opened open(
      int count,
      IntFunction<Subscriber> factory,
      IntFunction<String> uri,
      String host,
      int port,
      int handshakes,
      long timeoutMs)
      throws InterruptedException {
    return open(
        count,
        i -> {
          WebSocketConnectOptions options = new WebSocketConnectOptions()
              .setHost(host)
              .setPort(port)
              .setURI(uri.apply(i))
              .setTimeout(READY_TIMEOUT_MS);
          return factory.apply(i).open(vertx, webSocketClient(i), options, READY_TIMEOUT_MS);
        },
        handshakes,
        timeoutMs);
  }

  /** Opens {@code count} SSE streams made by {@code factory} to host:port/uri, as above. */
  Opened openSse(
      int count,
      IntFunction<SseSubscriber> factory,
      IntFunction<String> uri,
      String host,
      int port,
      int handshakes,
      long timeoutMs)
      throws InterruptedException {
    return open(
        count,
        i -> factory.apply(i).open(vertx, sseClient(i), host, port, uri.apply(i), READY_TIMEOUT_MS),
        handshakes,
        timeoutMs);
  }

  /**
   * Opens {@code count} idle SSE streams to host:port/uri (see {@link SseStream}), as {@link
   * #open(int, IntFunction, IntFunction, String, int, int, long)} opens WebSockets.
   */
  Opened openIdleSse(int count, String uri, String host, int port, int handshakes, long timeoutMs)
      throws InterruptedException {
    return open(
        count,
        i -> SseStream.open(vertx, sseClient(i), host, port, uri, READY_TIMEOUT_MS),
        handshakes,
        timeoutMs);
  }

  /** Runs on a bench event loop (the lanes' contexts), hence synchronized. */
  private synchronized NetClient sseClient(int i) {
    if (sseClients.isEmpty()) {
      for (int a = 1; a <= localAddresses; a++) {
        NetClientOptions options = new NetClientOptions().setConnectTimeout((int) READY_TIMEOUT_MS);
        if (localAddresses > 1) {
          options.setLocalAddress("127.0.0." + a); // see the WebSocket clients
        }
        sseClients.add(vertx.createNetClient(options));
      }
    }
    return sseClients.get(i % sseClients.size());
  }

  /** The WebSocket client of connection {@code i}: connections spread over the local addresses. */
  WebSocketClient webSocketClient(int i) {
    return clients.get(i % clients.size());
  }

  /**
   * Runs {@code connect} for indexes 0..count-1 with at most {@code handshakes} in flight; its
   * future completes once connection i is ready or failed. Blocks the calling (non event-loop)
   * thread at most {@code timeoutMs}.
   */
  Opened open(int count, IntFunction<Future<Void>> connect, int handshakes, long timeoutMs)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ready = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    int lanes = Math.max(1, Math.min(handshakes, count));
    CountDownLatch lanesDone = new CountDownLatch(lanes);
    long start = System.nanoTime();
    for (int lane = 0; lane < lanes; lane++) {
      vertx
          .getOrCreateContext()
          .runOnContext(v -> new Runnable() {
            @Override
            public void run() {
              int i = next.getAndIncrement();
              if (i >= count) {
                lanesDone.countDown();
                return;
              }
              connect.apply(i).onComplete(ar -> {
                if (ar.succeeded()) {
                  ready.incrementAndGet();
                } else {
                  failed.incrementAndGet();
                  firstFailure.compareAndSet(null, String.valueOf(ar.cause().getMessage()));
                }
                run();
              });
            }
          }.run());
    }
    if (!lanesDone.await(timeoutMs, TimeUnit.MILLISECONDS)) {
      next.set(count); // stop the lanes; what is open stays open
      firstFailure.compareAndSet(null, "connect phase timed out after " + timeoutMs + " ms");
    }
    long elapsed = System.nanoTime() - start;
    return new Opened(
        ready.get(),
        failed.get() + Math.max(0, count - ready.get() - failed.get()),
        elapsed,
        firstFailure.get());
  }

  /** Closes every connection; waits a bounded time, since a run must never hang. */
  @Override
  public void close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (WebSocketClient client : clients) {
      closing.add(client.close());
    }
    synchronized (this) {
      for (NetClient client : sseClients) {
        closing.add(client.close());
      }
    }
    try {
      Future.join(closing).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("bench: closing connections did not finish in time: " + e);
    }
  }
}
