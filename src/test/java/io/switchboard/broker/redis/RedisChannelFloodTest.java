package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.ChannelFlood;
import io.switchboard.testing.KeptChannels;
import io.switchboard.testing.LatencyProbe;
import io.switchboard.testing.NodeProcess;
import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisServer;
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
 * Issue 15 against the Redis broker: the flood of ChannelFloodTest, with the node on a Redis
 * limited to 10 MB (some 10,000 channels of this flood) that evicts keys with a TTL, least
 * recently used first, with small stream nodes, as README "Redis memory" recommends. Every key of a channel has a TTL, so
 * Redis always finds something to evict: every publish is answered with an offset. Redis gives
 * channels up without knowing who follows them, and a memory that holds a few seconds of the
 * flood loses busy channels too (its LRU clock ticks once a second); so here a resume of a
 * followed channel may be refused, and its subscribers get a {@code gap}. What must hold is that
 * every answer is honest: {@code recovered:true} with exactly the missed messages, or
 * {@code recovered:false}; live subscribers see a lost channel as a {@code gap}, never as a
 * silent hole or a duplicate; and they keep getting their messages. The node itself keeps
 * nothing per channel.
 */
@ExtendWith(VertxExtension.class)
class RedisChannelFloodTest {
  private static final int CONNECTIONS = 4;
  private static final int CHANNELS_PER_CONNECTION = 20_000;
  private static final int WINDOW = 16;
  private static final String DATA = "{\"text\":\"" + "x".repeat(40) + "\"}";
  private static final long P99_BOUND_MS = 200;
  /** The node's live heap may grow by this much at most: it keeps nothing per channel. */
  private static final long NODE_GROWTH_BYTES = 4L << 20;

  @TempDir
  Path dir;

  private static JsonObject config(String redisUrl) {
    return ChannelFlood.floodConfig(RedisBrokerConfig.config(redisUrl));
  }

  @Test
  void aFloodOfNewChannelsKeepsTheNodeServingAndEveryResumeHonest(Vertx vertx) {
    try (RedisServer redis = RedisServer.start(
            "--maxmemory",
            "10mb",
            "--maxmemory-policy",
            "volatile-lru",
            "--stream-node-max-bytes",
            "512");
        NodeProcess node =
            NodeProcess.start(dir, config(redis.url()), List.of("-Xmx1g"), Map.of())) {
      KeptChannels kept = KeptChannels.publish(vertx, node, "kept", 20, 10);
      String victimOffset = new JsonObject(
              node.post("/api/publish", "{\"channel\":\"victim\",\"data\":0}").body())
          .getString("offset");

      ChannelFlood flood = new ChannelFlood(vertx, node.port());
      flood.warmUp(CONNECTIONS, WINDOW, DATA);
      long heapBefore = node.liveHeapBytes();
      ChannelFlood.Probed probed =
          flood.probed("flood", CONNECTIONS, CHANNELS_PER_CONNECTION, WINDOW, DATA);
      ChannelFlood.Result result = probed.result();
      LatencyProbe probe = probed.probe();
      long p99 = probe.percentileMs(0.99);
      long heapAfter = node.liveHeapBytes();
      long evicted = redisStat(redis, "evicted_keys");
      String report = String.format(
          "flood of %d channels in %d ms (%d/s), errors %s; Redis"
              + " evicted %d keys, uses %d KB; node live heap %d -> %d KB; probe %d messages"
              + " (%d gaps) p50 %d ms p99 %d ms",
          result.acked(),
          result.millis(),
          result.channelsPerSecond(),
          result.errors(),
          evicted,
          redisStat(redis, "used_memory") >> 10,
          heapBefore >> 10,
          heapAfter >> 10,
          probe.received(),
          probe.gaps(),
          probe.percentileMs(0.5),
          p99);
      System.out.println("RedisChannelFloodTest: " + report);

      assertEquals((long) CONNECTIONS * CHANNELS_PER_CONNECTION, result.acked(), report);
      assertTrue(evicted > 0, "the flood went past maxmemory: " + report);
      assertTrue(heapAfter - heapBefore <= NODE_GROWTH_BYTES, report);
      assertTrue(probe.failures().isEmpty(), probe.failures().toString());
      assertEquals(200, node.get("/ready").statusCode());
      probe.close();
      flood.close();

      // Redis evicted the channel nobody touched since before the flood: its offset is refused
      assertEquals("0", redis.cli("EXISTS", "sb:{victim}:m").trim(), report);
      WsClient resumer = WsClient.welcomed(vertx, node.port());
      JsonObject ack = resumer.subscribe("victim", victimOffset);
      assertEquals(Boolean.FALSE, ack.getBoolean("recovered"), ack.encode());
      resumer.close();
      // followed channels: Redis may have evicted them too; every answer is honest
      int recovered = kept.resumeAll(vertx, node.port());
      int newEpochs = kept.publishOnceMoreAndCheckLive(node);
      System.out.println("RedisChannelFloodTest: followed channels recovered " + recovered
          + " of 20; live subscribers moved to a new epoch " + newEpochs + " times");
      kept.close();
      // last, so a slow run still shows whether everything else held
      assertTrue(p99 < P99_BOUND_MS, "an ordinary client's latency: " + report);
    }
  }

  private static long redisStat(RedisServer redis, String field) {
    return redis
        .cli("INFO")
        .lines()
        .filter(line -> line.startsWith(field + ":"))
        .mapToLong(line -> Long.parseLong(line.substring(field.length() + 1).trim()))
        .findFirst()
        .orElseThrow();
  }
}
