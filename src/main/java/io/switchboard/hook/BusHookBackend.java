package io.switchboard.hook;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * A hook served on the event bus: a request to the address, answered by any consumer of it, in
 * this JVM or a clustered one (requests spread over the consumers as Vert.x spreads them).
 */
final class BusHookBackend implements HookBackend {
  private final EventBus bus;
  private final String address;
  private final DeliveryOptions options;

  BusHookBackend(EventBus bus, String address, long timeoutMs) {
    this.bus = bus;
    this.address = address;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  @Override
  public Future<JsonObject> ask(JsonObject request) {
    return bus.request(address, request, options)
        .recover(err -> Future.failedFuture(
            err instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT
                ? new HookTimeout(address)
                : err))
        .compose(reply -> HookAnswer.object(reply.body()));
  }
}
