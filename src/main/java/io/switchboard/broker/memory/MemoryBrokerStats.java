package io.switchboard.broker.memory;

import java.util.concurrent.atomic.LongAdder;

/** What the memory broker holds and gave up, for the metrics. */
public final class MemoryBrokerStats {
  /** Why a channel's log was dropped. */
  public enum Reason {
    /** Over broker.memory.maxBytes. */
    BUDGET("budget"),
    /** Over broker.memory.maxChannels. */
    COUNT("count"),
    /** Its history expired and nobody on the node follows it (the periodic sweep). */
    TTL("ttl");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final LongAdder[] evictions = new LongAdder[Reason.values().length];

  MemoryBrokerStats() {
    for (int i = 0; i < evictions.length; i++) {
      evictions[i] = new LongAdder();
    }
  }

  void evicted(Reason reason) {
    evictions[reason.ordinal()].increment();
  }

  public long evictions(Reason reason) {
    return evictions[reason.ordinal()].sum();
  }
}
