package io.switchboard.broker.memory;

import io.switchboard.broker.Broker;
import io.switchboard.broker.BrokerListener;
import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.Publication;
import io.switchboard.broker.PublishOptions;
import io.switchboard.broker.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded broker: one node, no server. Each channel's log is changed only inside
 * {@link ConcurrentHashMap#compute}, which serializes publishers of one channel across event loops
 * without a lock of our own; the listener is called inside it, so every node-local subscriber
 * sees a channel's publications in offset order.
 */
public final class MemoryBroker implements Broker {
  private static final long SWEEP_INTERVAL_MS = 60_000;

  private final Vertx vertx;
  private final ConcurrentHashMap<String, ChannelLog> logs = new ConcurrentHashMap<>();
  // channels this node subscribed to; their logs are never swept so live offsets stay continuous
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  private final long sweepTimer;
  private volatile BrokerListener listener;

  public MemoryBroker(Vertx vertx) {
    this.vertx = vertx;
    this.sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweep());
  }

  @Override
  public void listener(BrokerListener listener) {
    this.listener = listener;
  }

  @Override
  public Future<StreamPosition> publish(String channel, String data, PublishOptions options) {
    long now = System.currentTimeMillis();
    StreamPosition[] position = new StreamPosition[1];
    logs.compute(channel, (name, log) -> {
      ChannelLog target = log != null ? log : new ChannelLog(StreamPosition.newEpoch());
      Publication earlier = target.published(options.idempotencyKey(), now);
      if (earlier != null) {
        position[0] = earlier.position();
        return target;
      }
      var publication = target.append(name, data, options.publisher(), options.historySize(),
          options.historyTtlMs(), now, options.idempotencyKey());
      position[0] = publication.position();
      listener.onPublication(publication);
      return target;
    });
    return Future.succeededFuture(position[0]);
  }

  @Override
  public Future<Void> publishEvent(ChannelEvent event) {
    listener.onEvent(event);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> subscribe(String channel) {
    subscribed.add(channel);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> unsubscribe(String channel) {
    subscribed.remove(channel);
    return Future.succeededFuture();
  }

  @Override
  public Future<HistoryPage> history(String channel, HistoryQuery query) {
    long now = System.currentTimeMillis();
    HistoryPage[] page = new HistoryPage[1];
    logs.compute(channel, (name, log) -> {
      ChannelLog target = log != null ? log : new ChannelLog(StreamPosition.newEpoch());
      page[0] = target.read(query, now);
      return target;
    });
    return Future.succeededFuture(page[0]);
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return Future.succeededFuture();
  }

  /** Drops logs of channels nobody follows whose history expired, so quiet channels cost nothing. */
  void sweep() {
    long now = System.currentTimeMillis();
    for (String channel : logs.keySet()) {
      logs.computeIfPresent(channel,
          (name, log) -> !subscribed.contains(name) && log.expire(now) ? null : log);
    }
  }

  int channelCount() {
    return logs.size();
  }
}
