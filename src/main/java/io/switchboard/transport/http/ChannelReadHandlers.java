package io.switchboard.transport.http;

import io.switchboard.auth.Permissions;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.hub.ChannelReads;
import io.switchboard.hub.Engine;
import io.switchboard.hub.Publisher;
import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.limits.ReadCost;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/channels/{channel}/history} and {@code .../presence}. Each read takes its
 * {@link ReadCost} from the caller's {@code limits.apiReadsPerSecond}; over it: 429
 * {@code rate_limited} with {@code Retry-After}.
 */
public final class ChannelReadHandlers {
  public static final int DEFAULT_HISTORY_LIMIT = 50;
  public static final int MAX_HISTORY_LIMIT = 1000;

  private final Engine engine;
  private final Publisher publisher;
  private final CallerRateLimiter rate;

  /** @param rate limits.apiReadsPerSecond per API caller */
  public ChannelReadHandlers(Engine engine, Publisher publisher, CallerRateLimiter rate) {
    this.engine = engine;
    this.publisher = publisher;
    this.rate = rate;
  }

  public Handler<RoutingContext> history() {
    return ctx -> Future.succeededFuture()
        .compose(v -> {
          String channel = readable(ctx);
          int limit = limit(ctx);
          takeRead(ctx, ReadCost.history(limit));
          var query = ChannelReads.query(ctx.request().getParam("since"), limit);
          return engine
              .broker()
              .history(channel, query)
              .recover(ChannelReads::unavailable)
              .map(page -> {
                JsonArray messages = new JsonArray();
                ChannelReads.frames(page, query)
                    .forEach(frame -> messages.add(new JsonObject(frame)));
                return new JsonObject()
                    .put("channel", channel)
                    .put("messages", messages)
                    .put("offset", page.top().encode())
                    .put("complete", ChannelReads.complete(page, query));
              });
        })
        .onSuccess(ctx::json)
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }

  public Handler<RoutingContext> presence() {
    return ctx -> Future.succeededFuture()
        .compose(v -> {
          String channel = readable(ctx);
          NamespaceConfig ns = publisher.namespaceOf(channel);
          if (!ns.presence()) {
            throw new SwitchboardException(
                ErrorCode.BAD_REQUEST,
                "presence is not enabled for namespace \"" + ns.name() + "\"");
          }
          takeRead(ctx, ReadCost.PRESENCE);
          return engine
              .presence()
              .list(channel)
              .recover(ChannelReads::unavailable)
              .map(entries -> new JsonObject()
                  .put("channel", channel)
                  .put("users", ChannelReads.users(entries)));
        })
        .onSuccess(ctx::json)
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }

  private String readable(RoutingContext ctx) {
    String channel = ctx.pathParam("channel");
    NamespaceConfig ns = publisher.namespaceOf(channel);
    // with a user's own token, what that user may subscribe to; else anything
    Permissions.checkSubscribe(ApiCaller.principal(ctx), channel, ns);
    return channel;
  }

  /** After the checks that need no I/O, so a bad request costs the caller nothing. */
  private void takeRead(RoutingContext ctx, int cost) {
    String caller = ApiCaller.of(ctx);
    if (!rate.tryTake(caller, cost)) {
      ctx.response().putHeader("Retry-After", String.valueOf(rate.secondsUntil(caller, cost)));
      throw ApiRateLimits.readsExceeded(rate);
    }
  }

  private static int limit(RoutingContext ctx) {
    String raw = ctx.request().getParam("limit");
    if (raw == null) {
      return DEFAULT_HISTORY_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_HISTORY_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new SwitchboardException(
        ErrorCode.BAD_REQUEST, "limit must be a whole number from 1 to " + MAX_HISTORY_LIMIT);
  }
}
