package io.switchboard.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** A real WebSocket client speaking the protocol, for tests. Answers server pings unless told not to. */
public final class WsClient {
  private final WebSocketClient client;
  private final FrameQueue<JsonObject> frames = new FrameQueue<>();
  private final Promise<Short> closed = Promise.promise();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean answerPings = true;
  private WebSocket socket;

  private WsClient(Vertx vertx) {
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024)
        .setMaxMessageSize(16 * 1024 * 1024));
  }

  public static WsClient connect(Vertx vertx, int port) {
    return connect(vertx, port, "/ws", null);
  }

  public static WsClient connect(Vertx vertx, int port, String uri, MultiMap headers) {
    WsClient ws = new WsClient(vertx);
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (headers != null) {
      options.setHeaders(headers);
    }
    // Connect from a Vert.x context and set the handlers in the connect callback: the callback
    // then runs on the socket's event loop as the handshake completes, before the next frame is
    // read. Started from the JUnit thread, the callback can come after a welcome frame that
    // arrived with the handshake response, and that frame is lost.
    Promise<WebSocket> connected = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(v -> ws.client
            .connect(options)
            .map(socket -> {
              ws.bind(socket);
              return socket;
            })
            .onComplete(connected));
    ws.socket = Await.result(connected.future());
    return ws;
  }

  private void bind(WebSocket socket) {
    WsClient ws = this;
    socket.textMessageHandler(text -> {
      for (String line : text.split("\n")) {
        JsonObject frame = new JsonObject(line);
        if (ws.answerPings && "ping".equals(frame.getString("type")) && !frame.containsKey("id")) {
          socket.writeTextMessage("{\"type\":\"pong\"}");
        }
        ws.frames.add(frame);
      }
    });
    socket.closeHandler(v -> ws.closed.tryComplete(socket.closeStatusCode()));
  }

  /** Connects and waits for the welcome frame. */
  public static WsClient welcomed(Vertx vertx, int port) {
    WsClient ws = connect(vertx, port);
    ws.next("welcome");
    return ws;
  }

  /** Stops reading from the socket, as a stuck client would; frames pile up in the server. */
  public void pauseReading() {
    socket.pause();
  }

  public void resumeReading() {
    socket.resume();
  }

  public WsClient answerPings(boolean answer) {
    this.answerPings = answer;
    return this;
  }

  public void send(String text) {
    Await.result(socket.writeTextMessage(text));
  }

  public void send(JsonObject frame) {
    send(frame.encode());
  }

  public void sendBinary(Buffer data) {
    Await.result(socket.writeBinaryMessage(data));
  }

  /** Sends one raw WebSocket frame, e.g. a fragment of a message. */
  public void sendFrame(WebSocketFrame frame) {
    Await.result(writeFrame(frame));
  }

  /**
   * Writes without waiting: for input the server may close the connection on before the write
   * completes (then the returned future fails).
   */
  public Future<Void> writeFrame(WebSocketFrame frame) {
    return socket.writeFrame(frame);
  }

  /** Writes a text message without waiting; see {@link #writeFrame}. */
  public Future<Void> write(String text) {
    return socket.writeTextMessage(text);
  }

  /**
   * Sends {@code bytes} as one text frame whether or not they are UTF-8. Does not wait, as the
   * server may close the connection on it.
   */
  public Future<Void> writeTextBytes(Buffer bytes) {
    return socket.writeFrame(textFrame(bytes, true));
  }

  /**
   * A text frame of any bytes: Vert.x's {@code WebSocketFrame.textFrame} takes only a String, so
   * this uses its implementation class (a test may send what a client library would not).
   */
  public static WebSocketFrame textFrame(Buffer bytes, boolean fin) {
    return new WebSocketFrameImpl(
        WebSocketFrameType.TEXT, ((BufferInternal) bytes).getByteBuf(), fin);
  }

  /** Sends a WebSocket protocol-level pong control frame. */
  public void sendControlPong() {
    Await.result(socket.writePong(Buffer.buffer()));
  }

  /** Sends a request with a fresh id and waits for the reply carrying that id. */
  public JsonObject request(JsonObject frame) {
    long id = ids.incrementAndGet();
    send(frame.copy().put("id", id));
    return frames.await(
        f -> Long.valueOf(id).equals(f.getLong("id")) && !"ping".equals(f.getString("type")),
        "reply to " + frame.encode());
  }

  public JsonObject subscribe(String channel) {
    return request(new JsonObject().put("type", "subscribe").put("channel", channel));
  }

  public JsonObject subscribe(String channel, String since) {
    return request(
        new JsonObject().put("type", "subscribe").put("channel", channel).put("since", since));
  }

  public JsonObject publish(String channel, Object data) {
    return request(
        new JsonObject().put("type", "publish").put("channel", channel).put("data", data));
  }

  /** The next frame of this type. */
  public JsonObject next(String type) {
    return frames.await(f -> type.equals(f.getString("type")), "\"" + type + "\" frame");
  }

  /** The next message frame of this channel. */
  public JsonObject nextMessage(String channel) {
    return frames.await(
        f -> "message".equals(f.getString("type")) && channel.equals(f.getString("channel")),
        "message on " + channel);
  }

  /** The next frame matching {@code match}, described as {@code what} if none comes. */
  public JsonObject next(Predicate<JsonObject> match, String what) {
    return frames.await(match, what);
  }

  /** The next frame matching {@code match}, without waiting: for racing it against a close. */
  public Future<JsonObject> nextFrame(Predicate<JsonObject> match) {
    return frames.next(match);
  }

  public void expectNo(String type) {
    frames.expectNone(f -> type.equals(f.getString("type")), "\"" + type + "\" frame");
  }

  public List<JsonObject> received() {
    return frames.snapshot();
  }

  /** The close code the server sent, waiting for the close. */
  public short closeCode() {
    return Await.result(closed.future());
  }

  public Future<Short> closed() {
    return closed.future();
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  /** Fails unless the connection is open and in use: a ping gets its pong. */
  public void assertAlive() {
    JsonObject pong = request(new JsonObject().put("type", "ping"));
    if (!"pong".equals(pong.getString("type")) || isClosed()) {
      throw new AssertionError("not alive: " + pong.encode());
    }
  }

  public void close() {
    if (!socket.isClosed()) {
      Await.result(socket.close());
    }
    client.close();
  }
}
