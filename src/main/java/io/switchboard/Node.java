package io.switchboard;

import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.auth.ApiKeys;
import io.switchboard.auth.Credentials;
import io.switchboard.auth.RevocationList;
import io.switchboard.auth.RevocationStore;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.broker.Broker;
import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.NodeControl;
import io.switchboard.broker.PresenceManager;
import io.switchboard.broker.memory.MemoryBroker;
import io.switchboard.broker.memory.MemoryBrokerStats;
import io.switchboard.broker.memory.MemoryPresence;
import io.switchboard.broker.redis.RedisBroker;
import io.switchboard.broker.redis.RedisBrokerStats;
import io.switchboard.broker.redis.RedisNodeControl;
import io.switchboard.broker.redis.RedisPresence;
import io.switchboard.broker.redis.RedisRevocations;
import io.switchboard.broker.redis.RedisUserSlots;
import io.switchboard.config.ConfigException;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.config.Sections.BrokerType;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hook.Hooks;
import io.switchboard.hub.AcceptedTraffic;
import io.switchboard.hub.AnnouncedPresence;
import io.switchboard.hub.Disconnects;
import io.switchboard.hub.Drain;
import io.switchboard.hub.Engine;
import io.switchboard.hub.Fanout;
import io.switchboard.hub.Hubs;
import io.switchboard.hub.Publisher;
import io.switchboard.hub.SessionIds;
import io.switchboard.limits.ConnectionCounter;
import io.switchboard.limits.Limits;
import io.switchboard.limits.UserSlots;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.plugin.PluginVerticles;
import io.switchboard.protocol.ChannelName;
import io.switchboard.protocol.FrameCodec;
import io.switchboard.transport.AdminVerticle;
import io.switchboard.transport.EdgeVerticle;
import io.switchboard.transport.NodeParts;
import io.switchboard.transport.bus.PublishConsumer;
import io.switchboard.transport.bus.TrafficBus;
import io.switchboard.transport.http.PublishRequests;
import io.switchboard.transport.inbox.RedisInbox;
import io.switchboard.validation.ProtocolSchema;
import io.switchboard.validation.SchemaRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.cpu.CpuCoreSensor;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires one Switchboard node: builds the node-wide parts once, then deploys one
 * {@link EdgeVerticle} per event loop. {@code Main} and the tests start nodes the same way.
 */
public final class Node {
  private static final AtomicInteger RANDOM_PORT_GROUPS = new AtomicInteger();
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final NodeParts parts;
  // how this node reaches the others (Disconnects uses it); closed with the node
  private final NodeControl control;
  private final List<EdgeVerticle> edges;
  private final NodeDrain drain;
  private Future<Void> closed;
  private String deploymentId;
  private String adminDeploymentId;
  private RedisInbox inbox;
  private PluginVerticles plugins;

  private Node(Vertx vertx, NodeParts parts, NodeControl control) {
    this.vertx = vertx;
    this.config = parts.config();
    this.parts = parts;
    this.control = control;
    this.edges = Collections.synchronizedList(new ArrayList<>());
    this.drain = new NodeDrain(config, parts.drain(), parts.hubs(), parts.publisher(), this::close);
  }

  /** Starts with a registry of its own: Switchboard's meters only, no Vert.x metrics. */
  public static Future<Node> start(Vertx vertx, SwitchboardConfig config) {
    return start(vertx, config, SwitchboardMetrics.newRegistry());
  }

