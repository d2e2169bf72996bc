package io.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.ErrorCode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Switchboard's own meters (README "Operating" lists them), in the registry Vert.x reports its
 * HTTP, event-bus and pool metrics to when the node runs from Main. Every method is thread-safe
 * and cheap: counters are striped adders, and the per-delivery counter is bumped once per hub pass,
 * not once per socket.
 */
public final class SwitchboardMetrics {
  /** Latency buckets from half a millisecond to ten seconds: where a real-time server lives. */
  private static final Duration[] LATENCY_BUCKETS = {
    Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
    Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
    Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500),
    Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final PrometheusMeterRegistry registry;
  private final Map<String, AtomicLong> connections = new ConcurrentHashMap<>();
  private final AtomicLong subscriptions = new AtomicLong();
  private final Map<PublishSource, Counter> received = new EnumMap<>(PublishSource.class);
  private final Map<PublishSource, Counter> published = new EnumMap<>(PublishSource.class);
  private final LongAdder delivered = new LongAdder();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> closes = new ConcurrentHashMap<>();
  private final Map<String, Counter> disconnects = new ConcurrentHashMap<>();
  private final Map<String, Timer> hookCalls = new ConcurrentHashMap<>();
  private final Counter reaped;
  private final Counter slowConsumers;
  private final Counter requestHeadTimeouts;
  private final Counter recovered;
  private final Counter notRecovered;
  private final Timer brokerPublish;
  private final Timer deliveryLatency;

