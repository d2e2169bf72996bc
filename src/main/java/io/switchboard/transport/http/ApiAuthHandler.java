package io.switchboard.transport.http;

import io.switchboard.auth.BearerTokens;
import io.switchboard.auth.Credentials;
import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Who may call {@code /api/*} (PROTOCOL.md section 6): {@code Authorization: ApiKey <key>} with a
 * configured key, or {@code Bearer <JWT>} with {@code "role": "admin"}. Without either the API is
 * open only when anonymous access is on and no API key is configured (the development default).
 * Sets {@link #CALLER}, the identity rate limits are kept by.
 *
 * <p>{@link #usersToo} also takes a user's own token, for what that user could do over a
 * WebSocket (publish, history, presence): a browser that can only reach SSE does it over HTTP.
 * The request then acts as that user ({@link ApiCaller#PRINCIPAL}: the namespace's policies
 * apply), within {@code limits.messagesPerSecond} / {@code messagesBurst} per user.
 */
public final class ApiAuthHandler implements Handler<RoutingContext> {
  /** Routing-context key of the caller id: {@code apikey#<n>}, {@code user:<sub>} or anonymous. */
  public static final String CALLER = ApiCaller.KEY;

  private static final String API_KEY = "ApiKey ";

  private final Credentials credentials;
  private final boolean open;
  private final boolean users;
  private final CallerRateLimiter userRate;

  private ApiAuthHandler(Credentials credentials, boolean users, CallerRateLimiter userRate) {
    this.credentials = credentials;
    this.open = credentials.config().anonymous() && credentials.apiKeys().isEmpty();
    this.users = users;
    this.userRate = userRate;
  }

  /** API keys and admin tokens only. */
  public static ApiAuthHandler adminOnly(Credentials credentials) {
    return new ApiAuthHandler(credentials, false, CallerRateLimiter.UNLIMITED);
  }

  /**
   * API keys, admin tokens, and users' own tokens (acting as that user), each user within
   * {@code userRate} (limits.messagesPerSecond).
   */
  public static ApiAuthHandler usersToo(Credentials credentials, CallerRateLimiter userRate) {
    return new ApiAuthHandler(credentials, true, userRate);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.get(CALLER) != null) {
      // a route that takes users' tokens authenticated the request already
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, API_KEY, 0, API_KEY.length())) {
      int key = credentials.apiKeys().match(header.substring(API_KEY.length()).trim());
      if (key < 0) {
        ApiErrors.reply(ctx, unauthorized("unknown API key"));
        return;
      }
      ctx.put(CALLER, "apikey#" + key);
      ctx.next();
      return;
    }
    String token = BearerTokens.of(header, null);
    if (token != null) {
      if (credentials.tokens() == null) {
        ApiErrors.reply(ctx, unauthorized("token authentication is not configured (auth.jwt)"));
        return;
      }
      credentials
          .tokens()
          .verify(token)
          .onSuccess(verified -> {
            String caller = "user:" + verified.principal().user();
            if (!verified.admin()) {
              if (!users) {
                ApiErrors.reply(
                    ctx,
                    new SwitchboardException(
                        ErrorCode.FORBIDDEN,
                        "this endpoint needs a token with \"role\": \"admin\" or an API key"));
                return;
              }
              if (!userRate.tryTake(caller)) {
                ctx.response()
                    .putHeader("Retry-After", String.valueOf(userRate.secondsUntil(caller, 1)));
                ApiErrors.reply(
                    ctx,
                    new SwitchboardException(
                        ErrorCode.RATE_LIMITED,
                        "over limits.messagesPerSecond for user "
                            + verified.principal().user() + "; retry after Retry-After seconds"));
                return;
              }
              ctx.put(ApiCaller.PRINCIPAL, verified.principal());
            }
            ctx.put(CALLER, caller);
            ctx.next();
          })
          .onFailure(err -> ApiErrors.reply(ctx, err));
      return;
    }
    if (!open) {
      ApiErrors.reply(
          ctx,
          unauthorized("send Authorization: ApiKey <key> (auth.apiKeys) or Bearer <admin JWT>"));
      return;
    }
    ctx.put(CALLER, ApiCaller.ANONYMOUS);
    ctx.next();
  }

  private static SwitchboardException unauthorized(String message) {
    return new SwitchboardException(ErrorCode.UNAUTHORIZED, message);
  }
}