  /**
   * {@code registry}: where /metrics reads from; Main passes the one Vert.x reports its own
   * metrics to, so one scrape has both.
   */
  public static Future<Node> start(
      Vertx vertx, SwitchboardConfig config, PrometheusMeterRegistry registry) {
    Node node;
    try {
      node = wire(vertx, config, new SwitchboardMetrics(registry));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return node.deploy().map(node);
  }

  /** Builds the node-wide parts once; the edges take them from {@link NodeParts}. */
  private static Node wire(Vertx vertx, SwitchboardConfig config, SwitchboardMetrics metrics) {
    ProtocolSchema protocol = ProtocolSchema.load();
    SchemaRegistry schemas = schemaRegistry(config);
    Broker broker;
    PresenceManager presence;
    ConnectionCounter connections = ConnectionCounter.of(config.limits());
    // what the nodes share besides channels: revocations, per-user connection counts, and the
    // way to reach every node (a disconnect); a single node keeps them to itself
    RevocationStore sharedRevocations;
    UserSlots userSlots;
    NodeControl control;
    AcceptedTraffic traffic = new TrafficBus(vertx.eventBus(), config);
    if (config.broker().type() == BrokerType.REDIS) {
      RedisBroker redis = RedisBroker.start(vertx, config.broker().redis(), config.nodeId());
      broker = redis;
      presence = new RedisPresence(
          vertx,
          redis,
          config.presence().ttlMs(),
          config.broker().redis().timeoutMs(),
          channel -> announcesLeaves(config, channel),
          (channel, user) ->
              traffic.presence(new ChannelEvent(channel, ChannelEvent.Kind.LEAVE, user)));
      sharedRevocations = new RedisRevocations(redis);
      userSlots = new RedisUserSlots(
          vertx,
          redis,
          config.limits().maxConnectionsPerUser(),
          config.presence().ttlMs());
      control = new RedisNodeControl(vertx, redis, config.presence().ttlMs());
    } else {
      broker = new MemoryBroker(vertx, config.broker().memory());
      presence = new MemoryPresence();
      sharedRevocations = RevocationStore.NONE;
      userSlots = UserSlots.of(connections);
      control = NodeControl.SINGLE_NODE;
    }
    presence = new AnnouncedPresence(presence, traffic);
    Fanout fanout = new Fanout(broker);
    broker.listener(fanout);
    Publisher publisher = new Publisher(config, schemas, broker, metrics, traffic);
    registerNodeGauges(metrics, config, broker, fanout, control);
    RevocationList revocations = new RevocationList();
    TokenVerifier tokens =
        TokenVerifier.create(vertx, config.auth().jwt(), revocations, sharedRevocations);
    Hubs hubs = new Hubs();
    Disconnects disconnects =
        new Disconnects(hubs, revocations, sharedRevocations, control, metrics);
    NodeParts parts = new NodeParts(
        config,
        new Engine(broker, presence, fanout),
        new Credentials(config.auth(), tokens, new ApiKeys(config.auth().apiKeys()), revocations),
        Limits.of(config.limits(), connections, userSlots),
        publisher,
        protocol,
        new FrameCodec(protocol),
        metrics,
        new Drain(),
        hubs,
        disconnects,
        Hooks.create(vertx, config, metrics));
    return new Node(vertx, parts, control);
  }

  private static void registerNodeGauges(
      SwitchboardMetrics metrics,
      SwitchboardConfig config,
      Broker broker,
      Fanout fanout,
      NodeControl control) {
    metrics.gauge(
        "switchboard_channels",
        "Channels with local subscribers on this node",
        fanout::activeChannels);
    metrics.gauge(
        "switchboard_broker_up",
        "1 while the broker is reachable, else 0",
        () -> broker.reachable() ? 1 : 0);
    if (broker instanceof MemoryBroker memory) {
      metrics.gauge(
          "switchboard_broker_bytes",
          "Heap bytes the memory broker holds (estimated:"
              + " history, offsets, epochs, idempotency keys)",
          memory::bytes);
      metrics.gauge(
          "switchboard_broker_max_bytes",
          "broker.memory.maxBytes",
          () -> config.broker().memory().maxBytes());
      metrics.gauge(
          "switchboard_broker_channels", "Channels the memory broker holds", memory::channels);
      for (MemoryBrokerStats.Reason reason : MemoryBrokerStats.Reason.values()) {
        metrics.counter(
            "switchboard_broker_evictions",
            "Channels the memory broker dropped, by"
                + " reason: budget (maxBytes), count (maxChannels), ttl (history expired)",
            Tags.of("reason", reason.label()),
            memory.stats(),
            stats -> stats.evictions(reason));
      }
    }
    if (broker instanceof RedisBroker redis) {
      RedisBrokerStats stats = redis.stats();
      metrics.counter(
          "switchboard_redis_reconnects",
          "Times the Redis pub/sub link came back",
          stats.reconnects,
          LongAdder::sum);
      metrics.counter(
          "switchboard_redis_catchups",
          "History reads that filled a hole in a channel's live stream",
          stats.catchUps,
          LongAdder::sum);
      metrics.counter(
          "switchboard_redis_gaps",
          "Holes history could not fill (subscribers were sent a gap)",
          stats.gaps,
          LongAdder::sum);
      metrics.counter(
          "switchboard_redis_duplicates_dropped",
          "Publications that came twice from Redis and were dropped",
          stats.duplicatesDropped,
          LongAdder::sum);
      metrics.counter(
          "switchboard_redis_revocation_fallbacks",
          "Token verifications that could not ask Redis and used this node's revocations only",
          stats.revocationFallbacks,
          LongAdder::sum);
      metrics.counter(
          "switchboard_redis_user_limit_fallbacks",
          "Connections counted against maxConnectionsPerUser on this node only (no Redis)",
          stats.userLimitFallbacks,
          LongAdder::sum);
    }
    if (control instanceof RedisNodeControl nodes) {
      metrics.gauge(
          "switchboard_cluster_nodes",
          "Live nodes in the Redis registry at this node's last beat, itself included",
          nodes::liveNodes);
    }
  }

  private static boolean announcesLeaves(SwitchboardConfig config, String channel) {
    NamespaceConfig ns = config.namespace(ChannelName.namespaceOf(channel));
    return ns != null && ns.presence() && ns.joinLeave();
  }

  private static SchemaRegistry schemaRegistry(SwitchboardConfig config) {
    Map<String, JsonObject> schemas = new LinkedHashMap<>();
    for (NamespaceConfig ns : config.namespaces().values()) {
      if (ns.schema() != null) {
        schemas.put(ns.name(), ns.schema());
      }
    }
    try {
      return SchemaRegistry.of(schemas);
    } catch (RuntimeException e) {
      throw new ConfigException(List.of(
          "namespaces.*.schema: a schema is not a valid JSON Schema (" + e.getMessage() + ")"));
    }
  }

  private Future<Void> deploy() {
    int instances = config.http().instances() > 0
        ? config.http().instances()
        : CpuCoreSensor.availableProcessors();
    int maxFrame =
        config.limits().maxFrameBytes() > 0 ? config.limits().maxFrameBytes() : Integer.MAX_VALUE;
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.http().host())
        .setPort(config.http().port() == 0 ? sharedRandomPort() : config.http().port())
        .setMaxWebSocketFrameSize(maxFrame)
        .setMaxWebSocketMessageSize(maxFrame)
        // after our close frame, how long Vert.x waits for the client's before dropping the TCP
        // connection: 10 s by default. After a refused frame (1002, 1009) Netty's decoder drops
        // everything, the client's close frame too, so this is how long such a connection stays.
        // Dropping the connection at once would lose the close frame: with the rest of a big
        // frame still arriving, the kernel resets the connection.
        .setWebSocketClosingTimeout(1)
        .setTcpNoDelay(true)
        // a connection with no traffic either way for twice the heartbeat timeout is dead or
        // hostile (a socket that never sends a request); live WebSocket and SSE connections get
        // a ping every interval, so only those are closed
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, 2 * config.heartbeat().timeoutMs()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // Every request and response of ours is handled on its connection's event loop, so Vert.x
        // may skip its cross-thread write queue: a 4 KB queue less per connection (the HTTP
        // connection behind each WebSocket lives as long as the socket). The price: a response
        // written from another thread is refused, so code that completes on another loop must hop
        // back first (DisconnectHandler does).
        .setStrictThreadMode(true)
        // no HTTP/2 over cleartext: to sniff its preface Vert.x sets a connection up only once its
        // first bytes arrive, and the request-head deadline and the per-address count start at
        // accept (AcceptedConnections); browsers speak HTTP/2 only over TLS, ended before us
        .setHttp2ClearTextEnabled(false)
        // compressing fan-out would cost one deflate per subscriber per message
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    SessionIds ids = new SessionIds(config.nodeId());
    PublishRequests requests = new PublishRequests(parts.protocolSchema(), parts.publisher());
    return brokerConnected()
        .compose(
            v -> new PublishConsumer(requests, parts.metrics(), config.limits().maxBodyBytes())
                .register(vertx))
        .compose(v -> vertx.deployVerticle(
            () -> {
              EdgeVerticle edge = new EdgeVerticle(parts, ids, options);
              edges.add(edge);
              return edge;
            },
            new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> deploymentId = id)
        .compose(id -> config.http().adminPort() == 0
            ? Future.succeededFuture()
            : vertx
                .deployVerticle(new AdminVerticle(parts))
                .onSuccess(id2 -> adminDeploymentId = id2))
        .onSuccess(v -> startInbox())
        .compose(v -> {
          plugins = new PluginVerticles(vertx, config.plugins());
          return plugins.deploy();
        });
  }

  /**
   * Gives the broker a moment to connect, so a node whose Redis is up serves its first client;
   * one whose Redis is down starts anyway, not ready, and follows once Redis is there.
   */
  private Future<Void> brokerConnected() {
    long waitMs = config.broker().redis().timeoutMs();
    return parts
        .engine()
        .broker()
        .connected()
        .timeout(waitMs, TimeUnit.MILLISECONDS)
        .recover(err -> {
          log.atWarn()
              .log(
                  "starting without the broker ({}): not ready until it connects",
                  err.getMessage());
          return Future.succeededFuture();
        });
  }

  private void startInbox() {
    if (parts.engine().broker() instanceof RedisBroker redis
        && config.broker().redis().inbox()) {
      inbox = new RedisInbox(
          vertx,
          redis,
          parts.publisher(),
          parts.metrics(),
          config.limits().maxBodyBytes(),
          config.nodeId());
      inbox.start();
    }
  }

  /**
   * Port 0 would give every instance its own random port. Servers listening on the same negative
   * port share one random port, as instances share a fixed one; each node takes its own negative
   * value so two nodes in one Vert.x (tests) do not share.
   */
  private static int sharedRandomPort() {
    return -RANDOM_PORT_GROUPS.incrementAndGet();
  }

  /** The port the HTTP server listens on (the real one when configured with port 0). */
  public int port() {
    return edges.get(0).actualPort();
  }

  public SwitchboardConfig config() {
    return config;
  }

  /** The node-wide parts (tests reach the broker, the hubs, the counters and meters here). */
  public NodeParts parts() {
    return parts;
  }

  /**
   * Drains the node, as {@code POST /api/drain} does: completes once every client is closed with
   * 1001, spread over {@code drain.windowMs}, and the node is closed. Idempotent.
   */
  public Future<Void> drain() {
    parts.drain().request();
    return drain.finished();
  }

  /** Completes once a drain, however it was started, has closed the clients and the node. */
  public Future<Void> drained() {
    return drain.finished();
  }

  /**
   * Undeploys the edges (closing every session as going away), then the broker. Idempotent: the
   * drain, the shutdown hook and tests may all call it.
   */
  public synchronized Future<Void> close() {
    if (closed == null) {
      closed = closeOnce();
    }
    return closed;
  }

  private Future<Void> closeOnce() {
    Future<Void> undeploy = (plugins == null ? Future.<Void>succeededFuture() : plugins.undeploy())
        .eventually(() -> adminDeploymentId == null
            ? Future.<Void>succeededFuture()
            : vertx.undeploy(adminDeploymentId))
        .compose(
            v -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId));
    return undeploy
        .eventually(() -> inbox == null ? Future.succeededFuture() : inbox.close())
        .eventually(() -> parts.engine().presence().close())
        .eventually(() -> parts.limits().userSlots().close())
        .eventually(() -> control.close())
        .eventually(() -> parts.engine().broker().close())
        .eventually(() -> parts.hooks().close());
  }
}
