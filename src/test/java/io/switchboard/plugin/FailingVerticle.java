package io.switchboard.plugin;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** An application verticle whose start fails, as one missing its database would. */
public final class FailingVerticle extends VerticleBase {
  @Override
  public Future<?> start() {
    return Future.failedFuture("no database at " + config().getString("url", "(none)"));
  }
}
