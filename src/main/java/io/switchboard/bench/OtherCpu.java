package io.switchboard.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * How much CPU the rest of the machine used while one target ran: the machine's busy time minus
 * that of the bench and of the target's processes, in percent of one core. Builds or tests
 * running beside the bench show here, so a disturbed run can be told from a slow server.
 */
final class OtherCpu {
  private final List<Long> pids;
  private final long startNanos;
  private final long machineStart;
  private final long ownStart;

  private OtherCpu(List<Long> pids) {
    this.pids = pids;
    this.startNanos = System.nanoTime();
    this.machineStart = Machine.machineBusyTicks();
    this.ownStart = ownTicks();
  }

  /** Starts measuring; {@code serverPids} are the target's processes. */
  static OtherCpu start(List<Long> serverPids) {
    List<Long> pids = new ArrayList<>(serverPids);
    pids.add(ProcessHandle.current().pid());
    return new OtherCpu(pids);
  }

  private long ownTicks() {
    long ticks = 0;
    for (long pid : pids) {
      ticks += Machine.processTicks(pid);
    }
    return ticks;
  }

  /** Percent of one core used by other processes since the start; -1 without /proc. */
  double percentOfOneCore() {
    long machine = Machine.machineBusyTicks();
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    if (machineStart < 0 || machine < 0 || seconds <= 0) {
      return -1;
    }
    long others = Math.max(0, (machine - machineStart) - (ownTicks() - ownStart));
    return IdleLoad.round(100.0 * others / Machine.TICKS_PER_SECOND / seconds);
  }
}
