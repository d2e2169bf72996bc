package io.switchboard.broker.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.ChannelFlood;
import io.switchboard.testing.KeptChannels;
import io.switchboard.testing.LatencyProbe;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: several connections publish to hundreds of thousands of new channels of the open
 * default namespace, on a node (Main, in a JVM of its own, so its heap is its own) whose memory
 * broker may keep 16 MB. The node's live heap stays within that plus a small fixed overhead; the
 * channels that have subscribers keep their history; a resume on an evicted channel answers
 * {@code recovered:false}; and an ordinary client keeps getting its messages, p99 under 200 ms.
 *
 * <p>Measured on the shared 2-core test machine, with other builds running (six runs): 7,000 to
 * 17,000 channels a second; the live heap grew by the broker's 16 MB and nothing else (the rest
 * 9.1 to 8.9 MB, 10.9 to 10.7 MB); the probe's p50 11-44 ms, p99 106-179 ms, once 417 ms at a
 * load of 15 (the bound, 200 ms, is the issue's; a run on a machine that busy can miss it).
 */
@ExtendWith(VertxExtension.class)
class ChannelFloodTest {
  private static final long MAX_BYTES = 16L << 20;
  /**
   * What the node's live heap may hold after the flood beyond the broker's budget, measured from
   * its heap before the flood less the broker's part then. Measured: nothing (the rest of the
   * heap went from 9.1 to 8.9 MB); the allowance covers what the broker does not count and may
   * differ between the two points: its map's table (sized for the most channels it held at
   * once), connection buffers, and objects a GC leaves to the next one.
   */
  private static final long FIXED_OVERHEAD_BYTES = 4L << 20;

  private static final int CONNECTIONS = 4;
  private static final int CHANNELS_PER_CONNECTION = 50_000;
  private static final int WINDOW = 16;
  private static final String DATA = "{\"text\":\"" + "x".repeat(40) + "\"}";
  private static final int KEPT_CHANNELS = 20;
  private static final int KEPT_MESSAGES = 10;
  private static final long P99_BOUND_MS = 200;

  @TempDir
  Path dir;

  private static JsonObject config() {
    return ChannelFlood.floodConfig(new JsonObject()
        .put(
            "broker", new JsonObject().put("memory", new JsonObject().put("maxBytes", MAX_BYTES))));
  }

  @Test
  void aFloodOfNewChannelsStaysWithinTheBudgetAndSparesEveryoneElse(Vertx vertx) {
    try (NodeProcess node = NodeProcess.start(dir, config(), List.of("-Xmx1g"), Map.of())) {
      KeptChannels kept = KeptChannels.publish(vertx, node, "kept", KEPT_CHANNELS, KEPT_MESSAGES);
      String victimOffset = publish(node, "victim", new JsonObject().put("m", 0));

      ChannelFlood flood = new ChannelFlood(vertx, node.port());
      flood.warmUp(CONNECTIONS, WINDOW, DATA);
      long heapBefore = node.liveHeapBytes();
      long brokerBefore = (long) node.metric("switchboard_broker_bytes");

      ChannelFlood.Probed probed =
          flood.probed("flood", CONNECTIONS, CHANNELS_PER_CONNECTION, WINDOW, DATA);
      ChannelFlood.Result result = probed.result();
      LatencyProbe probe = probed.probe();
      long p99 = probe.percentileMs(0.99);
      long heapAfter = node.liveHeapBytes();
      long brokerAfter = (long) node.metric("switchboard_broker_bytes");
      String report = String.format(
          "flood of %d channels in %d ms (%d/s); live heap %d -> %d KB"
              + " (broker %d -> %d KB, the rest %d -> %d KB); probe %d messages p50 %d ms"
              + " p99 %d ms",
          result.acked(),
          result.millis(),
          result.channelsPerSecond(),
          heapBefore >> 10,
          heapAfter >> 10,
          brokerBefore >> 10,
          brokerAfter >> 10,
          (heapBefore - brokerBefore) >> 10,
          (heapAfter - brokerAfter) >> 10,
          probe.received(),
          probe.percentileMs(0.5),
          p99);
      System.out.println("ChannelFloodTest (memory): " + report);

      assertEquals(
          (long) CONNECTIONS * CHANNELS_PER_CONNECTION,
          result.acked(),
          "every publish acked: " + result.errors());
      assertTrue(brokerAfter <= MAX_BYTES, report);
      long heapWithoutBroker = heapBefore - brokerBefore;
      assertTrue(
          heapAfter - heapWithoutBroker <= MAX_BYTES + FIXED_OVERHEAD_BYTES,
          "live heap beyond the budget plus " + (FIXED_OVERHEAD_BYTES >> 20) + " MB: " + report);
      assertTrue(probe.failures().isEmpty(), probe.failures().toString());
      assertEquals(0, probe.gaps(), "a channel with subscribers is evicted last: " + report);
      probe.close();
      flood.close();

      // the flood evicted, and said so once, and the node stayed ready
      assertTrue(node.metric("switchboard_broker_evictions_total{reason=\"budget\"}") > 0);
      assertEquals(200, node.get("/ready").statusCode());
      long warnings = node.output()
          .lines()
          .filter(line -> line.contains("memory broker over broker.memory"))
          .count();
      assertEquals(1, warnings, "one throttled warning:\n" + node.output());

      // the channels with a subscriber kept all of their history
      assertEquals(KEPT_CHANNELS * KEPT_MESSAGES, kept.receivedLive());
      assertEquals(KEPT_CHANNELS, kept.resumeAll(vertx, node.port()));
      // the one without was given up: its offset does not resume
      WsClient resumer = WsClient.welcomed(vertx, node.port());
      JsonObject ack = resumer.subscribe("victim", victimOffset);
      assertEquals(Boolean.FALSE, ack.getBoolean("recovered"), ack.encode());
      resumer.close();
      kept.close();
      // last, so a slow run still shows whether everything else held
      assertTrue(p99 < P99_BOUND_MS, "an ordinary client's latency: " + report);
    }
  }

  private static String publish(NodeProcess node, String channel, Object data) {
    var reply = node.post(
        "/api/publish",
        new JsonObject().put("channel", channel).put("data", data).encode());
    assertEquals(200, reply.statusCode(), reply.body());
    return new JsonObject(reply.body()).getString("offset");
  }
}
