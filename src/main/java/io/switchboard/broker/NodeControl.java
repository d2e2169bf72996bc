package io.switchboard.broker;

import io.vertx.core.Future;
import java.util.function.BiFunction;

/**
 * Requests one node makes of every other node of the cluster, as Centrifuge's control messages
 * do: today, closing a user's connections ({@code POST /api/disconnect}). A single node (memory
 * broker) has nobody to ask: {@link #SINGLE_NODE}. Thread-safe.
 */
public interface NodeControl {

  /**
   * Set once, by the node, before it serves: what to do when another node asks to disconnect
   * {@code user} (tokens issued until {@code revokedAtMs} are revoked); completes with how many
   * connections this node closed.
   */
  void onDisconnect(BiFunction<String, Long, Future<Integer>> handler);

  /**
   * Set once, by the node: runs each time this node joins the cluster, and again whenever it
   * rejoins after losing touch: requests sent meanwhile never reached it.
   */
  void onJoined(Runnable handler);

  /**
   * Asks every other live node to disconnect {@code user} and completes, on the caller's context,
   * with their answers: once all of them answered, or after a bound with those that did. Fails
   * when the request could not be sent (the broker is unreachable): no other node was asked.
   */
  Future<Answers> disconnectElsewhere(String user, long revokedAtMs);

  /** Whether there are other nodes to ask; false for a single node. */
  boolean clustered();

  /** Leaves the cluster and stops timers; the node calls it on shutdown. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /**
   * What the other nodes answered.
   *
   * @param closed connections they closed, summed over the nodes that answered
   * @param nodes the other nodes that were live (or answered) when asked
   * @param answered how many of them answered in time
   */
  record Answers(int closed, int nodes, int answered) {
    public static final Answers NONE = new Answers(0, 0, 0);

    public boolean complete() {
      return answered >= nodes;
    }
  }

  /** The memory broker's: the node is the whole cluster. */
  NodeControl SINGLE_NODE = new NodeControl() {
    @Override
    public void onDisconnect(BiFunction<String, Long, Future<Integer>> handler) {
      // nobody else will ask
    }

    @Override
    public void onJoined(Runnable handler) {
      // never apart
    }

    @Override
    public Future<Answers> disconnectElsewhere(String user, long revokedAtMs) {
      return Future.succeededFuture(Answers.NONE);
    }

    @Override
    public boolean clustered() {
      return false;
    }
  };
}
