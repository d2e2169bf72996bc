package io.switchboard.hub;

import io.switchboard.auth.VerifiedToken;
import io.vertx.core.Future;
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
