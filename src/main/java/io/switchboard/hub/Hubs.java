package io.switchboard.hub;

import io.switchboard.auth.VerifiedToken;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Every hub of the node, for the few operations that concern all connections (disconnecting a
 * user, draining). Edges register on start; copy-on-write because that happens once per event
 * loop.
 */
public final class Hubs {
  private final List<Hub> all = new CopyOnWriteArrayList<>();

  void add(Hub hub) {
    all.add(hub);
  }

  void remove(Hub hub) {
    all.remove(hub);
  }

  /** Runs {@code task} on every hub's event loop (operations tools and tests). */
  public void onEachLoop(Runnable task) {
    for (Hub hub : all) {
      hub.runOnLoop(task);
    }
  }

  /**
   * Applies {@code probe} to every open session, on the session's own event loop, and completes
   * with the results (operations tools and tests: what the live connections hold).
   */
  public <T> Future<List<T>> probeSessions(Function<Session, T> probe) {
    List<Future<List<T>>> perHub = new ArrayList<>();
    for (Hub hub : all) {
      Promise<List<T>> results = Promise.promise();
      hub.runOnLoop(() -> {
        List<T> probed = new ArrayList<>();
        for (Session session : hub.sessions()) {
          probed.add(probe.apply(session));
        }
        results.complete(probed);
      });
      perHub.add(results.future());
    }
    return Future.all(perHub).map(all -> {
      List<T> results = new ArrayList<>();
      perHub.forEach(hub -> results.addAll(hub.result()));
      return results;
    });
  }

  /** Event loops whose hub timer is late (a blocked loop), for /ready. */
  public int blockedLoops() {
    long now = System.currentTimeMillis();
    int blocked = 0;
    for (Hub hub : all) {
      if (hub.blocked(now)) {
        blocked++;
      }
    }
    return blocked;
  }

  /**
   * Closes every connection of {@code user} on this node with 4403; completes with the tokens of
   * the connections closed (see {@link Disconnects} for the whole operation).
   */
  Future<List<VerifiedToken>> disconnect(String user) {
    List<Future<List<VerifiedToken>>> closed = new ArrayList<>();
    for (Hub hub : all) {
      closed.add(hub.disconnect(user));
    }
    return Future.all(closed).map(all -> {
      List<VerifiedToken> tokens = new ArrayList<>();
      closed.forEach(hub -> tokens.addAll(hub.result()));
      return tokens;
    });
  }

  /** {@link Hub#closeRevoked} on every hub. */
  void closeRevoked(Function<VerifiedToken, Future<Boolean>> revoked) {
    for (Hub hub : all) {
      hub.closeRevoked(revoked);
    }
  }

  /** The hubs now registered. */
  List<Hub> list() {
    return List.copyOf(all);
  }
}
