package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisCluster;
import io.switchboard.testing.RedisServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis that the nodes of a cross-node test share, started by the test: one
 * {@code redis-server}, or a Redis Cluster of three masters. Only what the tests need to look at
 * from outside: the nodes' pub/sub subscriptions, the masters that hold a channel's keys, and a
 * way to lose everything. Blocking; call it from the JUnit thread.
 */
abstract class SharedRedis implements AutoCloseable {
  /** The two setups every cross-node contract runs against. */
  enum Kind {
    STANDALONE,
    CLUSTER;

    @Override
    public String toString() {
      return this == STANDALONE ? "standalone Redis" : "Redis Cluster of three masters";
    }
  }

  static SharedRedis start(Kind kind) {
    return kind == Kind.STANDALONE
        ? new Standalone(RedisServer.start())
        : new Cluster(RedisCluster.start());
  }

  /** {@code {"broker":{"type":"redis","redis":{...}}}} for a node on this Redis. */
  abstract JsonObject brokerConfig(String prefix);

  /**
   * Subscribers of a pub/sub channel. In a Cluster, PUBSUB NUMSUB counts the clients of the node
   * asked, and a node's link subscribes on any one master: summed over the masters.
   */
  abstract long subscribers(String pubSubChannel);

  /** The pub/sub channels of ours with at least one subscriber, over every master. */
  abstract List<String> pubSubChannels(String prefix);

  /** A command through {@code redis-cli}, in a Cluster sent to the master of its key. */
  abstract String cli(String... args);

  /** FLUSHALL everywhere, as a Redis without persistence that restarted would be. */
  abstract void flushAll();

  /** Drops every client's pub/sub connection (the nodes' links), on every master. */
  abstract void killPubSubClients();

  /**
   * {@code count} channel names {@code base-...}. In a Cluster they are picked so their slots fall
   * on the masters in turn (with three or more names, every master holds a channel), so a test
   * that works on them works on channels whose keys live on different nodes.
   */
  abstract List<String> channels(String base, int count);

  /**
   * Checks that the keys of {@code channel} that exist after a publish (meta hash and history
   * stream) live together on one master: the one its slot belongs to. A no-op for a single server.
   */
  abstract void assertChannelKeysOnOneMaster(String prefix, String channel);

  @Override
  public abstract void close();

  /** The pub/sub channel of {@code channel} (README, "Redis layout"). */
  static String pubSub(String prefix, String channel) {
    return prefix + ":ch:" + channel;
  }

  private static final class Standalone extends SharedRedis {
    private final RedisServer redis;

    Standalone(RedisServer redis) {
      this.redis = redis;
    }

    @Override
    JsonObject brokerConfig(String prefix) {
      return RedisBrokerConfig.config(
          RedisBrokerConfig.options(redis.url(), prefix).put("mode", "standalone"));
    }

    @Override
    long subscribers(String pubSubChannel) {
      return numSub(redis.cli("pubsub", "numsub", pubSubChannel));
    }

    @Override
    List<String> pubSubChannels(String prefix) {
      return lines(redis.cli("pubsub", "channels", prefix + ":ch:*"));
    }

    @Override
    String cli(String... args) {
      return redis.cli(args);
    }

    @Override
    void flushAll() {
      assertEquals("OK", redis.cli("flushall"));
    }

    @Override
    void killPubSubClients() {
      redis.cli("client", "kill", "type", "pubsub");
    }

