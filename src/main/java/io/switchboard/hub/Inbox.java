package io.switchboard.hub;

import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.StreamPosition;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ServerFrames;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one hand-over point between the broker's threads and a hub's event loop (many producers, one
 * consumer), and the delivery of what it holds to the hub's sessions. A burst becomes one event-loop
 * task, so the messages that arrived together are written together.
 */
final class Inbox {
  /** Deliveries handled per event-loop task before yielding to I/O; the rest waits one task. */
  private static final int MAX_DRAIN = 4096;

  private final Context context;
  // the hub's channels: read and changed only on the hub's event loop, like this class's drain
  private final Map<String, LocalChannel> channels;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final SwitchboardMetrics metrics;

  Inbox(Context context, Map<String, LocalChannel> channels, SwitchboardMetrics metrics) {
    this.context = context;
    this.channels = channels;
    this.metrics = metrics;
  }

  /** An {@link OutboundMessage}, {@link ChannelEvent} or {@link ChannelGap}; any thread. */
  void add(Object delivery) {
    queue.add(delivery);
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    drainScheduled.set(false);
    // Consecutive messages of one channel form a run, delivered together: one flush per socket,
    // one batch frame for batch=1 clients. A message of another channel or an event ends the run,
    // so a connection following several channels sees them in the node's order too.
    LocalChannel runChannel = null;
    List<OutboundMessage> run = new ArrayList<>();
    Object delivery;
    for (int n = 0; n < MAX_DRAIN && (delivery = queue.poll()) != null; n++) {
      if (delivery instanceof OutboundMessage message) {
        LocalChannel local = accept(message);
        if (local == null) {
          continue;
        }
        if (local != runChannel) {
          deliver(runChannel, run);
          run = new ArrayList<>();
          runChannel = local;
        }
        run.add(message);
      } else if (delivery instanceof ChannelEvent event) {
        deliver(runChannel, run);
        run = new ArrayList<>();
        runChannel = null;
        announce(event);
      } else if (delivery instanceof ChannelGap gap) {
        deliver(runChannel, run);
        run = new ArrayList<>();
        runChannel = null;
        announce(gap);
      }
    }
    deliver(runChannel, run);
    if (!queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  /** The message's channel on this hub if the message is new to it (buffered for catch-ups). */
  private LocalChannel accept(OutboundMessage message) {
    LocalChannel local = channels.get(message.channel());
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
    if (local == null || run.isEmpty()) {
      return;
    }
    MessageBatch batch = new MessageBatch(run);
    // once per run, not per socket: the counters stay off the per-subscriber path
    metrics.delivered((long) run.size() * local.live.size());
    metrics.deliveryLatency(System.currentTimeMillis() - run.get(0).publication().ts());
    for (Session session : local.live) {
      MessageBatch unsent = local.unsent(session, batch);
      if (unsent != null) {
        session.transport().sendMessages(unsent);
      }
    }
  }

  /** PROTOCOL.md section 3: the offset is the last one each session was sent. */
  private void announce(ChannelGap gap) {
    LocalChannel local = channels.get(gap.channel());
    if (local == null) {
      return;
    }
    StreamPosition last = local.lastDelivered != null ? local.lastDelivered : gap.last();
    for (Session session : local.live) {
      StreamPosition sent = local.sentAhead.getOrDefault(session, last);
      session.transport().sendEvent("gap", ServerFrames.gap(gap.channel(), sent.encode()));
    }
  }

  private void announce(ChannelEvent event) {
    LocalChannel local = channels.get(event.channel());
    if (local == null) {
      return;
    }
    String type = event.kind().wireName();
    String frame = ServerFrames.channelEvent(type, event.channel(), event.user());
    for (Session session : local.live) {
      session.transport().sendEvent(type, frame);
    }
  }
}
