package io.switchboard.broker.memory;

import io.switchboard.broker.Broker;
import io.switchboard.broker.BrokerContract;
import io.switchboard.config.Sections.MemoryConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

class MemoryBrokerTest extends BrokerContract {
  @Override
  protected Future<Broker> newBroker(Vertx vertx) {
    return Future.succeededFuture(new MemoryBroker(
        vertx,
        new MemoryConfig(MemoryConfig.defaultMaxBytes(), MemoryConfig.DEFAULT_MAX_CHANNELS)));
  }
}
