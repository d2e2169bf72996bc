package com.acme;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Answers {@code /help} in the chat channels. It runs inside a Switchboard node (or any member
 * of its cluster) and talks to it over the event bus only:
 * <ul>
 *   <li>it hears every message accepted in the namespace on {@code switchboard.messages.<ns>}
 *       (the namespace needs {@code "bus": {"messages": true}});
 *   <li>it answers with a request to {@code switchboard.publish}, as the server: the reply is the
 *       message's offset, a failure carries the protocol's error code.
 * </ul>
 * Config: {@code {"namespace": "chat", "name": "bot"}} (both optional).
 */
public final class ChatBot extends VerticleBase {
  // the JDK's logger: the plugin depends on vertx-core only
  private static final System.Logger log = System.getLogger(ChatBot.class.getName());
  static final String HELP = "Commands: /help shows this. Everything else is sent to the room.";

  private String name;

  @Override
  public Future<?> start() {
    String namespace = config().getString("namespace", "chat");
    name = config().getString("name", "bot");
    String address =
        namespace.isEmpty() ? "switchboard.messages" : "switchboard.messages." + namespace;
    return vertx.eventBus().<JsonObject>consumer(address, this::onMessage).completion();
  }

  private void onMessage(Message<JsonObject> message) {
    JsonObject accepted = message.body();
    // messages of the server (the HTTP API, the event bus: this bot's own answers) have no
    // publisher; only people ask for help
    if (accepted.getString("publisher") == null
        || !(accepted.getValue("data") instanceof JsonObject data)
        || !"/help".equals(String.valueOf(data.getValue("text")).trim())) {
      return;
    }
    JsonObject answer = new JsonObject()
        .put("channel", accepted.getString("channel"))
        .put("data", new JsonObject().put("text", HELP).put("name", name));
    vertx
        .eventBus()
        .request("switchboard.publish", answer)
        .onFailure(err -> log.log(
            System.Logger.Level.WARNING,
            "could not answer /help in " + accepted.getString("channel") + ": "
                + err.getMessage()));
  }
}
