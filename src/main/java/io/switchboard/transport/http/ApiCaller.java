package io.switchboard.transport.http;

import io.vertx.ext.web.RoutingContext;

/** Who is calling the HTTP API, as the auth handler recorded it, for per-caller limits. */
public final class ApiCaller {
  /** The routing-context key the auth handler sets to the caller id (a String). */
  public static final String KEY = "switchboard.caller";
  /** The caller id of requests no auth handler identified. */
  public static final String ANONYMOUS = "anonymous";

  private ApiCaller() {}

  public static String of(RoutingContext ctx) {
    Object caller = ctx.get(KEY);
    return caller instanceof String id ? id : ANONYMOUS;
  }
}
