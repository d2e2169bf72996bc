package io.switchboard.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TokenBucket on a hand-driven clock, and the limiters built on it. */
class TokenBucketTest {
  private long now = 1_000_000L; // an arbitrary nanoTime origin

  private TokenBucket bucket(int capacity, int perSecond) {
    return new TokenBucket(capacity, perSecond, () -> now);
  }

  private void advanceMs(long ms) {
    now += TimeUnit.MILLISECONDS.toNanos(ms);
  }

  @Test
  void startsFullAndEmptiesAfterCapacity() {
    TokenBucket bucket = bucket(5, 1);
    for (int i = 0; i < 5; i++) {
      assertTrue(bucket.tryTake(), "token " + i);
    }
    assertFalse(bucket.tryTake());
  }

  static Stream<Arguments> refills() {
    return Stream.of(
        // name, capacity, perSecond, emptied then waited ms, tokens available after
        Arguments.of("one token period", 10, 10, 100, 1),
        Arguments.of("just under one token period", 10, 10, 99, 0),
        Arguments.of("half a second at 20/s", 40, 20, 500, 10),
        Arguments.of("never above capacity", 3, 100, 10_000, 3),
        Arguments.of("no refill at rate 0", 3, 0, 10_000, 0),
        Arguments.of("fractions add up", 1, 3, 1000, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refills")
  void refillsWithElapsedTime(String name, int capacity, int perSecond, long waitMs, int expected) {
    TokenBucket bucket = bucket(capacity, perSecond);
    assertEquals(capacity, bucket.take(capacity));
    advanceMs(waitMs);
    assertEquals(expected, bucket.available());
  }

  @Test
  void fractionalTokensAreKeptBetweenCalls() {
    TokenBucket bucket = bucket(1, 10);
    bucket.tryTake();
    advanceMs(60);
    assertFalse(bucket.tryTake(), "0.6 of a token");
    advanceMs(40);
    assertTrue(bucket.tryTake(), "0.6 + 0.4");
  }

  @Test
  void takeGrantsWhatThereIs() {
    TokenBucket bucket = bucket(5, 1);
    assertEquals(3, bucket.take(3));
    assertEquals(2, bucket.take(10));
    assertEquals(0, bucket.take(1));
  }

  @Test
  void tryTakeOfSeveralIsAllOrNothing() {
    TokenBucket bucket = bucket(5, 1);
    assertTrue(bucket.tryTake(3));
    assertFalse(bucket.tryTake(3), "2 left: nothing taken");
    assertEquals(2, bucket.available());
  }

  @Test
  void tryTakeOfMoreThanTheCapacityTakesAFullBucket() {
    TokenBucket bucket = bucket(5, 1);
    assertTrue(bucket.tryTake(50));
    assertEquals(0, bucket.available());
    assertFalse(bucket.tryTake(50));
    advanceMs(5000);
    assertTrue(bucket.tryTake(50), "full again after capacity / rate seconds");
  }

  static Stream<Arguments> waits() {
    return Stream.of(
        // name, capacity, perSecond, tokens left, tokens wanted, seconds to wait
        Arguments.of("there now", 10, 1, 5, 3, 0),
        Arguments.of("one missing at 1/s", 10, 1, 2, 3, 1),
        Arguments.of("five missing at 2/s", 10, 2, 0, 5, 3),
        Arguments.of("more than the capacity waits for a full bucket", 4, 2, 0, 40, 2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("waits")
  void secondsUntilRoundsUpToWholeSeconds(
      String name, int capacity, int perSecond, int left, int wanted, long seconds) {
    TokenBucket bucket = bucket(capacity, perSecond);
    bucket.take(capacity - left);
    assertEquals(seconds, bucket.secondsUntil(wanted));
  }

  @Test
  void readCostIsOneTokenPerHundredMessages() {
    assertEquals(1, ReadCost.history(1));
    assertEquals(1, ReadCost.history(50));
    assertEquals(1, ReadCost.history(100));
    assertEquals(2, ReadCost.history(101));
    assertEquals(10, ReadCost.history(1000));
    assertEquals(1, ReadCost.PRESENCE);
  }

  @Test
  void clockGoingBackwardsTakesNothingAway() {
    TokenBucket bucket = bucket(2, 1);
    bucket.tryTake();
    now -= TimeUnit.SECONDS.toNanos(5);
    assertEquals(1, bucket.available());
  }

  @Test
  void rejectsAnEmptyBucket() {
    assertThrows(IllegalArgumentException.class, () -> bucket(0, 1));
  }

  @Test
  void unlimitedFrameLimiterAcceptsEverything() {
    FrameRateLimiter limiter = FrameRateLimiter.of(0, 0);
    for (int i = 0; i < 100_000; i++) {
      assertEquals(FrameRateLimiter.Verdict.ACCEPT, limiter.admit());
    }
  }

  /** With the real clock: a burst far faster than the rate, so refill is a rounding error. */
  @Test
  void frameLimiterAcceptsTheBurstThenRefusesThenCloses() {
    FrameRateLimiter limiter = FrameRateLimiter.of(1, 5);
    int accepted = 0;
    int refused = 0;
    FrameRateLimiter.Verdict verdict;
    while ((verdict = limiter.admit()) != FrameRateLimiter.Verdict.CLOSE) {
      if (verdict == FrameRateLimiter.Verdict.ACCEPT) {
        accepted++;
      } else {
        refused++;
      }
    }
    assertEquals(5, accepted, "the burst");
    assertEquals(5, refused, "the strikes");
  }

  @Test
  void callerRateLimiterKeepsOneBudgetPerCaller() {
    CallerRateLimiter rate = CallerRateLimiter.of(1, 3);
    assertEquals(3, rate.take("a", 5));
    assertFalse(rate.tryTake("a"));
    assertTrue(rate.tryTake("b"), "b has its own bucket");
    assertEquals(7, CallerRateLimiter.of(0, 0).take("a", 7), "0 is no limit");
  }

  @Test
  void callerRateLimiterTakesACostWhole() {
    CallerRateLimiter rate = CallerRateLimiter.of(2, 4);
    assertTrue(rate.tryTake("a", 3));
    assertFalse(rate.tryTake("a", 3));
    assertEquals(1, rate.secondsUntil("a", 3));
    assertTrue(rate.tryTake("a", 1));
    assertTrue(CallerRateLimiter.of(0, 0).tryTake("a", 1_000), "0 is no limit");
  }

  @Test
  void callerRateLimiterDropsFullBucketsOnceThereAreMany() {
    CallerRateLimiter rate = CallerRateLimiter.of(1, 1);
    assertTrue(rate.tryTake("busy"), "its bucket is empty now, and must be kept");
    for (int i = 1; i < CallerRateLimiter.SWEEP_AT; i++) {
      rate.take("idle-" + i, 0); // a bucket that is still full: what a new one would be
    }
    assertEquals(CallerRateLimiter.SWEEP_AT, rate.buckets());
    assertTrue(rate.tryTake("newcomer"));
    assertEquals(2, rate.buckets(), "the full ones dropped; busy and the newcomer kept");
    assertFalse(rate.tryTake("busy"), "busy's budget is still spent");
  }
}
