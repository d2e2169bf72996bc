package io.switchboard.transport.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client floods publish frames as fast as its socket takes them while another keeps receiving
 * messages published over HTTP every 20 ms, at the default limits (100 frames/s, burst 200): the
 * flooder is closed with 4429 and the victim's publish-to-receive latency stays low.
 *
 * <p>Measured on the 2-core shared test machine (4 runs): p50 2-4 ms, p99 30-44 ms, max 41-50 ms,
 * the slow ones while the flooder's 50,000 frames (queued by its client in a few ms) are read and
 * dropped. The bound, {@link #P99_BOUND_MS} = 200 ms, leaves about 4x margin for a busy machine;
 * a flood that got through (parsed, validated, published) would not end in 4429.
 */
@ExtendWith(VertxExtension.class)
class FloodTest {
  private static final Logger log = LoggerFactory.getLogger(FloodTest.class);
  private static final int FLOOD_FRAMES = 50_000;
  private static final int VICTIM_MESSAGES = 100;
  private static final long PUBLISH_EVERY_MS = 20;
  private static final long P99_BOUND_MS = 200;

  private TestNode node;
  private Vertx vertx;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private HttpClient http;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    node = TestNode.start(vertx); // the default limits: 100 frames/s, burst 200
    http = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    clients.forEach(WebSocketClient::close);
    http.close();
    node.close();
  }

  private WebSocket connect() {
    WebSocketClient client = vertx.createWebSocketClient();
    clients.add(client);
    return Await.result(client.connect(
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI("/ws")));
  }

  @Test
  void flooderIsCutOffAndTheVictimKeepsItsLatency() {
    List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
    Promise<Void> allReceived = Promise.promise();
    Promise<Void> subscribed = Promise.promise();
    WebSocket victim = connect();
    victim.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("ack".equals(frame.getString("type"))) {
        subscribed.tryComplete();
      } else if ("message".equals(frame.getString("type"))) {
        latenciesNanos.add(System.nanoTime() - frame.getJsonObject("data").getLong("t"));
        if (latenciesNanos.size() == VICTIM_MESSAGES) {
          allReceived.tryComplete();
        }
      } else if ("ping".equals(frame.getString("type"))) {
        victim.writeTextMessage("{\"type\":\"pong\"}");
      }
    });
    victim.writeTextMessage("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"flood-victim\"}");
    Await.result(subscribed.future());

    WebSocket flooder = connect();
    Promise<Short> flooderClosed = Promise.promise();
    flooder.closeHandler(v -> flooderClosed.tryComplete(flooder.closeStatusCode()));
    flooder.textMessageHandler(text -> {}); // the rate_limited errors
    AtomicInteger written = new AtomicInteger();

    // both start together: the HTTP publisher on a timer, the flooder on its socket's loop
    AtomicInteger published = new AtomicInteger();
    long timer = vertx.setPeriodic(PUBLISH_EVERY_MS, id -> {
      if (published.incrementAndGet() > VICTIM_MESSAGES) {
        vertx.cancelTimer(id);
        return;
      }
      publish(new JsonObject()
          .put("channel", "flood-victim")
          .put("data", new JsonObject().put("t", System.nanoTime())));
    });
    vertx.getOrCreateContext().runOnContext(v -> flood(flooder, written));

    assertEquals((short) 4429, Await.result(flooderClosed.future()), "flooder close code");
    Await.result(allReceived.future(), Duration.ofSeconds(20));
    vertx.cancelTimer(timer);

    List<Long> sorted = new ArrayList<>(latenciesNanos);
    Collections.sort(sorted);
    long p50 = TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() / 2));
    long p99 = TimeUnit.NANOSECONDS.toMillis(sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1));
    long max = TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() - 1));
    log.atInfo()
        .addKeyValue("flooderFramesWritten", written.get())
        .addKeyValue("p50Ms", p50)
        .addKeyValue("p99Ms", p99)
        .addKeyValue("maxMs", max)
        .log("flood test latency");
    System.out.printf(
        "FloodTest: flooder queued %d frames, closed 4429; victim latency p50 %d ms,"
            + " p99 %d ms, max %d ms%n",
        written.get(), p50, p99, max);
    assertTrue(p99 < P99_BOUND_MS, "victim p99 " + p99 + " ms (bound " + P99_BOUND_MS + ")");
  }

  /** Writes small publish frames as fast as the socket takes them, until done or closed. */
  private void flood(WebSocket socket, AtomicInteger written) {
    while (written.get() < FLOOD_FRAMES && !socket.isClosed()) {
      if (socket.writeQueueFull()) {
        socket.drainHandler(v -> flood(socket, written));
        return;
      }
      int i = written.incrementAndGet();
      socket
          .writeTextMessage("{\"type\":\"publish\",\"channel\":\"flood-sink\",\"data\":" + i + "}")
          .onFailure(err -> {}); // writes after the server's close fail: expected
    }
  }

  private void publish(JsonObject body) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setHost("127.0.0.1")
        .setPort(node.port())
        .setURI("/api/publish");
    Future<?> done = http.request(options)
        .compose(request -> request.send(Buffer.buffer(body.encode())))
        .compose(response -> response.body());
    done.onFailure(err -> log.atError().setCause(err).log("victim publish failed"));
  }
}
