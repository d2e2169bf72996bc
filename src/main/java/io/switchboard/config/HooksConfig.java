package io.switchboard.config;

/**
 * The node's application hooks: the connect hook, and how every hook call is bounded. The
 * subscribe and publish hooks are per namespace ({@link NamespaceConfig#hooks()}).
 *
 * @param connect asked before a connection is welcomed, or null for none
 * @param timeoutMs how long a hook may take before {@code onFailure} applies
 * @param maxInFlight hook calls this node may have waiting at once; more get {@code onFailure}
 * @param onFailure what a hook that cannot answer (down, late, overloaded, bad answer) means
 */
public record HooksConfig(
    HookTarget connect, long timeoutMs, int maxInFlight, FailurePolicy onFailure) {
  public static final long DEFAULT_TIMEOUT_MS = 1_000;
  public static final int DEFAULT_MAX_IN_FLIGHT = 1_000;
  public static final FailurePolicy DEFAULT_ON_FAILURE = FailurePolicy.DENY;
  public static final HooksConfig NONE =
      new HooksConfig(null, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_IN_FLIGHT, DEFAULT_ON_FAILURE);

  /** What a hook that gave no usable answer decides. */
  public enum FailurePolicy {
    /** The request is refused with {@code unavailable} (a connection: closed with 1013). */
    DENY,
    /** The request goes on as if the hook had allowed it, unchanged. */
    ALLOW
  }

  /**
   * Where a hook is asked: an event-bus address ({@code "bus:acme.publish"}, local or clustered)
   * or an HTTP(S) URL that is POSTed the request.
   *
   * @param address the event-bus address (without {@code bus:}) or the absolute URL
   */
  public record HookTarget(Kind kind, String address) {
    public static final String BUS_PREFIX = "bus:";

    public enum Kind {
      BUS,
      HTTP
    }

    @Override
    public String toString() {
      return kind == Kind.BUS ? BUS_PREFIX + address : address;
    }
  }

  /**
   * A namespace's hooks.
   *
   * @param subscribe asked before a subscribe to one of its channels, or null
   * @param publish asked before a client's publish to one of its channels, or null
   */
  public record NamespaceHooks(HookTarget subscribe, HookTarget publish) {
    public static final NamespaceHooks NONE = new NamespaceHooks(null, null);
  }
}
