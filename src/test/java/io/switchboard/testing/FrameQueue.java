package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * What a test client received, in arrival order. {@link #next} hands out the first unconsumed item
 * that matches, now or when it arrives; items that match no one wait for a later call.
 */
final class FrameQueue<T> {
  private final List<T> unread = new ArrayList<>();
  private final List<Waiter<T>> waiters = new ArrayList<>();
  private final List<T> all = new ArrayList<>();

  private record Waiter<T>(Predicate<T> match, Promise<T> promise) {}

  synchronized void add(T item) {
    all.add(item);
    for (Iterator<Waiter<T>> it = waiters.iterator(); it.hasNext(); ) {
      Waiter<T> waiter = it.next();
      if (waiter.match.test(item)) {
        it.remove();
        waiter.promise.complete(item);
        return;
      }
    }
    unread.add(item);
  }

  synchronized Future<T> next(Predicate<T> match) {
    for (Iterator<T> it = unread.iterator(); it.hasNext(); ) {
      T item = it.next();
      if (match.test(item)) {
        it.remove();
        return Future.succeededFuture(item);
      }
    }
    Promise<T> promise = Promise.promise();
    waiters.add(new Waiter<>(match, promise));
    return promise.future();
  }

  T await(Predicate<T> match, String what) {
    Future<T> future = next(match);
    try {
      return Await.result(future);
    } catch (AssertionError e) {
      throw new AssertionError("no " + what + " arrived; received so far: " + snapshot(), e);
    }
  }

  /** Fails if an item matching arrives within the quiet window (or is already unread). */
  void expectNone(Predicate<T> match, String what) {
    Future<T> future = next(match);
    try {
      Thread.sleep(Await.QUIET_WINDOW.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (future.isComplete()) {
        throw new AssertionError("unexpected " + what + ": " + future.result());
      }
      waiters.removeIf(w -> w.promise.future() == future);
    }
  }

  synchronized List<T> snapshot() {
    return new ArrayList<>(all);
  }

  static Duration quietWindow() {
    return Await.QUIET_WINDOW;
  }
}
