package io.switchboard.hub;

import io.switchboard.auth.Permissions;
import io.switchboard.auth.Principal;
import io.switchboard.broker.Broker;
import io.switchboard.broker.NewChannelRefused;
import io.switchboard.broker.PublishAck;
import io.switchboard.broker.PublishOptions;
import io.switchboard.broker.PublishOutcomeUnknown;
import io.switchboard.broker.StreamPosition;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.limits.ChannelCreations;
import io.switchboard.metrics.PublishSource;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ChannelName;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.validation.SchemaRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one publish path behind WebSocket, HTTP, batch and event bus: channel name, namespace,
 * permission, schema, then the broker. Fails only with {@link SwitchboardException}; a broker
 * failure is {@code unavailable}: the message was not published, unless the broker did not answer
 * in time ({@link PublishOutcomeUnknown}), when it may have been.
 */
public final class Publisher {
  private static final Logger log = LoggerFactory.getLogger(Publisher.class);
  // PROTOCOL 3.6 and 8.1: after a timeout only an idempotent retry is safe
  static final String MAYBE_PUBLISHED = "broker unavailable: no answer from Redis in time; the"
      + " message may have been published. Retry with the same Idempotency-Key (HTTP), or read"
      + " the channel's history before publishing it again";

  private final SwitchboardConfig config;
  private final SchemaRegistry schemas;
  private final Broker broker;
  private final SwitchboardMetrics metrics;
  // an outage fails every publish: one line per interval says so without flooding the log
  private final WarningThrottle brokerFailures = new WarningThrottle(5_000);
  private final PendingPublishes pending = new PendingPublishes();
  private final AcceptedTraffic traffic;

  public Publisher(
      SwitchboardConfig config, SchemaRegistry schemas, Broker broker, SwitchboardMetrics metrics) {
    this(config, schemas, broker, metrics, AcceptedTraffic.NONE);
  }

  /** {@code traffic}: told of every message the broker acked (not of repeats). */
  public Publisher(
      SwitchboardConfig config,
      SchemaRegistry schemas,
      Broker broker,
      SwitchboardMetrics metrics,
      AcceptedTraffic traffic) {
    this.config = config;
    this.metrics = metrics;
    this.schemas = schemas;
    this.broker = broker;
    this.traffic = traffic;
  }

  /**
   * Publishes {@code data} to {@code channel} for {@code who}.
   *
   * @param idempotencyKey null, or a key that makes a repeat answer the first publish's position
   * @param creations the publisher's budget of new channels: a publish to a channel the broker
   *     holds nothing for needs one, and is refused {@code rate_limited} without
   */
  public Future<StreamPosition> publish(
      Principal who,
      String channel,
      Object data,
      PublishSource source,
      String idempotencyKey,
      ChannelCreations creations) {
    metrics.received(source);
    NamespaceConfig ns;
    String encoded;
    try {
      ns = check(who, channel, data);
      encoded = Json.encode(data);
    } catch (SwitchboardException e) {
      return Future.failedFuture(e);
    }
    String publisher = who.server() ? null : who.user();
    boolean mayCreate = creations.reserve();
    long started = System.nanoTime();
    return pending
        .track(broker.publish(
            channel,
            encoded,
            new PublishOptions(
                publisher, ns.history().size(), ns.history().ttlMs(), idempotencyKey, mayCreate)))
        .onComplete(ar -> {
          // only a publish that opened the channel's stream used the creation it reserved
          if (mayCreate
              && !(ar.succeeded()
                  && !ar.result().repeat()
                  && ar.result().position().opensEpoch())) {
            creations.release();
          }
        })
        .onSuccess(ack -> {
          metrics.published(source, System.nanoTime() - started);
          if (!ack.repeat()) {
            traffic.published(ns, channel, ack, publisher, data);
          }
        })
        .map(PublishAck::position)
        .recover(err -> {
          if (err instanceof SwitchboardException) {
            return Future.failedFuture(err);
          }
          if (err instanceof NewChannelRefused) {
            return Future.failedFuture(new SwitchboardException(
                ErrorCode.RATE_LIMITED,
                "too many new channels (limits.newChannelsPerSecond = " + creations.perSecond()
                    + "): " + channel + " does not exist yet and this publish would create it;"
                    + " publishes to existing channels still go through. Retry later"));
          }
          brokerFailures.warn(() -> log.atWarn()
              .addKeyValue("channel", channel)
              .log("broker publish failed: {}", err.toString()));
          if (err instanceof PublishOutcomeUnknown) {
            return Future.failedFuture(
                new SwitchboardException(ErrorCode.UNAVAILABLE, MAYBE_PUBLISHED));
          }
          return Future.failedFuture(new SwitchboardException(
              ErrorCode.UNAVAILABLE, "broker unavailable: the message was not published"));
        });
  }

  /**
   * Counts {@code publish}, a client's publish still waiting for its hook, among those
   * {@link #settled} waits for: a drain then does not close its connection before its answer.
   */
  <T> Future<T> tracked(Future<T> publish) {
    return pending.track(publish);
  }

  /**
   * Completes once every publish already handed to the broker has been answered (later ones are
   * not waited for): the drain lets them finish before it closes the connections awaiting acks.
   */
  public Future<Void> settled() {
    return pending.settled();
  }

  /**
   * What {@link #publish} checks before the broker: channel name, namespace, permission, schema.
   * Throws the {@link SwitchboardException} a publish would fail with.
   */
  public NamespaceConfig check(Principal who, String channel, Object data) {
    NamespaceConfig ns = namespaceOf(channel);
    Permissions.checkPublish(who, channel, ns);
    schemas.validateData(ns.name(), data);
    return ns;
  }

  /** Valid name and configured namespace, or {@code bad_request} / {@code unknown_channel}. */
  public NamespaceConfig namespaceOf(String channel) {
    ChannelName.require(channel);
    String namespace = ChannelName.namespaceOf(channel);
    NamespaceConfig ns = config.namespace(namespace);
    if (ns == null) {
      throw new SwitchboardException(
          ErrorCode.UNKNOWN_CHANNEL,
          "namespace \"" + namespace + "\" of channel " + channel + " is not configured");
    }
    return ns;
  }
}
