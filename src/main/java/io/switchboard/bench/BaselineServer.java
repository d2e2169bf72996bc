package io.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The floor Switchboard is measured against: a bare Vert.x WebSocket broadcast with no protocol,
 * no validation and no bookkeeping beyond one list of sockets per channel. {@code GET /ws}
 * (optionally {@code ?channel=X}, default {@code bench}) joins a list, {@code POST /publish}
 * ({@code ?channel=X}) writes the body as a text message to every socket of the list and answers
 * 200, {@code GET /health} answers 200. One event loop, so every list is touched by one thread.
 *
 * <p>{@code GET /ws?handshake=1} is the floor of a protocol connect (the bench's connect mode):
 * the socket gets a welcome-shaped frame at upgrade, and a text frame {@code {"type":"subscribe",
 * "channel":..}} (parsed as JSON, as any Vert.x server would) joins that channel's list and is
 * answered with an ack-shaped frame.
 *
 * <p>Port from {@code SWITCHBOARD_HTTP_PORT} (default 8090), like the server it stands in for.
 */
public final class BaselineServer {
  private static final String DEFAULT_CHANNEL = "bench";

  private final Map<String, List<ServerWebSocket>> channels = new HashMap<>();
  private long sessions;

  public static void main(String[] args) {
    int port = Integer.parseInt(System.getenv().getOrDefault("SWITCHBOARD_HTTP_PORT", "8090"));
    Vertx vertx =
        Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    BaselineServer baseline = new BaselineServer();
    vertx
        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .webSocketHandler(baseline::join)
        .requestHandler(baseline::request)
        .listen()
        .onSuccess(server -> System.out.println("baseline listening on " + server.actualPort()
            + " (native transport: " + vertx.isNativeTransportEnabled() + ")"))
        .onFailure(err -> {
          err.printStackTrace();
          System.exit(1);
        });
  }

  private void join(ServerWebSocket ws) {
    if (!"/ws".equals(ws.path())) {
      ws.close((short) 1008);
      return;
    }
    String query = ws.query();
    if (query != null && query.contains("handshake=1")) {
      handshake(ws);
      return;
    }
    add(ws, channel(query));
  }

  private void add(ServerWebSocket ws, String channel) {
    List<ServerWebSocket> sockets = channels.computeIfAbsent(channel, c -> new ArrayList<>());
    sockets.add(ws);
    ws.closeHandler(v -> sockets.remove(ws));
  }

  /** Welcome, then join the channel of a subscribe frame and ack it: what a client waits for. */
  private void handshake(ServerWebSocket ws) {
    ws.writeTextMessage(new JsonObject()
        .put("type", "welcome")
        .put("session", "baseline-" + ++sessions)
        .put("user", "")
        .put("node", "baseline")
        .put("heartbeat", 25000)
        .encode());
    ws.textMessageHandler(text -> {
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (DecodeException e) {
        ws.close((short) 1007);
        return;
      }
      if ("subscribe".equals(frame.getString("type")) && frame.getString("channel") != null) {
        add(ws, frame.getString("channel"));
        ws.writeTextMessage(new JsonObject()
            .put("type", "ack")
            .put("id", frame.getValue("id"))
            .put("channel", frame.getString("channel"))
            .put("offset", "0-5f3a9c1b")
            .encode());
      }
    });
  }

  private void request(HttpServerRequest req) {
    if (req.method() == HttpMethod.GET && "/health".equals(req.path())) {
      req.response().end("ok");
    } else if (req.method() == HttpMethod.POST && "/publish".equals(req.path())) {
      String channel = channel(req.query());
      req.body()
          .onSuccess(body -> {
            String text = body.toString();
            // a copy: a write to a socket that just died may run its close handler, which edits the
            // list
            for (ServerWebSocket ws : List.copyOf(channels.getOrDefault(channel, List.of()))) {
              ws.writeTextMessage(text);
            }
            req.response().end();
          })
          .onFailure(err -> req.response().setStatusCode(400).end(String.valueOf(err)));
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  /** The value of {@code channel=} in a query string; no decoding, names are plain ASCII. */
  private static String channel(String query) {
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("channel=")) {
          return pair.substring("channel=".length());
        }
      }
    }
    return DEFAULT_CHANNEL;
  }
}
