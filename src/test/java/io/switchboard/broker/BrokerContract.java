package io.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What every {@link Broker} must do; each implementation's test class extends this. */
@ExtendWith(VertxExtension.class)
public abstract class BrokerContract {
  protected static final PublishOptions KEEP_10 = new PublishOptions("u1", 10, 60_000);

  protected Broker broker;
  protected final List<Publication> received = new CopyOnWriteArrayList<>();
  protected final List<ChannelEvent> events = new CopyOnWriteArrayList<>();
  protected final List<String> gaps = new CopyOnWriteArrayList<>();

  protected abstract Future<Broker> newBroker(Vertx vertx);

  @BeforeEach
  void createBroker(Vertx vertx) {
    broker = Await.result(newBroker(vertx));
    broker.listener(new BrokerListener() {
      @Override
      public void onPublication(Publication publication) {
        received.add(publication);
      }

      @Override
      public void onEvent(ChannelEvent event) {
        events.add(event);
      }

      @Override
      public void onGap(String channel, StreamPosition last) {
        gaps.add(channel);
      }
    });
  }

  @AfterEach
  void closeBroker() {
    Await.result(broker.close());
  }

  protected String channel(String name) {
    return getClass().getSimpleName() + "-" + name;
  }

  @Test
  void offsetsOfAChannelStrictlyIncreaseAndShareAnEpoch() {
    String ch = channel("offsets");
    StreamPosition first = Await.result(broker.publish(ch, "1", KEEP_10)).position();
    StreamPosition second = Await.result(broker.publish(ch, "2", KEEP_10)).position();
    assertTrue(second.offset() > first.offset());
    assertEquals(first.epoch(), second.epoch());
    assertNotEquals(first.encode(), second.encode());
    assertEquals(second, StreamPosition.parse(second.encode()));
  }

