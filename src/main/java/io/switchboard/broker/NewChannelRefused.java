package io.switchboard.broker;

/**
 * A publish with {@link PublishOptions#mayCreate()} false went to a channel the broker holds
 * nothing for: nothing was published. The publish path answers {@code rate_limited}.
 */
public final class NewChannelRefused extends RuntimeException {
  public NewChannelRefused(String channel) {
    // thrown per refused publish of a flood: no stack trace to fill
    super("channel " + channel + " does not exist and may not be created now", null, false, false);
  }
}
