package io.switchboard.hook;

/** A hook that did not answer within {@code hooks.timeoutMs}. */
final class HookTimeout extends RuntimeException {
  HookTimeout(String target) {
    super("no answer from " + target + " within hooks.timeoutMs", null, false, false);
  }
}
