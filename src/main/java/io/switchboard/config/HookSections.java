package io.switchboard.config;

import io.switchboard.config.HooksConfig.FailurePolicy;
import io.switchboard.config.HooksConfig.HookTarget;
import io.switchboard.config.HooksConfig.NamespaceHooks;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** The {@code hooks} section and each namespace's {@code hooks}, every problem named by its key. */
final class HookSections {
  // what Vert.x accepts as an address is any string; whitespace there is always a typo
  private static final Pattern BUS_ADDRESS = Pattern.compile("\\S{1,255}");

  private HookSections() {}

  static HooksConfig hooks(ConfigSection s) {
    HooksConfig config = new HooksConfig(
        target(s, "connect"),
        s.number("timeoutMs", HooksConfig.DEFAULT_TIMEOUT_MS, 1, 600_000),
        s.integer("maxInFlight", HooksConfig.DEFAULT_MAX_IN_FLIGHT, 1, 1_000_000),
        s.choice("onFailure", HooksConfig.DEFAULT_ON_FAILURE, FailurePolicy.class));
    s.rejectUnknownKeys();
    return config;
  }

  static NamespaceHooks namespaceHooks(ConfigSection s) {
    NamespaceHooks hooks = new NamespaceHooks(target(s, "subscribe"), target(s, "publish"));
    s.rejectUnknownKeys();
    return hooks;
  }

  /** {@code "bus:<address>"} or an absolute http(s) URL with a host; null when absent. */
  private static HookTarget target(ConfigSection s, String key) {
    String value = s.string(key, null);
    if (value == null) {
      return null;
    }
    if (value.startsWith(HookTarget.BUS_PREFIX)) {
      String address = value.substring(HookTarget.BUS_PREFIX.length());
      if (BUS_ADDRESS.matcher(address).matches()) {
        return new HookTarget(HookTarget.Kind.BUS, address);
      }
    } else if (httpUrl(value)) {
      return new HookTarget(HookTarget.Kind.HTTP, value);
    }
    s.problem(
        key,
        "must be \"bus:<event-bus address>\" or an http:// or https:// URL, was \"" + value + "\"");
    return null;
  }

  private static boolean httpUrl(String value) {
    try {
      URI uri = new URI(value);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false; // reported by the caller with the key
    }
  }
}
