package io.switchboard.testing;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ordinary clients next to a flood: one WebSocket publishing to {@code channel} every
 * {@code everyMs}, each message carrying its send time, and another subscribed to it, recording
 * how long each message took to arrive (both ends in this JVM: one clock).
 */
public final class LatencyProbe {
  private final Vertx vertx;
  private final String channel;
  private final WebSocketClient client;
  private final List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger gaps = new AtomicInteger();
  private WebSocket publisher;
  // written by the timer's context, read by the JUnit thread
  private volatile int sent;
  private volatile long timer = -1;

  private LatencyProbe(Vertx vertx, String channel) {
    this.vertx = vertx;
    this.channel = channel;
    this.client = vertx.createWebSocketClient();
  }

  /** Connects both clients and subscribes one; returns once subscribed. */
  public static LatencyProbe connect(Vertx vertx, int port, String channel) {
    LatencyProbe probe = new LatencyProbe(vertx, channel);
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws");
    Promise<Void> subscribed = Promise.promise();
    Promise<WebSocket> publisher = Promise.promise();
    vertx.getOrCreateContext().runOnContext(go -> {
      probe.client.connect(options).onFailure(subscribed::tryFail).onSuccess(socket -> {
        socket.textMessageHandler(
            text -> probe.onSubscriberFrame(socket, new JsonObject(text), subscribed));
        socket.writeTextMessage(new JsonObject()
            .put("type", "subscribe")
            .put("id", 1)
            .put("channel", channel)
            .encode());
      });
      probe.client.connect(options).onFailure(publisher::tryFail).onSuccess(socket -> {
        socket.textMessageHandler(text -> probe.onPublisherFrame(socket, new JsonObject(text)));
        publisher.complete(socket);
      });
    });
    Await.result(subscribed.future());
    probe.publisher = Await.result(publisher.future());
    return probe;
  }

  private void onSubscriberFrame(WebSocket socket, JsonObject frame, Promise<Void> subscribed) {
    switch (frame.getString("type")) {
      case "ack" -> subscribed.tryComplete();
      case "welcome" -> {}
      case "ping" -> socket.writeTextMessage("{\"type\":\"pong\"}");
      case "message" ->
        latenciesNanos.add(System.nanoTime() - frame.getJsonObject("data").getLong("t"));
      case "gap" -> gaps.incrementAndGet();
      default -> failures.add(frame.encode());
    }
  }

  private void onPublisherFrame(WebSocket socket, JsonObject frame) {
    switch (frame.getString("type")) {
      case "ack", "welcome" -> {}
      case "ping" -> socket.writeTextMessage("{\"type\":\"pong\"}");
      default -> failures.add(frame.encode());
    }
  }

  /** Publishes a message every {@code everyMs}, starting now, until {@link #stop}. */
  public void start(long everyMs) {
    vertx
        .getOrCreateContext()
        .runOnContext(go -> timer = vertx.setPeriodic(everyMs, id -> {
          sent++;
          publisher.writeTextMessage(new JsonObject()
              .put("type", "publish")
              .put("id", sent)
              .put("channel", channel)
              .put("data", new JsonObject().put("t", System.nanoTime()))
              .encode());
        }));
  }

  /** Stops publishing; returns once every message published arrived. */
  public void stop() {
    Await.until(() -> timer >= 0, "the probe to start");
    vertx.cancelTimer(timer);
    Await.until(
        () -> latenciesNanos.size() + failures.size() >= sent,
        "every probe message to arrive (" + latenciesNanos.size() + " of " + sent + ")");
  }

  public int received() {
    return latenciesNanos.size();
  }

  /** Gap frames the subscriber got: the broker lost the channel's history meanwhile. */
  public int gaps() {
    return gaps.get();
  }

  /** Refusals and unexpected frames; empty when all went well. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  public long percentileMs(double fraction) {
    List<Long> sorted = new ArrayList<>(latenciesNanos);
    Collections.sort(sorted);
    int index = Math.max(0, (int) Math.ceil(sorted.size() * fraction) - 1);
    return TimeUnit.NANOSECONDS.toMillis(sorted.get(index));
  }

  public void close() {
    client.close();
  }
}
