package io.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * The publish hook of {@code scripts/bench hooks} on the event bus: a plugin verticle (deployed
 * by the node's {@code verticles} config, as users deploy theirs) that allows every request on
 * its {@code address} at once, so the run measures the hook path, not a decision.
 */
public final class AllowingHook extends VerticleBase {
  static final String DEFAULT_ADDRESS = "bench.hook";
  private static final JsonObject ALLOW = new JsonObject().put("allow", true);

  @Override
  public Future<?> start() {
    return vertx
        .eventBus()
        .consumer(config().getString("address", DEFAULT_ADDRESS), message -> message.reply(ALLOW))
        .completion();
  }
}
