package io.switchboard.transport.http;

import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.limits.ReadCost;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;

/** The errors of HTTP API requests over the caller's rates. */
final class ApiRateLimits {
  private ApiRateLimits() {}

  static SwitchboardException readsExceeded(CallerRateLimiter rate) {
    return new SwitchboardException(
        ErrorCode.RATE_LIMITED,
        "over this caller's read rate"
            + " (limits.apiReadsPerSecond = " + rate.perSecond()
            + "; a history read takes a token per "
            + ReadCost.MESSAGES_PER_TOKEN + " messages of its limit);"
            + " retry after Retry-After seconds");
  }

  static SwitchboardException exceeded(CallerRateLimiter rate) {
    return new SwitchboardException(
        ErrorCode.RATE_LIMITED,
        "over this caller's publish rate" + " (limits.apiPublishesPerSecond = " + rate.perSecond()
            + "); retry later");
  }
}
