package io.switchboard;

import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hub.Drain;
import io.switchboard.hub.Hubs;
import io.switchboard.hub.Publisher;
import io.switchboard.hub.StaggeredClose;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain of a node (PROTOCOL.md section 10, README: Endpoints). Once {@code Drain.request()}
 * is called ({@code POST /api/drain}, or SIGTERM through {@code Main}) the node answers not ready
 * and refuses new connections; this then lets the publishes already handed to the broker finish,
 * closes every client with 1001 spread over {@code drain.windowMs}, lets the publishes those
 * clients made meanwhile finish, and closes the node. {@link #finished()} completes then:
 * {@code Main} exits 0 on it, tests await it. Exiting is {@code Main}'s business, never this one's.
 */
final class NodeDrain {
  private static final Logger log = LoggerFactory.getLogger(NodeDrain.class);

  private final SwitchboardConfig config;
  private final Hubs hubs;
  private final Publisher publisher;
  private final Supplier<Future<Void>> closeNode;
  private final Promise<Void> finished = Promise.promise();

  NodeDrain(
      SwitchboardConfig config,
      Drain drain,
      Hubs hubs,
      Publisher publisher,
      Supplier<Future<Void>> closeNode) {
    this.config = config;
    this.hubs = hubs;
    this.publisher = publisher;
    this.closeNode = closeNode;
    drain.requested().onComplete(v -> run());
  }

  /** Completes once the clients are closed and the node is closed; never fails. */
  Future<Void> finished() {
    return finished.future();
  }

  private void run() {
    long windowMs = config.drain().windowMs();
    long startNanos = System.nanoTime();
    log.atInfo()
        .addKeyValue("windowMs", windowMs)
        .log("draining: not ready, refusing new connections");
    publishesSettled("before closing clients")
        .compose(v -> StaggeredClose.closeAll(hubs, windowMs))
        .compose(closed -> {
          log.atInfo()
              .addKeyValue("closed", closed)
              .addKeyValue("ms", (System.nanoTime() - startNanos) / 1_000_000)
              .log("drain: every client closed with 1001");
          return publishesSettled("after closing clients");
        })
        .compose(v -> closeNode.get())
        .onComplete(ar -> {
          if (ar.failed()) {
            // the clients are gone, which is what the drain is for: the rest is cleanup
            log.atWarn().setCause(ar.cause()).log("drain: closing the node failed");
          }
          log.atInfo()
              .addKeyValue("ms", (System.nanoTime() - startNanos) / 1_000_000)
              .log("drained");
          finished.complete();
        });
  }

  /**
   * The publishes pending now, bounded by the broker's command timeout (which fails them anyway),
   * so a broker that never answers cannot hold the drain up.
   */
  private Future<Void> publishesSettled(String when) {
    long boundMs = config.broker().redis().timeoutMs();
    return publisher.settled().timeout(boundMs, TimeUnit.MILLISECONDS).recover(err -> {
      log.atWarn()
          .addKeyValue("waitedMs", boundMs)
          .log("drain: publishes still pending {}, going on", when);
      return Future.succeededFuture();
    });
  }
}
