package io.switchboard.hook;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

/**
 * A hook served over HTTP: the request is POSTed as JSON to the URL, whose 200 reply is the
 * verdict; any other status is a failure (the failure policy applies). Shares the node's
 * {@link WebClient}, so every hook URL of the node uses one keep-alive pool.
 */
final class HttpHookBackend implements HookBackend {
  private final WebClient client;
  private final String url;
  private final long timeoutMs;

  HttpHookBackend(WebClient client, String url, long timeoutMs) {
    this.client = client;
    this.url = url;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<JsonObject> ask(JsonObject request) {
    return client
        .postAbs(url)
        // no byte of the answer for timeoutMs: the request fails, and its connection is closed
        .idleTimeout(timeoutMs)
        .connectTimeout(timeoutMs)
        .sendJsonObject(request)
        .compose(response -> response.statusCode() == 200
            ? HookAnswer.object(response.bodyAsBuffer())
            : Future.failedFuture(
                new IllegalStateException(url + " answered HTTP " + response.statusCode())));
  }
}
