package io.switchboard.transport.http;

import io.switchboard.auth.BearerTokens;
import io.switchboard.hub.NodeServices;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Who may call {@code /api/*} (PROTOCOL.md section 6): {@code Authorization: ApiKey <key>} with a
 * configured key, or {@code Bearer <JWT>} with {@code "role": "admin"}. Without either the API is
 * open only when anonymous access is on and no API key is configured (the development default).
 * Sets {@link #CALLER}, the identity rate limits are kept by.
 */
public final class ApiAuthHandler implements Handler<RoutingContext> {
  /** Routing-context key of the caller id: {@code apikey#<n>}, {@code user:<sub>} or anonymous. */
  public static final String CALLER = "switchboard.caller";
  private static final String API_KEY = "ApiKey ";

  private final NodeServices services;
  private final boolean open;

  public ApiAuthHandler(NodeServices services) {
    this.services = services;
    this.open = services.config().auth().anonymous() && services.apiKeys().isEmpty();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, API_KEY, 0, API_KEY.length())) {
      int key = services.apiKeys().match(header.substring(API_KEY.length()).trim());
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
      if (services.tokens() == null) {
        ApiErrors.reply(ctx, unauthorized("token authentication is not configured (auth.jwt)"));
        return;
      }
      services.tokens().verify(token)
          .onSuccess(verified -> {
            if (!verified.admin()) {
              ApiErrors.reply(ctx, new SwitchboardException(ErrorCode.FORBIDDEN,
                  "the HTTP API needs a token with \"role\": \"admin\" or an API key"));
              return;
            }
            ctx.put(CALLER, "user:" + verified.principal().user());
            ctx.next();
          })
          .onFailure(err -> ApiErrors.reply(ctx, err));
      return;
    }
    if (!open) {
      ApiErrors.reply(ctx, unauthorized(
          "send Authorization: ApiKey <key> (auth.apiKeys) or Bearer <admin JWT>"));
      return;
    }
    ctx.put(CALLER, "anonymous");
    ctx.next();
  }

  private static SwitchboardException unauthorized(String message) {
    return new SwitchboardException(ErrorCode.UNAUTHORIZED, message);
  }
}