  public SwitchboardMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    for (PublishSource source : PublishSource.values()) {
      received.put(
          source,
          Counter.builder("switchboard_messages_received")
              .description("Publish requests received, by path")
              .tag("path", source.label())
              .register(registry));
      published.put(
          source,
          Counter.builder("switchboard_messages_published")
              .description("Publishes acked by the broker, by path")
              .tag("path", source.label())
              .register(registry));
    }
    for (String transport : new String[] {"ws", "sse"}) {
      AtomicLong open = new AtomicLong();
      connections.put(transport, open);
      Gauge.builder("switchboard_connections", open, AtomicLong::get)
          .description("Open client connections, by transport")
          .tag("transport", transport)
          .register(registry);
    }
    Gauge.builder("switchboard_subscriptions", subscriptions, AtomicLong::get)
        .description("Live subscriptions of this node's connections")
        .register(registry);
    FunctionCounter.builder("switchboard_messages_delivered", delivered, LongAdder::sum)
        .description("Messages written to subscribers (one per message and connection)")
        .register(registry);
    reaped = Counter.builder("switchboard_reaper_removals")
        .description("Connections closed by the reaper (4408) for missing heartbeats")
        .register(registry);
    slowConsumers = Counter.builder("switchboard_slow_consumer_drops")
        .description("Connections closed (4429) because their send queue stayed full")
        .register(registry);
    requestHeadTimeouts = Counter.builder("switchboard_request_head_timeouts")
        .description("Connections closed because a request head was not complete within"
            + " http.requestHeaderTimeoutMs of the accept or of the previous response")
        .register(registry);
    recovered = Counter.builder("switchboard_recoveries")
        .tag("result", "recovered")
        .description("Subscribes with since: history reached back (recovered) or not (missed)")
        .register(registry);
    notRecovered = Counter.builder("switchboard_recoveries")
        .tag("result", "missed")
        .description("Subscribes with since: history reached back (recovered) or not (missed)")
        .register(registry);
    brokerPublish = Timer.builder("switchboard_broker_publish")
        .description("Broker round trip of a publish (append + fan-out)")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
    deliveryLatency = Timer.builder("switchboard_delivery_latency")
        .description("From the publish timestamp to the write to subscribers on this node")
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  /**
   * A registry that renders the Prometheus text format, with Netty's allocator meters ({@code
   * netty_allocator_memory_used{memory_type}}): the direct memory of socket reads and writes,
   * which the JVM's heap meters do not show.
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Vert.x's servers and clients allocate from Netty's default allocator (adaptive by default,
    // or pooled: -Dio.netty.allocator.type), and both report what they hold
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
      new NettyAllocatorMetrics(allocator).bindTo(registry);
    }
    return registry;
  }

  /**
   * {@code switchboard_cluster_members}: members of the clustered event bus (Hazelcast), this node
   * and services included; registered by Main, which owns the cluster member.
   */
  public static void clusterMembers(MeterRegistry registry, Supplier<Number> members) {
    Gauge.builder("switchboard_cluster_members", members, v -> v.get().doubleValue())
        .description("Members of the clustered event bus (cluster.enabled), this node included")
        .strongReference(true)
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter of the registry (Vert.x's too), in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Active channels and the broker's own figures, read when scraped. */
  public void gauge(String name, String description, Supplier<Number> value) {
    // Micrometer holds gauge sources weakly; a lambda nobody else holds would read NaN after a GC
    Gauge.builder(name, value, v -> v.get().doubleValue())
        .description(description)
        .strongReference(true)
        .register(registry);
  }

  public <T> void counter(String name, String description, T source, ToDoubleFunction<T> value) {
    counter(name, description, Tags.empty(), source, value);
  }

  public <T> void counter(
      String name, String description, Tags tags, T source, ToDoubleFunction<T> value) {
    // held weakly by Micrometer: callers pass sources that live as long as the node (broker stats)
    FunctionCounter.builder(name, source, value)
        .description(description)
        .tags(tags)
        .register(registry);
  }

  public void connectionOpened(String transport) {
    connections.get(transport).incrementAndGet();
  }

  /** {@code code} null: the peer went away without a close from us. */
  public void connectionClosed(String transport, CloseCode code) {
    connections.get(transport).decrementAndGet();
    String label = code == null ? "peer" : String.valueOf(code.code());
    closes
        .computeIfAbsent(
            transport + "/" + label,
            k -> Counter.builder("switchboard_closes")
                .description(
                    "Connections closed, by transport and close code (peer: by the client)")
                .tag("transport", transport)
                .tag("code", label)
                .register(registry))
        .increment();
  }

  public void subscribed() {
    subscriptions.incrementAndGet();
  }

  public void unsubscribed() {
    subscriptions.decrementAndGet();
  }

  public void received(PublishSource source) {
    received.get(source).increment();
  }

  public void published(PublishSource source, long brokerNanos) {
    published.get(source).increment();
    brokerPublish.record(brokerNanos, TimeUnit.NANOSECONDS);
  }

  public void delivered(long messages) {
    delivered.add(messages);
  }

  public void deliveryLatency(long millis) {
    deliveryLatency.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  public void error(String transport, ErrorCode code) {
    errors
        .computeIfAbsent(
            transport + "/" + code.wireName(),
            k -> Counter.builder("switchboard_errors")
                .description("Error replies, by transport and error code")
                .tag("transport", transport)
                .tag("code", code.wireName())
                .register(registry))
        .increment();
  }

  /**
   * A POST /api/disconnect: {@code complete} (every node answered), {@code incomplete} (some did
   * not in time) or {@code unavailable} (the broker was unreachable: this node only).
   */
  public void disconnect(String result) {
    disconnects
        .computeIfAbsent(
            result,
            k -> Counter.builder("switchboard_disconnects")
                .description("POST /api/disconnect, by result (complete, incomplete, unavailable)")
                .tag("result", result)
                .register(registry))
        .increment();
  }

  /**
   * One application hook call: {@code hook} connect, subscribe or publish; {@code outcome} allow,
   * deny, replaced, failed, timeout or overloaded.
   */
  public void hookCall(String hook, String outcome, long nanos) {
    hookCalls
        .computeIfAbsent(
            hook + "/" + outcome,
            k -> Timer.builder("switchboard_hook_duration")
                .description("Application hook calls, by hook and outcome (allow, deny, replaced,"
                    + " failed, timeout, overloaded)")
                .tag("hook", hook)
                .tag("outcome", outcome)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void reaped() {
    reaped.increment();
  }

  public void slowConsumer() {
    slowConsumers.increment();
  }

  public void requestHeadTimeout() {
    requestHeadTimeouts.increment();
  }

  public void recovery(boolean reached) {
    (reached ? recovered : notRecovered).increment();
  }
}
