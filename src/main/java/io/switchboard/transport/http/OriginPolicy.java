package io.switchboard.transport.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may open {@code /ws}, read {@code /sse} and call {@code /api}
 * ({@code http.allowedOrigins}, PROTOCOL.md section 10). A request without an {@code Origin}
 * header does not come from a browser page and is always allowed; so is a same-origin request
 * (the origin's host[:port] is the request's {@code Host}), whatever the list says, so the page a
 * node serves itself keeps working. Otherwise the list decides: {@code "*"} allows any origin,
 * else only the exact origins listed ({@code https://app.example.com}; scheme, host and port).
 * Immutable.
 */
public final class OriginPolicy {
  public static final String ANY = "*";

  private final boolean any;
  private final Set<String> allowed;

  public OriginPolicy(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains(ANY);
    this.allowed = allowedOrigins.stream()
        .map(OriginPolicy::normalize)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Whether cross-origin requests are allowed from any origin ({@code "*"}). */
  public boolean allowsAny() {
    return any;
  }

  /** The listed origins, for the CORS headers; empty when the list is empty or {@code "*"}. */
  public List<String> listed() {
    return any ? List.of() : List.copyOf(allowed);
  }

  /** @param origin the Origin header, null when absent; @param host the Host header */
  public boolean allows(String origin, String host) {
    return origin == null || sameOrigin(origin, host) || any || allowed.contains(normalize(origin));
  }

  /** A present Origin naming the request's own host[:port]: no CORS headers are needed. */
  public static boolean sameOrigin(String origin, String host) {
    if (origin == null || host == null) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin.trim());
    } catch (URISyntaxException e) {
      return false; // "null" (sandboxed pages, file:) and garbage are never the same origin
    }
    if (uri.getHost() == null || uri.getScheme() == null) {
      return false;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int defaultPort = "https".equals(scheme) || "wss".equals(scheme) ? 443 : 80;
    int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
    return authority(uri.getHost(), port, defaultPort)
        .equals(hostAuthority(host.trim().toLowerCase(Locale.ROOT), defaultPort));
  }

  private static String authority(String host, int port, int defaultPort) {
    String name = host.toLowerCase(Locale.ROOT);
    return port == defaultPort ? name : name + ":" + port;
  }

  /** {@code Host: example.com:443} and {@code example.com} name the same https origin. */
  private static String hostAuthority(String host, int defaultPort) {
    String suffix = ":" + defaultPort;
    return host.endsWith(suffix) ? host.substring(0, host.length() - suffix.length()) : host;
  }

  private static String normalize(String origin) {
    String trimmed = origin.trim().toLowerCase(Locale.ROOT);
    return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}
