package io.switchboard.hub;

import java.util.concurrent.atomic.AtomicLong;

/** Session ids unique across the cluster: the node id and a node-wide counter. Thread-safe. */
public final class SessionIds {
  private final String prefix;
  private final AtomicLong next = new AtomicLong();

  public SessionIds(String nodeId) {
    this.prefix = nodeId + "-";
  }

  public String next() {
    return prefix + Long.toString(next.incrementAndGet(), 36);
  }
}
