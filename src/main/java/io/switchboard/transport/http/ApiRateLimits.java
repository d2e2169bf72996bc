package io.switchboard.transport.http;

import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;

/** The error of an HTTP publish over the caller's rate. */
final class ApiRateLimits {
  private ApiRateLimits() {}

  static SwitchboardException exceeded(CallerRateLimiter rate) {
    return new SwitchboardException(ErrorCode.RATE_LIMITED, "over this caller's publish rate"
        + " (limits.apiPublishesPerSecond = " + rate.perSecond() + "); retry later");
  }
}
