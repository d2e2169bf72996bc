package io.switchboard.auth;

/** Where a connection's token may come from besides the auth frame (PROTOCOL.md section 6). */
public final class BearerTokens {
  private static final String BEARER = "Bearer ";

  private BearerTokens() {}

  /** The token of an {@code Authorization: Bearer} header, else of {@code ?token=}, else null. */
  public static String of(String authorizationHeader, String queryToken) {
    if (authorizationHeader != null
        && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return authorizationHeader.substring(BEARER.length()).trim();
    }
    return queryToken == null || queryToken.isBlank() ? null : queryToken;
  }
}
