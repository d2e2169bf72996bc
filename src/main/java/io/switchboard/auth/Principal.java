package io.switchboard.auth;

import java.util.List;

/**
 * Who is acting: a connection's user (empty for anonymous) with the glob claims of its token, or
 * the server itself (HTTP API with an API key, the event bus).
 */
public record Principal(
    String user, List<String> subscribeClaims, List<String> publishClaims, boolean server) {

  public static final Principal ANONYMOUS = new Principal("", List.of(), List.of(), false);
  public static final Principal SERVER = new Principal("", List.of(), List.of(), true);

  /** The same rights under another user id (a connect hook's). */
  public Principal as(String otherUser) {
    return new Principal(otherUser, subscribeClaims, publishClaims, server);
  }

  public boolean authenticated() {
    return !user.isEmpty();
  }
}
