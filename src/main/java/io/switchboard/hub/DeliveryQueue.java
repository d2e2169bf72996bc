package io.switchboard.hub;

import io.switchboard.broker.StreamPosition;
import io.switchboard.metrics.SwitchboardMetrics;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The hand-over queue into one hub's event loop: the one point where the broker's threads pass
 * {@link Delivery deliveries} to the hub (many producers, one consumer), and the delivery of what
 * it holds to the hub's sessions. A burst becomes one event-loop task, so the messages that
 * arrived together are written together.
 */
final class DeliveryQueue {
  /** Deliveries handled per event-loop task before yielding to I/O; the rest waits one task. */
  private static final int MAX_DRAIN = 4096;
  /**
   * Socket writes per event-loop task before yielding: a backlog of messages on channels with
   * thousands of subscribers each is millions of writes, which would hold the loop (its
   * connects, acks, timers and {@code POST /api/drain}) for seconds in one task.
   */
  private static final int MAX_WRITES = 16_384;

  private final Context context;
  /** The hub's channels by name; called only on the hub's event loop, like this class's drain. */
  private final Function<String, LocalChannel> channels;

  private final ConcurrentLinkedQueue<Delivery> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final SwitchboardMetrics metrics;
  private final Pass pass = new Pass();
  /** Socket writes of the current drain task; on the hub's event loop only. */
  private int writes;

  DeliveryQueue(
      Context context, Function<String, LocalChannel> channels, SwitchboardMetrics metrics) {
    this.context = context;
    this.channels = channels;
    this.metrics = metrics;
  }

  /** Any thread. */
  void add(Delivery delivery) {
    queue.add(delivery);
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    drainScheduled.set(false);
    writes = 0;
    Delivery delivery;
    for (int n = 0;
        n < MAX_DRAIN && writes < MAX_WRITES && (delivery = queue.poll()) != null;
        n++) {
      delivery.handOver(pass);
    }
    pass.endRun();
    if (!queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  /**
   * One drain's state. Consecutive messages of one channel form a run, delivered together: one
   * flush per socket, one batch frame for batch=1 clients. A message of another channel or an
   * event ends the run, so a connection following several channels sees them in the node's order
   * too. One instance, used only on the hub's event loop.
   */
  private final class Pass implements Delivery.Handler {
    private LocalChannel runChannel;
    private List<OutboundMessage> run = new ArrayList<>();

    @Override
    public void message(OutboundMessage message) {
      LocalChannel local = accept(message);
      if (local == null) {
        return;
      }
      if (local != runChannel) {
        endRun();
        runChannel = local;
      }
      run.add(message);
    }

    @Override
    public void presence(PresenceEvent event) {
      endRun();
      announce(event);
    }

    @Override
    public void gap(ChannelGap gap) {
      endRun();
      announce(gap);
    }

    void endRun() {
      LocalChannel local = runChannel;
      if (local == null) {
        return;
      }
      // reset first: a run is delivered once, even if a socket write throws; the batch keeps
      // the list, so the next run gets its own
      List<OutboundMessage> messages = run;
      runChannel = null;
      run = new ArrayList<>();
      deliver(local, messages);
    }
  }

  /** The message's channel on this hub if the message is new to it (buffered for catch-ups). */
  private LocalChannel accept(OutboundMessage message) {
    LocalChannel local = channels.apply(message.channel());
    StreamPosition position = message.publication().position();
    if (local == null || !local.isNew(position)) {
      return null;
    }
    local.lastDelivered = position;
    for (List<OutboundMessage> buffer : local.catchingUp.values()) {
      buffer.add(message);
    }
    return local;
  }

  private void deliver(LocalChannel local, List<OutboundMessage> run) {
    MessageBatch batch = new MessageBatch(run);
    // once per run, not per socket: the counters stay off the per-subscriber path
    metrics.delivered((long) run.size() * local.live.size());
    metrics.deliveryLatency(
        System.currentTimeMillis() - run.get(0).publication().ts());
    writes += local.live.size();
    for (Session session : local.liveNow()) {
      MessageBatch unsent = local.unsent(session, batch);
      if (unsent != null) {
        session.transport().sendMessages(unsent);
      }
    }
  }

  /** PROTOCOL.md section 3: the offset is the last one each session was sent. */
  private void announce(ChannelGap gap) {
    LocalChannel local = channels.apply(gap.channel());
    if (local == null) {
      return;
    }
    StreamPosition last = local.lastDelivered != null ? local.lastDelivered : gap.last();
    writes += local.live.size();
    for (Session session : local.liveNow()) {
      StreamPosition sent = local.sentAhead.getOrDefault(session, last);
      session.transport().sendGap(gap.channel(), sent);
    }
  }

  private void announce(PresenceEvent event) {
    LocalChannel local = channels.apply(event.channel());
    if (local == null) {
      return;
    }
    writes += local.live.size();
    for (Session session : local.liveNow()) {
      session.transport().sendPresence(event);
    }
  }
}
