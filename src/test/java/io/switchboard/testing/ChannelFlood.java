package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Several WebSocket connections that each publish to channels nobody published to before, as
 * fast as a window of unanswered publishes allows: the flood of new channels an internet-facing
 * node must survive. Replies are counted, not kept (a kept ack per channel would weigh on the
 * test JVM more than on the node), by error code.
 */
public final class ChannelFlood {
  /** How the node answered: acks, and refusals by error code. */
  public record Result(long acked, Map<String, Long> errors, long millis) {
    public long channelsPerSecond() {
      return millis == 0 ? acked : acked * 1000 / millis;
    }
  }

  private final Vertx vertx;
  private final int port;
  private final List<WebSocketClient> clients = new ArrayList<>();

  /**
   * {@code config} (a node's broker) with the limits the flood had: a flooder that raised
   * nothing would be stopped by the rate limits, so they are raised to show the broker's budget
   * holds without them; the open default namespace takes any channel name.
   */
  public static JsonObject floodConfig(JsonObject config) {
    return config
        .put(
            "limits",
            new JsonObject()
                .put("messagesPerSecond", 1_000_000)
                .put("messagesBurst", 1_000_000)
                .put("newChannelsPerSecond", 0))
        .put("namespaces", new JsonObject().put("", new JsonObject()));
  }

  public ChannelFlood(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /**
   * Publishes {@code data} (JSON text) once to each of {@code prefix-<connection>-<i>}, i below
   * {@code perConnection}, from {@code connections} connections with up to {@code window}
   * publishes in flight on each; completes once every publish was answered.
   */
  public Future<Result> run(
      String prefix, int connections, int perConnection, int window, String data) {
    long started = System.nanoTime();
    AtomicLong acked = new AtomicLong();
    Map<String, Long> errors = new ConcurrentHashMap<>();
    List<Future<Void>> done = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      done.add(connection(prefix + "-" + c + "-", perConnection, window, data, acked, errors));
    }
    return Future.all(done)
        .map(v ->
            new Result(acked.get(), Map.copyOf(errors), (System.nanoTime() - started) / 1_000_000));
  }

  /** The flood an ordinary client went through, and what that client measured. */
  public record Probed(Result result, LatencyProbe probe) {}

  /**
   * A small flood first, so the JIT has compiled the publish path before anything is measured
   * (2,000 channels per connection).
   */
  public void warmUp(int connections, int window, String data) {
    Await.result(run("warmup", connections, 2_000, window, data), Duration.ofSeconds(30));
  }

  /**
   * {@link #run} with a {@link LatencyProbe} publishing every 20 ms meanwhile on its own channel;
   * returns once the flood was answered and every probe message arrived.
   */
  public Probed probed(String prefix, int connections, int perConnection, int window, String data) {
    LatencyProbe probe = LatencyProbe.connect(vertx, port, prefix + "-probe");
    probe.start(20);
    Result result =
        Await.result(run(prefix, connections, perConnection, window, data), Duration.ofSeconds(90));
    probe.stop();
    return new Probed(result, probe);
  }

  private Future<Void> connection(
      String prefix,
      int total,
      int window,
      String data,
      AtomicLong acked,
      Map<String, Long> errors) {
    WebSocketClient client = vertx.createWebSocketClient();
    clients.add(client);
    Promise<Void> finished = Promise.promise();
    // connected and driven on one context, so the counters below are touched by one thread
    vertx
        .getOrCreateContext()
        .runOnContext(go -> client
            .connect(
                new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
            .onFailure(finished::tryFail)
            .onSuccess(socket -> {
              int[] sent = {0};
              int[] answered = {0};
              socket.closeHandler(v -> finished.tryFail("closed with " + socket.closeStatusCode()
                  + " after " + answered[0] + " replies"));
              socket.textMessageHandler(text -> {
                if (text.startsWith("{\"type\":\"ack\"")) {
                  acked.incrementAndGet();
                } else if (text.startsWith("{\"type\":\"error\"")) {
                  errors.merge(codeOf(text), 1L, Long::sum);
                } else {
                  if (text.equals("{\"type\":\"ping\"}")) {
                    socket.writeTextMessage("{\"type\":\"pong\"}");
                  }
                  return; // the welcome, pings
                }
                answered[0]++;
                if (sent[0] < total) {
                  send(socket, prefix, sent, data);
                } else if (answered[0] == total) {
                  finished.tryComplete();
                }
              });
              while (sent[0] < Math.min(window, total)) {
                send(socket, prefix, sent, data);
              }
            }));
    return finished.future();
  }

  private static void send(WebSocket socket, String prefix, int[] sent, String data) {
    int i = sent[0]++;
    socket.writeTextMessage("{\"type\":\"publish\",\"id\":" + i + ",\"channel\":\"" + prefix + i
        + "\",\"data\":" + data + "}");
  }

  private static String codeOf(String errorFrame) {
    int at = errorFrame.indexOf("\"code\":\"");
    if (at < 0) {
      return "?";
    }
    int from = at + 8;
    return errorFrame.substring(from, errorFrame.indexOf('"', from));
  }

  public void close() {
    clients.forEach(WebSocketClient::close);
  }
}
