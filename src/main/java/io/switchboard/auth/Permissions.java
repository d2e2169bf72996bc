package io.switchboard.auth;

import io.switchboard.config.AccessPolicy;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import java.util.List;

/** Applies the namespaces' subscribe and publish policies (PROTOCOL.md sections 2 and 10). */
public final class Permissions {
  private static final String PERSONAL_PREFIX = "user:";

  private Permissions() {}

  /** History and presence follow subscribe rights. */
  public static void checkSubscribe(Principal who, String channel, NamespaceConfig ns) {
    // only a connection authenticated as <id>: an anonymous user "" does not own "user:"
    if (channel.startsWith(PERSONAL_PREFIX)
        && !who.server()
        && (!who.authenticated()
            || !channel.substring(PERSONAL_PREFIX.length()).equals(who.user()))) {
      throw forbidden("channel " + channel + " is personal to another user");
    }
    check(who, channel, ns.subscribe(), who.subscribeClaims(), "subscribe to");
  }

  public static void checkPublish(Principal who, String channel, NamespaceConfig ns) {
    check(who, channel, ns.publish(), who.publishClaims(), "publish to");
  }

  private static void check(
      Principal who, String channel, AccessPolicy policy, List<String> claims, String action) {
    if (who.server()) {
      return;
    }
    boolean allowed = switch (policy) {
      case ANYONE -> true;
      case AUTHENTICATED -> who.authenticated();
      case CLAIMS -> who.authenticated() && claims.stream().anyMatch(g -> Glob.matches(g, channel));
      case SERVER -> false;
    };
    if (!allowed) {
      throw forbidden("not allowed to " + action + " " + channel + " (namespace policy: "
          + policy.name().toLowerCase() + ")");
    }
  }

  private static SwitchboardException forbidden(String message) {
    return new SwitchboardException(ErrorCode.FORBIDDEN, message);
  }
}
