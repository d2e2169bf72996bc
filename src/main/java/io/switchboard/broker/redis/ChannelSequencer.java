package io.switchboard.broker.redis;

import io.switchboard.broker.BrokerListener;
import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps what one node hands its hubs for one channel continuous. Pub/sub is fire-and-forget: a
 * message published while the link was down is never pushed to us. Every publication carries its
 * offset, so a hole shows up as a jump (or as a new epoch), and the missing part is read from the
 * channel's history before anything after it is delivered; a repeat is dropped. Only when history
 * cannot cover the hole does the listener hear of a gap, or when Redis lost the channel itself
 * (a new epoch): its history is gone, though the live stream, over a link that never dropped,
 * lacks nothing. Joins and leaves are not part of the stream and go straight on. Confined to the
 * {@link PubSubLink}'s context.
 */
final class ChannelSequencer implements PubSubMessage.Receiver {
  private static final Logger log = LoggerFactory.getLogger(ChannelSequencer.class);
  static final int CATCH_UP_PAGE = 1_000;

  private final String channel;
  private final BrokerListener listener;
  private final BiFunction<String, HistoryQuery, Future<HistoryPage>> history;
  private final RedisBrokerStats stats;
  /** Held while history is read, in arrival order; delivered (or dropped as known) after it. */
  private final ArrayDeque<Publication> held = new ArrayDeque<>();
  /** The last position handed to the listener; null until the first one or the first top read. */
  private StreamPosition last;

  private boolean reading;
  /** The link came back while a read was under way, which may have started before the outage. */
  private boolean readAgain;
  /**
   * The link has not dropped since {@link #last} was handed over (or a read since covered the
   * outage): everything Redis published on the channel after it has reached us, in order.
   */
  private boolean unbroken = true;
  /** Between {@link #linkLost} and the {@link #catchUp} that follows the reconnect: false. */
  private boolean linkUp = true;
  /** Times the link dropped, so a read knows whether one happened while it ran. */
  private int outages;

  private boolean stopped;

  ChannelSequencer(
      String channel,
      BrokerListener listener,
      BiFunction<String, HistoryQuery, Future<HistoryPage>> history,
      RedisBrokerStats stats) {
    this.channel = channel;
    this.listener = listener;
    this.history = history;
    this.stats = stats;
  }

  /**
   * The channel's top when the node subscribed: anything at or before it predates every local
   * subscriber, whose own history read starts no earlier.
   */
  void start(StreamPosition top) {
    if (top.isNewSince(last)) {
      last = top;
    }
    drainHeld();
  }

  void stop() {
    stopped = true;
    held.clear();
  }

  @Override
  public void publication(Publication publication) {
    if (stopped) {
      return;
    }
    if (reading) {
      held.add(publication);
      return;
    }
    sequence(publication);
  }

  @Override
  public void event(ChannelEvent event) {
    listener.onEvent(event);
  }

  @Override
  public void malformed(String reason) {
    log.atWarn()
        .addKeyValue("channel", channel)
        .addKeyValue("reason", reason)
        .log("ignored a malformed pub/sub message");
  }

  /** The link dropped: what Redis publishes until it is back never reaches us. */
  void linkLost() {
    unbroken = false;
    linkUp = false;
    outages++;
  }

  /** After the link came back: read whatever was published while it was down. */
  void catchUp() {
    linkUp = true;
    if (stopped || last == null) {
      return;
    }
    if (reading) {
      readAgain = true;
      return;
    }
    stats.catchUps.increment();
    read(false);
  }

  private void sequence(Publication publication) {
    StreamPosition position = publication.position();
    if (last == null) {
      deliver(publication);
    } else if (position.isAtOrBefore(last)) {
      stats.duplicatesDropped.increment();
    } else if (position.follows(last)) {
      deliver(publication);
    } else if (unbroken && position.opensEpoch()) {
      // Redis lost the channel (evicted, expired, flushed) and a publish started it again.
      // Anything published in the old epoch after last would have come before this, in order,
      // over the unbroken link: the live stream is whole, and needs no history (which Redis may
      // be evicting too). Subscribers still hear that the history before it is gone.
      stats.gaps.increment();
      log.atDebug()
          .addKeyValue("channel", channel)
          .addKeyValue("last", last.encode())
          .addKeyValue("epoch", position.epoch())
          .log("Redis lost the channel: a new epoch");
      listener.onGap(channel, last);
      deliver(publication);
    } else {
      // a jump or a new epoch: something was published that the link did not bring
      held.add(publication);
      stats.catchUps.increment();
      read(false);
    }
  }

  private void deliver(Publication publication) {
    last = publication.position();
    listener.onPublication(publication);
  }

  /**
   * Reads history after {@code last} page by page. {@code gapAnnounced}: the hole was reported
   * already, so what is retained is delivered as it is.
   */
  private void read(boolean gapAnnounced) {
    reading = true;
    // a read covers an outage only if it began after the link was back and none came since
    boolean coversOutages = linkUp;
    int outagesAtStart = outages;
    history.apply(channel, new HistoryQuery(last, CATCH_UP_PAGE)).onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        // the link is (or is about to be) down; its reconnect calls catchUp again
        reading = false;
        return;
      }
      HistoryPage page = ar.result();
      if (coversOutages && outages == outagesAtStart) {
        // whatever the link missed is in this read, or announced as a gap below
        unbroken = true;
      }
      if (!page.reachesSince() && !gapAnnounced) {
        stats.gaps.increment();
        log.atWarn()
            .addKeyValue("channel", channel)
            .addKeyValue("last", last.encode())
            .addKeyValue("top", page.top().encode())
            .addKeyValue("retained", page.publications().size())
            .log("history no longer covers what the Redis link missed: subscribers get a gap");
        listener.onGap(channel, last);
        if (!last.sameEpoch(page.top())) {
          // Redis lost the channel (restart without persistence): read the new epoch from its start
          last = new StreamPosition(0, page.top().epoch());
          read(true);
          return;
        }
      }
      for (Publication publication : page.publications()) {
        if (publication.position().isAfter(last)) {
          deliver(publication);
        }
      }
      if (!page.reachesSince() && page.publications().isEmpty() && page.top().isAfter(last)) {
        // trimmed or expired history: nothing retained to deliver; move on to the top
        last = page.top();
      }
      if (readAgain) {
        readAgain = false;
        read(false);
        return;
      }
      if (page.publications().size() >= CATCH_UP_PAGE) {
        read(true);
        return;
      }
      reading = false;
      drainHeld();
    });
  }

  private void drainHeld() {
    while (!reading && !held.isEmpty()) {
      sequence(held.poll());
    }
  }
}
