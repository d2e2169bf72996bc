package io.switchboard.transport.http;

import io.switchboard.auth.Principal;
import io.vertx.ext.web.RoutingContext;

/** Who is calling the HTTP API, as the auth handler recorded it. */
public final class ApiCaller {
  /** The routing-context key the auth handler sets to the caller id (a String). */
  public static final String KEY = "switchboard.caller";
  /** The routing-context key of a user's {@link Principal}, set for a user's own token. */
  public static final String PRINCIPAL = "switchboard.principal";
  /** The caller id of requests no auth handler identified. */
  public static final String ANONYMOUS = "anonymous";

  private ApiCaller() {}

  /** The caller id, for per-caller limits and idempotency keys. */
  public static String of(RoutingContext ctx) {
    Object caller = ctx.get(KEY);
    return caller instanceof String id ? id : ANONYMOUS;
  }

  /**
   * Whom the request acts as: the user of a non-admin token (on the routes that take one, see
   * {@link ApiAuthHandler#usersToo}), else the server (API key, admin token, open API).
   */
  public static Principal principal(RoutingContext ctx) {
    Object principal = ctx.get(PRINCIPAL);
    return principal instanceof Principal user ? user : Principal.SERVER;
  }
}
