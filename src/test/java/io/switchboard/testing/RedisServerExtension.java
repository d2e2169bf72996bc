package io.switchboard.testing;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link RedisServer} for a test class: {@code @RegisterExtension static final
 * RedisServerExtension redis = new RedisServerExtension();} starts it before the first test and
 * stops it after the last.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
  private RedisServer server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = RedisServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  public RedisServer server() {
    return server;
  }

  public String url() {
    return server.url();
  }

  /** A node's broker config on this server, keys under {@code prefix}: {@link RedisBrokerConfig}. */
  public JsonObject brokerConfig(String prefix) {
    return server.brokerConfig(prefix);
  }

  public String cli(String... args) {
    return server.cli(args);
  }
}
