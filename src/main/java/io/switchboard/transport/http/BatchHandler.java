package io.switchboard.transport.http;

import io.switchboard.auth.Principal;
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
 */
public final class BatchHandler implements Handler<RoutingContext> {
  public static final int MAX_ITEMS = 1000;

  private final PublishRequests requests;

  public BatchHandler(PublishRequests requests) {
    this.requests = requests;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Future.succeededFuture()
        .compose(v -> publishAll(items(JsonBodies.read(ctx))))
        .onSuccess(results -> ctx.json(new JsonObject().put("results", results)))
        .onFailure(err -> ApiErrors.reply(ctx, err));
  }

  private static JsonArray items(Object body) {
    if (!(body instanceof JsonObject json) || !(json.getValue("messages") instanceof JsonArray)) {
      throw new SwitchboardException(ErrorCode.BAD_REQUEST,
          "a batch is {\"messages\": [{\"channel\": \"...\", \"data\": ...}, ...]}");
    }
    JsonArray items = json.getJsonArray("messages");
    if (items.size() > MAX_ITEMS) {
      throw new SwitchboardException(ErrorCode.TOO_LARGE,
          "a batch holds at most " + MAX_ITEMS + " messages");
    }
    return items;
  }

  /** Items go one after the other, so messages of one channel get offsets in the batch's order. */
  private Future<JsonArray> publishAll(JsonArray items) {
    JsonArray results = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (Object item : items) {
      chain = chain.compose(v -> requests.publish(Principal.SERVER, item)
          .map(reply -> results.add(reply))
          .otherwise(err -> results.add(new JsonObject()
              .put("error", SwitchboardException.from(err).toJson())))
          .mapEmpty());
    }
    return chain.map(v -> results);
  }
}
