package io.switchboard.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The records of the config sections of PROTOCOL.md section 10, each with its defaults. */
public final class Sections {
  private Sections() {}

  /**
   * @param instances HTTP server verticles, one per event loop; 0 means one per CPU core
   * @param adminPort when not 0, /health, /ready and /metrics are served on this port only
   * @param requestHeaderTimeoutMs a connection whose next request head is not complete this long
   *     after its accept or its last response is closed; 0: no deadline
   */
  public record HttpConfig(
      String host,
      int port,
      int instances,
      List<String> allowedOrigins,
      int adminPort,
      long requestHeaderTimeoutMs) {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_INSTANCES = 0;
    public static final int DEFAULT_ADMIN_PORT = 0;
    public static final long DEFAULT_REQUEST_HEADER_TIMEOUT_MS = 10_000;
  }

  /**
   * @param endpoints redis:// or rediss:// (TLS) URLs: one for standalone, the sentinels for
   *     sentinel, any cluster nodes for cluster
   * @param password overrides a password in the URLs; null: the URLs' own
   * @param metaTtlMs how long a quiet channel keeps its offset and epoch (history expires sooner)
   * @param timeoutMs a command Redis has not answered by then fails (publish: unavailable)
   * @param inbox whether this node consumes {prefix}:inbox (publishing for Redis-only services)
   * @param tlsCaFile PEM certificates trusted for rediss:// besides the JVM's (a private CA),
   *     resolved against the config file's directory; null: the JVM's only
   */
  public record RedisConfig(
      List<String> endpoints,
      RedisMode mode,
      String masterName,
      String password,
      String prefix,
      long metaTtlMs,
      long timeoutMs,
      boolean inbox,
      String tlsCaFile) {
    public static final String DEFAULT_CONNECTION_STRING = "redis://127.0.0.1:6379";
    public static final String DEFAULT_PREFIX = "sb";
    public static final String DEFAULT_MASTER_NAME = "mymaster";
    public static final long DEFAULT_META_TTL_MS = 7L * 24 * 3600 * 1000;
    public static final long DEFAULT_TIMEOUT_MS = 5_000;

    public RedisConfig {
      endpoints = List.copyOf(endpoints);
    }
  }

  public enum RedisMode {
    STANDALONE,
    SENTINEL,
    CLUSTER
  }

  public enum BrokerType {
    MEMORY,
    REDIS
  }

  /**
   * The embedded broker's budget (README "Memory budget"): over either, it evicts whole channels,
   * those without local subscribers first, least recently published first.
   *
   * @param maxBytes estimated heap bytes of history, offsets, epochs and idempotency keys
   * @param maxChannels channels held (each with its offset and epoch)
   */
  public record MemoryConfig(long maxBytes, long maxChannels) {
    public static final long MIN_MAX_BYTES = 1L << 20;
    public static final long DEFAULT_MAX_CHANNELS = 1_000_000;

    /** broker.memory.maxBytes left unset (null): a quarter of the JVM's maximum heap (-Xmx). */
    public static long defaultMaxBytes() {
      return Runtime.getRuntime().maxMemory() / 4;
    }
  }

  public record BrokerConfig(BrokerType type, RedisConfig redis, MemoryConfig memory) {}

  public record JwtKeyConfig(String algorithm, String secret, String publicKey) {}

  /**
   * @param jwks the keys of {@code jwksFile}, read at start
   * @param clockSkewMs tolerance for exp and nbf
   * @param issuer required {@code iss}, or null
   * @param audience accepted {@code aud} values; empty: not checked
   */
  public record JwtConfig(
      List<JwtKeyConfig> keys,
      String jwksFile,
      List<JsonObject> jwks,
      long clockSkewMs,
      String issuer,
      List<String> audience) {
    public static final long DEFAULT_CLOCK_SKEW_MS = 30_000;

    public boolean enabled() {
      return !keys.isEmpty() || !jwks.isEmpty();
    }
  }

  public record AuthConfig(boolean anonymous, long timeoutMs, JwtConfig jwt, List<String> apiKeys) {
    public static final boolean DEFAULT_ANONYMOUS = true;
    public static final long DEFAULT_TIMEOUT_MS = 5_000;
  }

  public record HeartbeatConfig(long intervalMs, long timeoutMs) {
    public static final long DEFAULT_INTERVAL_MS = 25_000;
    public static final long DEFAULT_TIMEOUT_MS = 60_000;
  }

  public record ReaperConfig(long intervalMs) {
    public static final long DEFAULT_INTERVAL_MS = 5_000;
  }

  public record PresenceConfig(long ttlMs) {
    public static final long DEFAULT_TTL_MS = 30_000;
  }

  /**
   * Every limit; 0 means none (PROTOCOL.md section 10).
   *
   * @param readsPerSecond tokens per second of each WebSocket connection's history and presence
   *     reads (see {@link io.switchboard.limits.ReadCost})
   * @param apiReadsPerSecond the same for each HTTP API caller
   * @param newChannelsPerSecond channels each WebSocket connection and each HTTP API caller may
   *     create (publish to while the broker holds nothing of them) per second
   */
  public record LimitsConfig(
      int maxFrameBytes,
      int maxBodyBytes,
      int maxSubscriptionsPerConnection,
      int maxConnectionsPerUser,
      int maxConnectionsPerAddress,
      int messagesPerSecond,
      int messagesBurst,
      long sendQueueBytes,
      long slowConsumerMs,
      int apiPublishesPerSecond,
      int apiPublishesBurst,
      int readsPerSecond,
      int readsBurst,
      int apiReadsPerSecond,
      int apiReadsBurst,
      int newChannelsPerSecond,
      int newChannelsBurst) {
    public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
    public static final int DEFAULT_MAX_BODY_BYTES = 1_048_576;
    public static final int DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 1_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_USER = 100;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 0;
    public static final int DEFAULT_MESSAGES_PER_SECOND = 100;
    public static final int DEFAULT_MESSAGES_BURST = 200;
    public static final long DEFAULT_SEND_QUEUE_BYTES = 1_048_576;
    public static final long DEFAULT_SLOW_CONSUMER_MS = 5_000;
    public static final int DEFAULT_API_PUBLISHES_PER_SECOND = 0;
    public static final int DEFAULT_API_PUBLISHES_BURST = 0;
    // a client opening 100 rooms at once (history and presence of each), or polling 20 presences
    // a second, stays under these; a loop asking for 1000 messages gets 2 a second
    public static final int DEFAULT_READS_PER_SECOND = 20;
    public static final int DEFAULT_READS_BURST = 200;
    // one caller is often a backend reading on behalf of many users: ten times a connection's
    public static final int DEFAULT_API_READS_PER_SECOND = 200;
    public static final int DEFAULT_API_READS_BURST = 2_000;
    public static final int DEFAULT_NEW_CHANNELS_PER_SECOND = 1_000;
    public static final int DEFAULT_NEW_CHANNELS_BURST = 10_000;
  }

  public record DrainConfig(long windowMs) {
    public static final long DEFAULT_WINDOW_MS = 10_000;
  }
}
