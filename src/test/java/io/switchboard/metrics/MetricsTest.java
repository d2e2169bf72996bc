package io.switchboard.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Known traffic moves the meters of /metrics by known amounts (README "Operating"). */
@ExtendWith(VertxExtension.class)
class MetricsTest {
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(
        vertx,
        new JsonObject()
            .put("heartbeat", new JsonObject().put("intervalMs", 200).put("timeoutMs", 600))
            .put("reaper", new JsonObject().put("intervalMs", 100)));
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private PrometheusText scrape() {
    TestNode.Reply reply = node.get("/metrics");
    assertEquals(200, reply.status());
    return new PrometheusText(reply.body());
  }

  /** Scrapes until the condition holds: deliveries are counted when the hub writes them. */
  private PrometheusText awaitScrape(Predicate<PrometheusText> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    PrometheusText metrics = scrape();
    while (!condition.test(metrics)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      metrics = scrape();
    }
    return metrics;
  }

  @Test
  void connectionsSubscriptionsAndMessagesAreCounted() {
    WsClient first = node.ws();
    WsClient second = node.ws();
    first.subscribe("m");
    second.subscribe("m");
    node.sse("/sse?channel=m");
    PrometheusText before =
        awaitScrape(m -> m.value("switchboard_subscriptions") == 3, "the SSE stream subscribed");
    assertEquals(2, before.value("switchboard_connections{transport=\"ws\"}"));
    assertEquals(1, before.value("switchboard_connections{transport=\"sse\"}"));
    assertEquals(3, before.value("switchboard_subscriptions"));
    assertEquals(1, before.value("switchboard_channels"));
    assertEquals(1, before.value("switchboard_broker_up"));

    for (int i = 0; i < 3; i++) {
      node.publish("m", new JsonObject().put("i", i));
    }
    first.publish("m", new JsonObject().put("i", 3));
    first.publish("m", new JsonObject().put("i", 4));
    PrometheusText after =
        awaitScrape(m -> m.value("switchboard_messages_delivered_total") >= 15, "15 deliveries");
    assertEquals(15, after.value("switchboard_messages_delivered_total"), "5 messages x 3");
    assertEquals(3, after.value("switchboard_messages_received_total{path=\"http\"}"));
    assertEquals(3, after.value("switchboard_messages_published_total{path=\"http\"}"));
    assertEquals(2, after.value("switchboard_messages_published_total{path=\"ws\"}"));
    assertEquals(5, after.value("switchboard_broker_publish_seconds_count"));
    assertTrue(after.value("switchboard_delivery_latency_seconds_count") >= 1);
    assertTrue(
        after.has("switchboard_delivery_latency_seconds_bucket{le=\"0.005\"}"),
        "latency histogram buckets");

    second.close();
    PrometheusText closed = awaitScrape(
        m -> m.value("switchboard_connections{transport=\"ws\"}") == 1, "one WebSocket left");
    assertEquals(1, closed.value("switchboard_closes_total{code=\"peer\",transport=\"ws\"}"));
    assertEquals(2, closed.value("switchboard_subscriptions"));
  }

  @Test
  void errorsAreCountedByTransportAndCode() {
    WsClient client = node.ws();
    assertEquals("unknown_channel", client.publish("nope:x", 1).getString("code"));
    assertEquals(400, node.post("/api/publish", "{not json").status());
    assertEquals(404, node.get("/api/nothing-here").status());
    PrometheusText metrics = scrape();
    assertEquals(
        1, metrics.value("switchboard_errors_total{code=\"unknown_channel\",transport=\"ws\"}"));
    // a body that is not JSON and an unknown endpoint (404) both answer code bad_request
    assertEquals(
        2, metrics.value("switchboard_errors_total{code=\"bad_request\",transport=\"http\"}"));
    assertEquals(
        1,
        metrics.value("switchboard_messages_received_total{path=\"ws\"}"),
        "refused publishes are received");
    assertEquals(0, metrics.value("switchboard_messages_published_total{path=\"ws\"}"));
  }

  @Test
  void recoveriesCountHitsAndMisses() {
    String offset = node.publish("r", new JsonObject().put("i", 1));
    node.ws().subscribe("r", offset);
    node.ws().subscribe("r", "1-notanepoch");
    PrometheusText metrics = scrape();
    assertEquals(1, metrics.value("switchboard_recoveries_total{result=\"recovered\"}"));
    assertEquals(1, metrics.value("switchboard_recoveries_total{result=\"missed\"}"));
  }

  @Test
  void reaperRemovalsAndTheirCloseCodeAreCounted() {
    WsClient silent = node.ws().answerPings(false);
    assertEquals(4408, silent.closeCode());
    PrometheusText metrics =
        awaitScrape(m -> m.value("switchboard_reaper_removals_total") == 1, "one reaper removal");
    assertEquals(1, metrics.value("switchboard_closes_total{code=\"4408\",transport=\"ws\"}"));
  }
}
