package io.switchboard.hub;

import io.switchboard.protocol.CloseCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes every session of the node with 1001 (going away), spread evenly over a window, so that
 * the clients reconnect to other nodes a few at a time rather than all at once. Each hub closes
 * its own sessions on its own event loop, one slice every {@link #SLICE_MS} or so: of the N it
 * had when the drain began, the i-th closes about i/N of the window in (the first at once), and
 * the last slice closes whatever is left (a connection accepted just before the drain began
 * included). A hub with no session left is done early.
 */
public final class StaggeredClose {
  /** About how often each hub closes a slice of its sessions. */
  static final long SLICE_MS = 100;

  private final Hub hub;
  private final Context context;
  private final int slices;
  private final long windowMs;
  private final Promise<Integer> done = Promise.promise();
  private long startNanos;
  private long atStart;
  private int closed;

  private StaggeredClose(Hub hub, long windowMs) {
    this.hub = hub;
    this.context = hub.context();
    this.windowMs = windowMs;
    this.slices = (int) Math.max(1, Math.min(Integer.MAX_VALUE, windowMs / SLICE_MS));
  }

  /** Closes every session of every hub over {@code windowMs}; completes with how many. */
  public static Future<Integer> closeAll(Hubs hubs, long windowMs) {
    List<Future<Integer>> perHub = new ArrayList<>();
    for (Hub hub : hubs.list()) {
      StaggeredClose close = new StaggeredClose(hub, windowMs);
      close.context.runOnContext(v -> close.start());
      perHub.add(close.done.future());
    }
    return Future.all(perHub)
        .map(all -> perHub.stream().mapToInt(Future::result).sum());
  }

  private void start() {
    startNanos = System.nanoTime();
    atStart = hub.sessionCount();
    slice(0);
  }

  private void slice(int index) {
    boolean last = index == slices - 1;
    // ceil: the first slice closes one at once; then one more every window / atStart
    long due = (atStart * (index + 1) + slices - 1) / slices;
    int count = last ? hub.sessionCount() : (int) Math.max(0, due - closed);
    List<Session> batch = new ArrayList<>(count);
    for (Session session : hub.sessions()) {
      if (batch.size() == count) {
        break;
      }
      batch.add(session);
    }
    for (Session session : batch) {
      hub.close(session, CloseCode.GOING_AWAY);
    }
    closed += batch.size();
    if (last || hub.sessionCount() == 0) {
      done.complete(closed);
      return;
    }
    long dueNanos = startNanos + (index + 1) * windowMs / slices * 1_000_000L;
    long delayMs = Math.max(1, (dueNanos - System.nanoTime()) / 1_000_000L);
    // set on this hub's context, so the timer fires on its event loop
    context.owner().setTimer(delayMs, id -> slice(index + 1));
  }
}