    @Override
    List<String> channels(String base, int count) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        names.add(base + "-" + i);
      }
      return names;
    }

    @Override
    void assertChannelKeysOnOneMaster(String prefix, String channel) {
      // one server holds everything
    }

    @Override
    public void close() {
      redis.close();
    }
  }

  private static final class Cluster extends SharedRedis {
    private static final int SLOTS = 16384;
    private final RedisCluster cluster;
    /** The port of the master that owns each slot, read once: the cluster does not reshard. */
    private final int[] owner = new int[SLOTS];

    Cluster(RedisCluster cluster) {
      this.cluster = cluster;
      for (int port : cluster.ports()) {
        // "<id> <host:port@bus> myself,master - 0 0 1 connected 0-5460"
        String myself = cluster
            .cli(port, "cluster", "nodes")
            .lines()
            .filter(line -> line.contains("myself"))
            .findFirst()
            .orElseThrow();
        String[] fields = myself.split(" ");
        for (int i = 8; i < fields.length; i++) {
          String[] range = fields[i].split("-");
          int from = Integer.parseInt(range[0]);
          int to = range.length == 1 ? from : Integer.parseInt(range[1]);
          for (int slot = from; slot <= to; slot++) {
            owner[slot] = port;
          }
        }
      }
    }

    @Override
    JsonObject brokerConfig(String prefix) {
      return RedisBrokerConfig.config(
          RedisBrokerConfig.options(String.join(",", cluster.urls()), prefix)
              .put("mode", "cluster"));
    }

    @Override
    long subscribers(String pubSubChannel) {
      long total = 0;
      for (int port : cluster.ports()) {
        total += numSub(cluster.cli(port, "pubsub", "numsub", pubSubChannel));
      }
      return total;
    }

    @Override
    List<String> pubSubChannels(String prefix) {
      List<String> all = new ArrayList<>();
      for (int port : cluster.ports()) {
        all.addAll(lines(cluster.cli(port, "pubsub", "channels", prefix + ":ch:*")));
      }
      return all;
    }

    @Override
    String cli(String... args) {
      String[] following = new String[args.length + 1];
      following[0] = "-c"; // follow MOVED to the master of the key
      System.arraycopy(args, 0, following, 1, args.length);
      return cluster.cli(cluster.ports().get(0), following);
    }

    @Override
    void flushAll() {
      for (int port : cluster.ports()) {
        assertEquals("OK", cluster.cli(port, "flushall"));
      }
    }

    @Override
    void killPubSubClients() {
      for (int port : cluster.ports()) {
        cluster.cli(port, "client", "kill", "type", "pubsub");
      }
    }

    @Override
    List<String> channels(String base, int count) {
      List<Integer> masters = cluster.ports();
      List<String> names = new ArrayList<>();
      for (int i = 0; names.size() < count; i++) {
        String name = base + "-" + i;
        if (ownerOf(name) == masters.get(names.size() % masters.size())) {
          names.add(name);
        }
      }
      return names;
    }

    @Override
    void assertChannelKeysOnOneMaster(String prefix, String channel) {
      String meta = prefix + ":{" + channel + "}:m";
      String stream = prefix + ":{" + channel + "}:s";
      int expected = ownerOf(channel);
      // the slot we compute is the one Redis computes for the keys
      String slot = cluster.cli(expected, "cluster", "keyslot", meta);
      assertEquals(String.valueOf(slot(channel)), slot, "slot of " + meta);
      for (int port : cluster.ports()) {
        // without -c a master answers only for its own slots, MOVED for the others
        String exists = cluster.cli(port, "exists", meta, stream);
        if (port == expected) {
          assertEquals("2", exists, "meta and history of " + channel + " on master " + port);
        } else {
          assertEquals(
              "MOVED " + slot + " 127.0.0.1:" + expected,
              exists,
              "master " + port + " for " + channel);
        }
      }
    }

    private int ownerOf(String channel) {
      return owner[slot(channel)];
    }

    /** Redis Cluster's key slot of a key whose hash tag is {@code {channel}} (CRC16/XMODEM). */
    static int slot(String channel) {
      int crc = 0;
      for (byte b : channel.getBytes(StandardCharsets.UTF_8)) {
        crc ^= (b & 0xff) << 8;
        for (int bit = 0; bit < 8; bit++) {
          crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
        }
      }
      return (crc & 0xffff) % SLOTS;
    }

    @Override
    public void close() {
      cluster.close();
    }
  }

  /** The count of {@code PUBSUB NUMSUB <one channel>}: "channel\ncount". */
  private static long numSub(String reply) {
    List<String> lines = lines(reply);
    assertEquals(2, lines.size(), "PUBSUB NUMSUB reply: " + reply);
    return Long.parseLong(lines.get(1));
  }

  private static List<String> lines(String reply) {
    return reply.isBlank() ? List.of() : reply.lines().toList();
  }
}
