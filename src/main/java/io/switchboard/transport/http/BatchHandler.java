package io.switchboard.transport.http;

import io.switchboard.auth.Principal;
import io.switchboard.limits.CallerRateLimiter;
import io.switchboard.limits.ChannelCreations;
import io.switchboard.metrics.PublishSource;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/batch} with {@code {"messages": [{"channel","data"}, ...]}}: each item is
 * validated and published on its own, in order, and answered in {@code results} at the same index
 * with either {@code {"offset"}} or {@code {"error": {"code","message","errors"}}}.
 *
 * <p>Each item takes one token of the caller's {@code limits.apiPublishesPerSecond}: items past
 * the tokens there are get {@code rate_limited} in their result and are not published; when not
 * even the first item gets one, the whole request is 429 {@code rate_limited}. An item that would
 * create a channel past the caller's {@code limits.newChannelsPerSecond} gets {@code rate_limited}
 * in its result too; the others are published.
 */
public final class BatchHandler implements Handler<RoutingContext> {
  public static final int MAX_ITEMS = 1000;

  private final PublishRequests requests;
  private final CallerRateLimiter rate;
  private final CallerRateLimiter newChannels;

  public BatchHandler(
      PublishRequests requests, CallerRateLimiter rate, CallerRateLimiter newChannels) {
    this.requests = requests;
    this.rate = rate;
    this.newChannels = newChannels;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String caller = ApiCaller.of(ctx);
    Future.succeededFuture()
        .map(v -> items(JsonBodies.read(ctx)))
        .compose(items ->
            publishAll(items, allowance(caller, items.size()), newChannels.creationsOf(caller)))
        .onSuccess(results -> ctx.json(new JsonObject().put("results", results)))
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }

  private static JsonArray items(Object body) {
    if (!(body instanceof JsonObject json) || !(json.getValue("messages") instanceof JsonArray)) {
      throw new SwitchboardException(
          ErrorCode.BAD_REQUEST,
          "a batch is {\"messages\": [{\"channel\": \"...\", \"data\": ...}, ...]}");
    }
    JsonArray items = json.getJsonArray("messages");
    if (items.size() > MAX_ITEMS) {
      throw new SwitchboardException(
          ErrorCode.TOO_LARGE, "a batch holds at most " + MAX_ITEMS + " messages");
    }
    return items;
  }

  /** How many of the items the caller's rate lets through; none at all fails the request. */
  private int allowance(String caller, int items) {
    int granted = rate.take(caller, items);
    if (granted == 0 && items > 0) {
      throw ApiRateLimits.exceeded(rate);
    }
    return granted;
  }

  /**
   * Items go one after the other, so messages of one channel get offsets in the batch's order. The
   * items past {@code allowed} are answered {@code rate_limited} without being published.
   */
  private Future<JsonArray> publishAll(JsonArray items, int allowed, ChannelCreations creations) {
    JsonArray results = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < allowed; i++) {
      Object item = items.getValue(i);
      chain = chain.compose(v -> requests
          .publish(Principal.SERVER, item, PublishSource.BATCH, null, creations)
          .map(reply -> results.add(reply))
          .otherwise(err -> results.add(new JsonObject()
              .put(
                  "error",
                  SwitchboardException.from(err, "POST /api/batch item").toJson())))
          .mapEmpty());
    }
    return chain.map(v -> {
      JsonObject limited =
          new JsonObject().put("error", ApiRateLimits.exceeded(rate).toJson());
      for (int i = allowed; i < items.size(); i++) {
        results.add(limited.copy());
      }
      return results;
    });
  }
}
