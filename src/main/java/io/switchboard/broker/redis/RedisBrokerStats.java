package io.switchboard.broker.redis;

import java.util.concurrent.atomic.LongAdder;

/** What the Redis broker and the parts built on it went through, for /ready and the metrics. */
public final class RedisBrokerStats {
  /** Times the pub/sub link came back after it was lost. */
  public final LongAdder reconnects = new LongAdder();
  /** History reads that filled a hole in a channel's live stream. */
  public final LongAdder catchUps = new LongAdder();
  /** Holes history could not fill: subscribers were sent a gap. */
  public final LongAdder gaps = new LongAdder();
  /** Publications that came twice (a catch-up and the live stream overlapping) and were dropped. */
  public final LongAdder duplicatesDropped = new LongAdder();
  /** Token verifications that could not ask Redis for revocations and used the node's own list. */
  public final LongAdder revocationFallbacks = new LongAdder();
  /** Connections counted against limits.maxConnectionsPerUser on this node only (no Redis). */
  public final LongAdder userLimitFallbacks = new LongAdder();
}
