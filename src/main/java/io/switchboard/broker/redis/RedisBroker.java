package io.switchboard.broker.redis;

import io.switchboard.broker.Broker;
import io.switchboard.broker.BrokerListener;
import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.NewChannelRefused;
import io.switchboard.broker.Publication;
import io.switchboard.broker.PublishAck;
import io.switchboard.broker.PublishOptions;
import io.switchboard.broker.PublishOutcomeUnknown;
import io.switchboard.broker.StreamPosition;
import io.switchboard.config.Sections.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Channels shared by every node through Redis: offsets, epochs and history in one hash and one
 * stream per channel (see {@link RedisKeys}), appended and fanned out by one Lua script, and a
 * pub/sub channel per channel that a node subscribes to only while it has local subscribers.
 * Redis work per publication is one script call and one PUBLISH that reaches only the nodes that
 * subscribed.
 */
public final class RedisBroker implements Broker {
  private static final LuaScript PUBLISH = LuaScript.load("publish.lua");
  private static final LuaScript HISTORY = LuaScript.load("history.lua");

  private final RedisClients clients;
  private final RedisKeys keys;
  private final RedisConfig config;
  private final RedisBrokerStats stats = new RedisBrokerStats();
  private final PubSubLink link;
  // Channels this node has local subscribers of (Fanout calls subscribe/unsubscribe from any
  // loop): only their reads store an epoch for a channel nobody published to yet
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  private final String member;

  private RedisBroker(Vertx vertx, RedisConfig config, String nodeId) {
    this.config = config;
    this.clients = RedisClients.create(vertx, config);
    this.keys = new RedisKeys(config.prefix());
    // the node id alone may be reused by a restarted node (or shared by mistake): the suffix makes
    // each process a member of its own; no blanks, as it travels in space-separated messages
    this.member = nodeId.replaceAll("\\s", "_") + "@"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    this.link = new PubSubLink(
        vertx,
        clients.pubSubEndpoints(),
        keys,
        stats,
        this::readHistory,
        List.of(keys.control(), keys.answers(member)));
  }

  /**
   * Starts connecting in the background: a node comes up while Redis is unreachable (not ready,
   * publishes unavailable) and follows once it is there.
   */
  public static RedisBroker start(Vertx vertx, RedisConfig config, String nodeId) {
    RedisBroker broker = new RedisBroker(vertx, config, nodeId);
    broker.connected = broker.link.start();
    return broker;
  }

  /** {@link #start(Vertx, RedisConfig, String)} for a broker used on its own (tests). */
  public static RedisBroker start(Vertx vertx, RedisConfig config) {
    return start(vertx, config, "node");
  }

  private Future<Void> connected;

  /** Completes the first time the pub/sub link is up. */
  @Override
  public Future<Void> connected() {
    return connected;
  }

  public RedisBrokerStats stats() {
    return stats;
  }

  String prefix() {
    return config.prefix();
  }

  public RedisKeys keys() {
    return keys;
  }

  /** This process as a member of the cluster: its node id and a random suffix. */
  public String member() {
    return member;
  }

  /** The Redis command timeout ({@code broker.redis.timeoutMs}). */
  long timeoutMs() {
    return config.timeoutMs();
  }

  /** Receives what comes on the control channels (see {@link RedisNodeControl}). */
  void controlListener(BiConsumer<String, String> listener) {
    link.controlListener(listener);
  }

  /**
   * Runs {@code action} each time the pub/sub link is up, the first time included: control
   * messages sent while it was down never reached this node.
   */
  void onLinkUp(Runnable action) {
    link.onUp(action);
  }

  /** A PUBLISH of a control message, failing after {@code timeoutMs}. */
  Future<Void> publishControl(String pubSubChannel, String message) {
    return clients
        .commands()
        .send(Request.cmd(Command.PUBLISH).arg(pubSubChannel).arg(message))
        .timeout(config.timeoutMs(), TimeUnit.MILLISECONDS)
        .mapEmpty();
  }

  /**
   * A connection of its own for blocking reads (the inbox), taken from the command pool; the
   * caller closes it.
   */
  public Future<RedisConnection> dedicatedConnection() {
    return clients.commands().connect();
  }

  /** The Redis command client, shared with {@link RedisPresence}. */
  RedisClients clients() {
    return clients;
  }

  @Override
  public void listener(BrokerListener listener) {
    link.listener(listener);
  }

  @Override
  public boolean reachable() {
    return link.up();
  }

