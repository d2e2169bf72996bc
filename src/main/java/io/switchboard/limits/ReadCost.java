package io.switchboard.limits;

/**
 * The tokens a history or presence read takes from its rate ({@code limits.readsPerSecond} per
 * WebSocket connection, {@code limits.apiReadsPerSecond} per HTTP API caller). A history read pays
 * for what it may return, one token per {@link #MESSAGES_PER_TOKEN} messages of its limit, so a
 * small request cannot fetch a thousand messages for the price of one. A read never costs more than
 * its bucket's burst (see {@link TokenBucket#tryTake(int)}).
 */
public final class ReadCost {
  public static final int MESSAGES_PER_TOKEN = 100;
  public static final int PRESENCE = 1;

  private ReadCost() {}

  /** 1 for a limit up to 100 (the default 50 included), 10 for the largest, 1000. */
  public static int history(int limit) {
    return Math.max(1, (limit + MESSAGES_PER_TOKEN - 1) / MESSAGES_PER_TOKEN);
  }
}
