package io.switchboard.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The application's own verticles, deployed once the node is ready.
 *
 * @param dir the {@code plugins/} directory beside the config file, whose jars are searched
 *     before the class path (it need not exist)
 */
public record PluginsConfig(String dir, List<VerticleConfig> verticles) {
  public PluginsConfig {
    verticles = List.copyOf(verticles);
  }

  /**
   * @param className a class implementing {@code io.vertx.core.Deployable} (a {@code VerticleBase}
   *     or {@code AbstractVerticle}) with a no-argument constructor
   * @param config what the verticle's {@code config()} returns
   */
  public record VerticleConfig(String className, int instances, JsonObject config) {
    public static final int DEFAULT_INSTANCES = 1;
  }
}
