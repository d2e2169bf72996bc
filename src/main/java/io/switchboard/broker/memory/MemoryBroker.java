package io.switchboard.broker.memory;

import io.switchboard.broker.Broker;
import io.switchboard.broker.BrokerListener;
import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.NewChannelRefused;
import io.switchboard.broker.Publication;
import io.switchboard.broker.PublishAck;
import io.switchboard.broker.PublishOptions;
import io.switchboard.broker.memory.MemoryBrokerStats.Reason;
import io.switchboard.config.Sections.MemoryConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker: one node, no server. Each channel's log is changed only inside
 * {@link ConcurrentHashMap#compute}, which serializes publishers of one channel across event loops
 * without a lock of our own; the listener is called inside it, so every node-local subscriber
 * sees a channel's publications in offset order.
 *
 * <p>What it keeps is bounded by {@code broker.memory} (README "Memory budget"): every log knows
 * its estimated size ({@link Footprint}); after a publish that leaves the total over
 * {@code maxBytes}, or the channels over {@code maxChannels}, whole logs are dropped in
 * {@link EvictionOrder} (no local subscribers first, least recently published first) until it is
 * under again: O(1) per publish, amortized, and no scan of the channels. A dropped channel starts
 * a new epoch on its next publish, so an offset from before never resumes. Channels nobody has
 * published to cost nothing: reads and subscriptions of them store nothing ({@link AbsentEpochs}).
 */
public final class MemoryBroker implements Broker {
  private static final Logger log = LoggerFactory.getLogger(MemoryBroker.class);
  private static final long SWEEP_INTERVAL_MS = 60_000;
  private static final long WARN_INTERVAL_MS = 60_000;

  private final Vertx vertx;
  private final long maxBytes;
  private final long maxChannels;
  private final ConcurrentHashMap<String, ChannelLog> logs = new ConcurrentHashMap<>();
  // channels this node subscribed to; their logs are never swept so live offsets stay continuous,
  // and evicted only after every other channel
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  private final EvictionOrder order = new EvictionOrder();
  private final AbsentEpochs epochs = new AbsentEpochs();
  // The sum of every log's bytes(). Each change of a log is added inside that log's compute, so
  // concurrent publishes of different channels (different loops) each add their own delta
  // atomically; the budget check reads it once per publish.
  private final AtomicLong bytes = new AtomicLong();
  private final MemoryBrokerStats stats = new MemoryBrokerStats();
  // evictions log one warning a minute at most, from whichever loop evicts; see warnEvicting
  private final AtomicLong nextWarnAt = new AtomicLong();
  private final LongAdder evictedSinceWarning = new LongAdder();
  private final long sweepTimer;
  private volatile BrokerListener listener;

  public MemoryBroker(Vertx vertx, MemoryConfig budget) {
    this.vertx = vertx;
    this.maxBytes = budget.maxBytes();
    this.maxChannels = budget.maxChannels();
    log.atInfo()
        .addKeyValue("maxBytes", maxBytes)
        .addKeyValue("maxChannels", maxChannels)
        .log("memory broker budget (broker.memory)");
    // the sweep visits every channel (up to maxChannels): a worker's job, not an event loop's;
    // it touches only the thread-safe map and order
    this.sweepTimer = vertx.setPeriodic(
        SWEEP_INTERVAL_MS,
        id -> vertx
            .executeBlocking(
                () -> {
                  sweep();
                  return null;
                },
                false)
            .onFailure(err -> log.atError().setCause(err).log("history sweep failed")));
  }

  @Override
  public void listener(BrokerListener listener) {
    this.listener = listener;
  }

  @Override
  public Future<PublishAck> publish(String channel, String data, PublishOptions options) {
    long now = System.currentTimeMillis();
    PublishAck[] position = new PublishAck[1];
    logs.compute(channel, (name, current) -> {
      ChannelLog target = current;
      if (target == null) {
        if (!options.mayCreate()) {
          return null;
        }
        target = new ChannelLog(name, epochs.of(name));
        bytes.addAndGet(target.bytes());
        order.add(target, subscribed.contains(name));
      } else {
        PublishAck earlier = target.published(options.idempotencyKey(), now);
        if (earlier != null) {
          position[0] = earlier;
          return target;
        }
      }
      long before = target.bytes();
      Publication publication = target.append(
          data,
          options.publisher(),
          options.historySize(),
          options.historyTtlMs(),
          now,
          options.idempotencyKey());
      bytes.addAndGet(target.bytes() - before);
      order.touch(target);
      position[0] = new PublishAck(publication.position(), publication.ts(), false);
      listener.onPublication(publication);
      return target;
    });
    if (position[0] == null) {
      return Future.failedFuture(new NewChannelRefused(channel));
    }
    evictOverBudget();
    return Future.succeededFuture(position[0]);
  }

  @Override
  public Future<Void> publishEvent(ChannelEvent event) {
    listener.onEvent(event);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> subscribe(String channel) {
    // added before the log is moved: a log created meanwhile reads the set inside its compute
    subscribed.add(channel);
    logs.computeIfPresent(channel, (name, current) -> {
      order.follow(current, true);
      return current;
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> unsubscribe(String channel) {
    subscribed.remove(channel);
    logs.computeIfPresent(channel, (name, current) -> {
      order.follow(current, false);
      return current;
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<HistoryPage> history(String channel, HistoryQuery query) {
    long now = System.currentTimeMillis();
    HistoryPage[] page = new HistoryPage[1];
    logs.computeIfPresent(channel, (name, current) -> {
      long before = current.bytes();
      page[0] = current.read(query, now);
      bytes.addAndGet(current.bytes() - before);
      return current;
    });
    return Future.succeededFuture(
        page[0] != null ? page[0] : ChannelLog.readAbsent(epochs.of(channel), query));
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return Future.succeededFuture();
  }

  /**
   * Drops logs in eviction order while over a limit. Runs after the publish's compute returned:
   * dropping another channel takes that channel's bin, which must not happen inside a compute.
   */
  private void evictOverBudget() {
    ChannelLog tried = null;
    Reason reason;
    while ((reason = overLimit()) != null) {
      ChannelLog victim = order.next();
      if (victim == null) {
        return;
      }
      if (victim == tried) {
        // every drop unlinks its log inside the same compute, so a log that is still next after
        // a compute left the map is not possible; if it ever were, unlink it rather than spin
        order.remove(victim);
        continue;
      }
      tried = victim;
      Reason why = reason;
      boolean[] dropped = {false};
      logs.computeIfPresent(victim.channel, (name, current) -> {
        dropped[0] = current == victim;
        return dropped[0] ? drop(current, why) : current;
      });
      if (dropped[0]) {
        warnEvicting(why);
      }
    }
  }

  private Reason overLimit() {
    if (bytes.get() > maxBytes) {
      return Reason.BUDGET;
    }
    return logs.mappingCount() > maxChannels ? Reason.COUNT : null;
  }

  /**
   * Inside the log's compute: forget it everywhere; returns null, the map's "remove". Subscribers
   * on this node hear of it as a gap after the last position (as when Redis loses a channel), then
   * go on with the new epoch the next publish starts.
   */
  private ChannelLog drop(ChannelLog dropped, Reason reason) {
    order.remove(dropped);
    bytes.addAndGet(-dropped.bytes());
    epochs.advance();
    stats.evicted(reason);
    if (subscribed.contains(dropped.channel)) {
      listener.onGap(dropped.channel, dropped.top());
    }
    return null;
  }

  /**
   * Eviction for the budget or the count is how the broker is meant to answer a flood, not a
   * fault: /ready stays ready. Operators still hear of it, once a minute at most, with how many
   * channels went since the last line.
   */
  private void warnEvicting(Reason reason) {
    evictedSinceWarning.increment();
    long now = System.currentTimeMillis();
    long next = nextWarnAt.get();
    if (now >= next && nextWarnAt.compareAndSet(next, now + WARN_INTERVAL_MS)) {
      log.atWarn()
          .addKeyValue("reason", reason.label())
          .addKeyValue("bytes", bytes.get())
          .addKeyValue("maxBytes", maxBytes)
          .addKeyValue("channels", logs.mappingCount())
          .addKeyValue("maxChannels", maxChannels)
          .addKeyValue("evicted", evictedSinceWarning.sumThenReset())
          .log("memory broker over broker.memory: evicting the history of the least recently"
              + " published channels (their next publish starts a new epoch)");
    }
  }

  /**
   * Drops expired messages and keys everywhere, and the logs of channels nobody here follows that
   * retain nothing any more, so quiet channels cost nothing.
   */
  void sweep() {
    long now = System.currentTimeMillis();
    for (String channel : logs.keySet()) {
      logs.computeIfPresent(channel, (name, current) -> {
        long before = current.bytes();
        boolean empty = current.expire(now);
        bytes.addAndGet(current.bytes() - before);
        return empty && !subscribed.contains(name) ? drop(current, Reason.TTL) : current;
      });
    }
  }

  /** Estimated heap bytes held now (see {@link Footprint}). */
  public long bytes() {
    return bytes.get();
  }

  /** Channels held now. */
  public long channels() {
    return logs.mappingCount();
  }

  public MemoryBrokerStats stats() {
    return stats;
  }
}
