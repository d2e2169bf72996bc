package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The config files of {@code scripts/bench hooks}: one namespace, {@code bench}, whose publishes
 * go to no hook, to {@link AllowingHook} on the event bus (deployed as a plugin by
 * {@code verticles}) or to the bench's {@link HookServer}; the three differ in nothing else.
 * {@code limits.messagesPerSecond} is 0 in all three, so the frame rate limit does not cap the
 * closed loop.
 */
final class HookConfs {
  private HookConfs() {}

  /** Writes the config for {@code target} under target/bench-logs; returns its path. */
  static String write(Target target, String httpHookUrl) throws IOException {
    JsonObject namespace = new JsonObject().put("history", new JsonObject().put("size", 100));
    JsonObject conf = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1"))
        .put("limits", new JsonObject().put("messagesPerSecond", 0).put("messagesBurst", 0))
        .put("namespaces", new JsonObject().put("bench", namespace));
    if (target == Target.BUS_HOOK) {
      namespace.put(
          "hooks", new JsonObject().put("publish", "bus:" + AllowingHook.DEFAULT_ADDRESS));
      conf.put(
          "verticles",
          new JsonArray().add(new JsonObject().put("class", AllowingHook.class.getName())));
    } else if (target == Target.HTTP_HOOK) {
      namespace.put("hooks", new JsonObject().put("publish", httpHookUrl));
    }
    Path file = Files.createDirectories(Path.of("target", "bench-logs"))
        .resolve("hooks-" + target.label + ".json");
    Files.writeString(file, conf.encodePrettily());
    return file.toString();
  }
}
