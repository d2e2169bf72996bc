package io.switchboard.hook;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * One application back end a hook asks: sends the request, completes with the JSON object it
 * answered. A late answer fails with a {@link HookTimeout} or a
 * {@link java.util.concurrent.TimeoutException}, which {@link Hooks} tells apart from the rest.
 */
interface HookBackend {
  Future<JsonObject> ask(JsonObject request);
}
