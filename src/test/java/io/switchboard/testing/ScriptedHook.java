package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An application's hook back end for tests: a consumer on a real event-bus address, or a real
 * HTTP server on a free port, answering each request with what the test's script says (a Future,
 * so it can answer late or never). Records every request it was sent.
 */
public final class ScriptedHook {
  /** How the node reaches the hook. */
  public enum Kind {
    BUS,
    HTTP
  }

  private final String target;
  private final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  private final MessageConsumer<JsonObject> consumer;
  private final HttpServer server;
  private volatile Function<JsonObject, Future<JsonObject>> script =
      request -> Future.succeededFuture(new JsonObject().put("allow", true));

  private ScriptedHook(String target, MessageConsumer<JsonObject> consumer, HttpServer server) {
    this.target = target;
    this.consumer = consumer;
    this.server = server;
  }

  public static ScriptedHook start(Vertx vertx, Kind kind, String name) {
    ScriptedHook[] hook = new ScriptedHook[1];
    if (kind == Kind.BUS) {
      String address = "test.hooks." + name;
      MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, message -> {
        hook[0].requests.add(message.body());
        hook[0].script.apply(message.body()).onComplete(ar -> {
          if (ar.succeeded()) {
            message.reply(ar.result());
          } else {
            message.fail(500, ar.cause().getMessage());
          }
        });
      });
      Await.result(consumer.completion());
      hook[0] = new ScriptedHook("bus:" + address, consumer, null);
    } else {
      HttpServer server = vertx
          .createHttpServer()
          .requestHandler(request -> request.body().onSuccess(body -> {
            JsonObject json = body.toJsonObject();
            hook[0].requests.add(json);
            hook[0].script.apply(json).onComplete(ar -> {
              if (ar.succeeded()) {
                request
                    .response()
                    .putHeader("Content-Type", "application/json")
                    .end(ar.result().encode());
              } else {
                request.response().setStatusCode(500).end();
              }
            });
          }));
      Await.result(server.listen(0, "127.0.0.1"));
      hook[0] = new ScriptedHook(
          "http://127.0.0.1:" + server.actualPort() + "/hooks/" + name, null, server);
    }
    return hook[0];
  }

  /** What the node's config names: {@code bus:<address>} or the URL. */
  public String target() {
    return target;
  }

  /** From now on, each request is answered with what {@code script} completes with. */
  public ScriptedHook answer(Function<JsonObject, Future<JsonObject>> script) {
    this.script = script;
    return this;
  }

  public List<JsonObject> requests() {
    return requests;
  }

  /** Stops answering: the consumer goes, or the server stops listening (the hook is "down"). */
  public void close() {
    if (consumer != null) {
      Await.result(consumer.unregister());
    }
    if (server != null) {
      Await.result(server.close());
    }
  }

  public static Future<JsonObject> allow() {
    return Future.succeededFuture(new JsonObject().put("allow", true));
  }

  public static Future<JsonObject> deny(String code, String message) {
    return Future.succeededFuture(
        new JsonObject().put("allow", false).put("code", code).put("message", message));
  }
}