  @Override
  public Future<PublishAck> publish(String channel, String data, PublishOptions options) {
    List<String> args = List.of(
        keys.pubSub(channel),
        data,
        options.publisher() == null ? "" : options.publisher(),
        options.publisher() == null ? "0" : "1",
        String.valueOf(options.historySize()),
        String.valueOf(Math.max(1, options.historyTtlMs())),
        String.valueOf(config.metaTtlMs()),
        StreamPosition.newEpoch(),
        options.mayCreate() ? "1" : "0");
    List<String> scriptKeys = options.idempotencyKey() == null
        ? channelKeys(channel)
        : List.of(
            keys.meta(channel),
            keys.stream(channel),
            keys.idempotency(channel, options.idempotencyKey()));
    Future<PublishAck> published = PUBLISH
        .call(clients.commands(), scriptKeys, args)
        .compose(reply -> reply.get(0).toLong() == 0
            ? Future.failedFuture(new NewChannelRefused(channel))
            : Future.succeededFuture(new PublishAck(
                new StreamPosition(reply.get(0).toLong(), reply.get(1).toString()),
                Long.parseLong(reply.get(2).toString()),
                reply.get(3).toLong() == 1)));
    // a command that timed out is still in Redis's queue, or ran and its answer is late
    Future<PublishAck> answered = published
        .timeout(config.timeoutMs(), TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(
            err instanceof TimeoutException
                ? new PublishOutcomeUnknown(channel, config.timeoutMs())
                : err));
    return CallerContext.bind(answered);
  }

  @Override
  public Future<Void> publishEvent(ChannelEvent event) {
    Future<Void> sent = clients
        .commands()
        .send(Request.cmd(Command.PUBLISH)
            .arg(keys.pubSub(event.channel()))
            .arg(PubSubMessage.encode(event)))
        .mapEmpty();
    return CallerContext.bind(sent.timeout(config.timeoutMs(), TimeUnit.MILLISECONDS));
  }

  @Override
  public Future<Void> subscribe(String channel) {
    subscribed.add(channel);
    // bounded like every command: the hub then answers unavailable, and the next subscriber of the
    // channel asks again (Fanout), rather than every subscriber waiting on a reply that never comes
    return CallerContext.bind(
        link.subscribe(channel).timeout(config.timeoutMs(), TimeUnit.MILLISECONDS));
  }

  @Override
  public Future<Void> unsubscribe(String channel) {
    subscribed.remove(channel);
    return CallerContext.bind(link.unsubscribe(channel));
  }

  @Override
  public Future<HistoryPage> history(String channel, HistoryQuery query) {
    return CallerContext.bind(readHistory(channel, query));
  }

  private Future<HistoryPage> readHistory(String channel, HistoryQuery query) {
    StreamPosition since = query.since();
    List<String> args = List.of(
        since == null ? "" : String.valueOf(since.offset()),
        String.valueOf(query.limit()),
        String.valueOf(config.metaTtlMs()),
        StreamPosition.newEpoch(),
        subscribed.contains(channel) ? "1" : "0");
    return HISTORY
        .call(clients.commands(), channelKeys(channel), args)
        .timeout(config.timeoutMs(), TimeUnit.MILLISECONDS)
        .map(reply -> page(channel, since, reply));
  }

  private static HistoryPage page(String channel, StreamPosition since, Response reply) {
    String epoch = reply.get(0).toString();
    StreamPosition top = new StreamPosition(reply.get(1).toLong(), epoch);
    long oldest = reply.get(2).toLong();
    List<Publication> publications = new ArrayList<>();
    for (Response entry : reply.get(3)) {
      publications.add(publication(channel, epoch, entry));
    }
    if (since == null) {
      Collections.reverse(publications);
      return new HistoryPage(publications, top, true);
    }
    boolean reaches = since.recoverableFrom(top, oldest);
    if (!since.sameEpoch(top)) {
      publications.clear();
    }
    return new HistoryPage(publications, top, reaches);
  }

  /** A stream entry: id "offset-0", fields d (data), t (ms), p (publisher, absent for none). */
  private static Publication publication(String channel, String epoch, Response entry) {
    String id = entry.get(0).toString();
    long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
    Response fields = entry.get(1);
    String data = null;
    String publisher = null;
    long ts = 0;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      switch (fields.get(i).toString()) {
        case "d" -> data = fields.get(i + 1).toString();
        case "t" -> ts = fields.get(i + 1).toLong();
        case "p" -> publisher = fields.get(i + 1).toString();
        default -> {}
      }
    }
    return new Publication(channel, new StreamPosition(offset, epoch), ts, publisher, data);
  }

  private List<String> channelKeys(String channel) {
    return List.of(keys.meta(channel), keys.stream(channel));
  }

  @Override
  public Future<Void> close() {
    return link.close().eventually(clients::close);
  }
}
