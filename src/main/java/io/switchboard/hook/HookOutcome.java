package io.switchboard.hook;

/** How a hook call ended: the {@code outcome} tag of {@code switchboard_hook_duration_seconds}. */
enum HookOutcome {
  ALLOW,
  DENY,
  /** Allowed with changes: a publish's data, or a connection's user or info. */
  REPLACED,
  /** No usable answer: unreachable, no handler, a failure or a reply that is not a verdict. */
  FAILED,
  TIMEOUT,
  /** Not asked: the node already had {@code hooks.maxInFlight} calls waiting. */
  OVERLOADED;

  String label() {
    return name().toLowerCase();
  }
}