  @Test
  void subscribedNodeReceivesPublicationsInOffsetOrderWithThePublishedPosition() {
    String ch = channel("order");
    Await.result(broker.subscribe(ch));
    List<StreamPosition> acked = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      acked.add(Await.result(broker.publish(ch, String.valueOf(i), KEEP_10)).position());
    }
    awaitReceived(ch, 20);
    List<Publication> mine =
        received.stream().filter(p -> p.channel().equals(ch)).toList();
    for (int i = 0; i < 20; i++) {
      assertEquals(acked.get(i), mine.get(i).position());
      assertEquals(String.valueOf(i), mine.get(i).data());
      assertEquals("u1", mine.get(i).publisher());
    }
  }

  @Test
  void historySinceReturnsWhatCameAfterAndReachesSince() {
    String ch = channel("since");
    StreamPosition first = Await.result(broker.publish(ch, "a", KEEP_10)).position();
    Await.result(broker.publish(ch, "b", KEEP_10));
    StreamPosition third = Await.result(broker.publish(ch, "c", KEEP_10)).position();
    HistoryPage page = Await.result(broker.history(ch, new HistoryQuery(first, 100)));
    assertTrue(page.reachesSince());
    assertEquals(third, page.top());
    assertEquals(
        List.of("b", "c"), page.publications().stream().map(Publication::data).toList());
  }

  @Test
  void historyWithoutSinceReturnsTheNewestUpToTheLimitOldestFirst() {
    String ch = channel("latest");
    for (int i = 0; i < 5; i++) {
      Await.result(broker.publish(ch, String.valueOf(i), KEEP_10));
    }
    HistoryPage page = Await.result(broker.history(ch, new HistoryQuery(null, 2)));
    assertEquals(
        List.of("3", "4"), page.publications().stream().map(Publication::data).toList());
  }

  @Test
  void historyKeepsOnlyTheNamespaceSize() {
    String ch = channel("size");
    PublishOptions keep3 = new PublishOptions(null, 3, 60_000);
    StreamPosition first = Await.result(broker.publish(ch, "0", keep3)).position();
    for (int i = 1; i < 6; i++) {
      Await.result(broker.publish(ch, String.valueOf(i), keep3));
    }
    HistoryPage all = Await.result(broker.history(ch, new HistoryQuery(null, 100)));
    assertEquals(
        List.of("3", "4", "5"),
        all.publications().stream().map(Publication::data).toList());
    HistoryPage tooOld = Await.result(broker.history(ch, new HistoryQuery(first, 100)));
    assertFalse(tooOld.reachesSince());
  }

  @Test
  void anOffsetFromAnotherEpochNeverReachesSince() {
    String ch = channel("epoch");
    StreamPosition top = Await.result(broker.publish(ch, "a", KEEP_10)).position();
    HistoryPage page = Await.result(broker.history(
        ch, new HistoryQuery(new StreamPosition(top.offset(), top.epoch() + "x"), 100)));
    assertFalse(page.reachesSince());
    HistoryPage future = Await.result(broker.history(
        ch, new HistoryQuery(new StreamPosition(top.offset() + 5, top.epoch()), 100)));
    assertFalse(future.reachesSince());
  }

  @Test
  void sinceAtTheTopReachesWithNothingToReplay() {
    String ch = channel("top");
    StreamPosition top = Await.result(broker.publish(ch, "a", KEEP_10)).position();
    HistoryPage page = Await.result(broker.history(ch, new HistoryQuery(top, 100)));
    assertTrue(page.reachesSince());
    assertTrue(page.publications().isEmpty());
  }

  @Test
  void joinAndLeaveEventsReachSubscribedNodes() {
    String ch = channel("events");
    Await.result(broker.subscribe(ch));
    Await.result(broker.publishEvent(new ChannelEvent(ch, ChannelEvent.Kind.JOIN, "42")));
    awaitCondition(() -> events.stream().anyMatch(e -> e.channel().equals(ch)));
    assertEquals(
        new ChannelEvent(ch, ChannelEvent.Kind.JOIN, "42"),
        events.stream().filter(e -> e.channel().equals(ch)).findFirst().orElseThrow());
  }

  /**
   * A retried publish (an HTTP Idempotency-Key, an inbox entry taken over after a crash) answers
   * the first one's position and is published once.
   */
  @Test
  void aRepeatedIdempotencyKeyReturnsTheFirstPositionAndPublishesOnce() {
    String ch = channel("idempotent");
    Await.result(broker.subscribe(ch));
    PublishOptions keyed = new PublishOptions(null, 10, 60_000, "entry-1");
    PublishAck first = Await.result(broker.publish(ch, "1", keyed));
    PublishAck repeat = Await.result(broker.publish(ch, "1", keyed));
    StreamPosition other = Await.result(
            broker.publish(ch, "2", new PublishOptions(null, 10, 60_000, "entry-2")))
        .position();
    assertEquals(
        new PublishAck(first.position(), first.ts(), true),
        repeat,
        "the first publish's position and time, marked a repeat");
    assertFalse(first.repeat());
    assertEquals(first.position().offset() + 1, other.offset());
    awaitReceived(ch, 2);
    assertEquals(
        List.of("1", "2"),
        received.stream()
            .filter(p -> p.channel().equals(ch))
            .map(Publication::data)
            .toList());
    assertEquals(
        2,
        Await.result(broker.history(ch, new HistoryQuery(null, 10)))
            .publications()
            .size());
  }

  /**
   * A publisher out of new channels (limits.newChannelsPerSecond) may still publish to channels
   * that exist; one that would create a channel is refused and leaves nothing behind.
   */
  @Test
  void aPublishThatMayNotCreateGoesOnlyToExistingChannels() {
    String existing = channel("create-existing");
    String absent = channel("create-absent");
    PublishOptions noCreate = new PublishOptions(null, 10, 60_000, null, false);
    Await.result(broker.publish(existing, "1", KEEP_10));
    assertEquals(
        2, Await.result(broker.publish(existing, "2", noCreate)).position().offset());
    assertTrue(Await.failure(broker.publish(absent, "1", noCreate)) instanceof NewChannelRefused);
    StreamPosition first = Await.result(broker.publish(absent, "1", KEEP_10)).position();
    assertEquals(1, first.offset(), "the refused publish created nothing");
    assertTrue(first.opensEpoch());
  }

  /** Reading a channel nobody published to (and this node does not follow) stores nothing. */
  @Test
  void readingAnAbsentChannelDoesNotCreateIt() {
    String absent = channel("read-absent");
    HistoryPage page = Await.result(broker.history(absent, new HistoryQuery(null, 10)));
    assertEquals(0, page.top().offset());
    assertTrue(page.publications().isEmpty());
    assertTrue(
        Await.failure(
                broker.publish(absent, "1", new PublishOptions(null, 10, 60_000, null, false)))
            instanceof NewChannelRefused);
  }

  protected void awaitReceived(String ch, int count) {
    awaitCondition(() -> received.stream().filter(p -> p.channel().equals(ch)).count() >= count);
  }

  /** Polls with a deadline: the listener has no completion event to wait on. */
  protected static void awaitCondition(BooleanSupplier condition) {
    Await.until(condition, "the broker's listener to be called");
  }
}
