package io.switchboard.broker.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Redis replies complete on the thread of the connection that carried them, which is rarely the
 * event loop that asked. Hubs and HTTP handlers continue on their own loop (strict thread mode
 * refuses responses written from another), so every future the broker hands out completes there.
 */
final class CallerContext {
  private CallerContext() {}

  static <T> Future<T> bind(Future<T> future) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return future;
    }
    Thread callerThread = Thread.currentThread();
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> {
      if (Thread.currentThread() == callerThread) {
        promise.handle(ar);
      } else {
        caller.runOnContext(v -> promise.handle(ar));
      }
    });
    return promise.future();
  }
}
