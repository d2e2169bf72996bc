package io.switchboard.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** ConnectionCounter: per-address and per-user caps, anonymous users, threads. */
class ConnectionCounterTest {
  @Test
  void addressCapAndRelease() {
    ConnectionCounter counter = new ConnectionCounter(2, 0);
    assertTrue(counter.tryAcquireAddress("10.0.0.1"));
    assertTrue(counter.tryAcquireAddress("10.0.0.1"));
    assertFalse(counter.tryAcquireAddress("10.0.0.1"), "third from one address");
    assertTrue(counter.tryAcquireAddress("10.0.0.2"), "another address has its own count");
    counter.releaseAddress("10.0.0.1");
    assertTrue(counter.tryAcquireAddress("10.0.0.1"), "a released slot is free again");
    assertEquals(2, counter.addressCount("10.0.0.1"));
  }

  @Test
  void userCapAndRelease() {
    ConnectionCounter counter = new ConnectionCounter(0, 1);
    assertTrue(counter.tryAcquireUser("42"));
    assertFalse(counter.tryAcquireUser("42"));
    assertTrue(counter.tryAcquireUser("43"));
    counter.releaseUser("42");
    assertEquals(0, counter.userCount("42"));
    assertTrue(counter.tryAcquireUser("42"));
  }

  @Test
  void anonymousUsersAreNotCounted() {
    ConnectionCounter counter = new ConnectionCounter(0, 1);
    for (int i = 0; i < 10; i++) {
      assertTrue(counter.tryAcquireUser(""));
      assertTrue(counter.tryAcquireUser(null));
    }
    counter.releaseUser("");
    assertEquals(0, counter.userCount(""));
  }

  @Test
  void zeroMeansNoCapAndNoCounting() {
    ConnectionCounter counter = new ConnectionCounter(0, 0);
    for (int i = 0; i < 1000; i++) {
      assertTrue(counter.tryAcquireAddress("a"));
      assertTrue(counter.tryAcquireUser("u"));
    }
    assertEquals(0, counter.addressCount("a"));
    counter.releaseAddress("a"); // nothing counted, nothing to release
    assertEquals(0, counter.addressCount("a"));
  }

  @Test
  void releasingMoreThanAcquiredNeverGoesNegative() {
    ConnectionCounter counter = new ConnectionCounter(1, 0);
    counter.releaseAddress("a");
    assertTrue(counter.tryAcquireAddress("a"));
    assertFalse(counter.tryAcquireAddress("a"));
  }

  @Test
  void onceReleaseReleasesOnce() {
    ConnectionCounter counter = new ConnectionCounter(2, 0);
    Runnable first = counter.acquireAddressOnce("a");
    Runnable second = counter.acquireAddressOnce("a");
    assertNull(counter.acquireAddressOnce("a"), "over the cap");
    first.run();
    first.run();
    first.run();
    assertEquals(1, counter.addressCount("a"), "three runs of one release free one slot");
    second.run();
    assertEquals(0, counter.addressCount("a"));
  }

  /**
   * Threads race for the slots of one address and one user, each holding a slot briefly and
   * releasing it: the count never goes over the cap, and everything is released at the end.
   */
  @Test
  void concurrentAcquireAndReleaseKeepTheCap() throws Exception {
    int cap = 5;
    int threads = 8;
    int rounds = 20_000;
    ConnectionCounter counter = new ConnectionCounter(cap, cap);
    AtomicInteger holdingAddress = new AtomicInteger();
    AtomicInteger holdingUser = new AtomicInteger();
    AtomicInteger overCap = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < rounds; i++) {
            if (counter.tryAcquireAddress("1.2.3.4")) {
              acquired.incrementAndGet();
              if (holdingAddress.incrementAndGet() > cap) {
                overCap.incrementAndGet();
              }
              holdingAddress.decrementAndGet();
              counter.releaseAddress("1.2.3.4");
            }
            if (counter.tryAcquireUser("u")) {
              if (holdingUser.incrementAndGet() > cap) {
                overCap.incrementAndGet();
              }
              holdingUser.decrementAndGet();
              counter.releaseUser("u");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, overCap.get(), "more holders than the cap at some point");
    assertTrue(acquired.get() > 0);
    assertEquals(0, counter.addressCount("1.2.3.4"), "all released");
    assertEquals(0, counter.userCount("u"), "all released");
    for (int i = 0; i < cap; i++) {
      assertTrue(counter.tryAcquireAddress("1.2.3.4"), "slot " + i + " free after the race");
    }
    assertFalse(counter.tryAcquireAddress("1.2.3.4"));
  }
}
