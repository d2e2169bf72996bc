package io.switchboard.fuzz;

import io.switchboard.testing.WsClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Hostile WebSocket frames: mutated client frames of every type, text that is not UTF-8, binary
 * frames, frames over the limit, odd fragmentations. Each lane is one connection: after every
 * case it sends a ping with an id of its own and reads everything up to that pong, so each case's
 * answers are checked before the next (an error frame must carry a protocol code); a close must
 * have a documented code, and the lane reconnects. Each case (its connect, if the lane has no
 * connection, and its send) runs under the case's deadline ({@link FuzzRun#guard}), and so does
 * closing a lane's last connection: a case that misses it is a failure, and the lane goes on with a
 * fresh connection.
 */
final class WsFuzz {
  /** 1002 protocol error, 1003 binary, 1007 not UTF-8, 1009 too large, 4401 bad token, 4429. */
  static final Set<Integer> CLOSE_CODES = Set.of(1002, 1003, 1007, 1009, 4401, 4429);

  private static final long ANSWER_MS = FuzzRun.ANSWER_MS;

  private final Vertx vertx;
  private final int port;
  private final FuzzRun run;
  private final WebSocketClient client;

  WsFuzz(Vertx vertx, int port, FuzzRun run) {
    this.vertx = vertx;
    this.port = port;
    this.run = run;
    this.client = vertx.createWebSocketClient(
        new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
  }

  /** How one case is sent. */
  enum Kind {
    TEXT,
    BYTES,
    FRAGMENTS,
    BINARY
  }

  record Case(int index, Kind kind, Buffer payload, List<Integer> cuts) {}

  List<Case> cases(int count) {
    Mutator m = run.mutator("ws");
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String channel = m.channelJson(m.pick(HttpFuzz.CHANNELS));
      String template = m.pick(TEMPLATES).replace("%CH%", channel);
      Buffer payload = m.chance(3)
          ? Mutator.utf8("{\"type\":\"publish\",\"channel\":\"fz\",\"data\":\""
              + "x".repeat(HostileInputFuzzTest.MAX_FRAME_BYTES - 40 + m.below(80)) + "\"}")
          : m.variant(data -> template.replace("%DATA%", data));
      int roll = m.below(100);
      Kind kind =
          roll < 3 ? Kind.BINARY : roll < 10 ? Kind.FRAGMENTS : roll < 20 ? Kind.BYTES : Kind.TEXT;
      List<Integer> cuts = new ArrayList<>();
      if (kind == Kind.FRAGMENTS) {
        int parts = 1 + m.below(3);
        for (int j = 0; j < parts; j++) {
          cuts.add(m.chance(20) ? 0 : m.below(payload.length() + 1));
        }
        cuts.sort(null);
      }
      cases.add(new Case(i, kind, payload, cuts));
    }
    return cases;
  }

  private static final List<String> TEMPLATES = List.of(
      "{\"type\":\"publish\",\"id\":1,\"channel\":%CH%,\"data\":%DATA%}",
      "{\"type\":\"publish\",\"channel\":%CH%,\"data\":%DATA%}",
      "{\"type\":\"subscribe\",\"id\":2,\"channel\":%CH%,\"since\":%DATA%}",
      "{\"type\":\"unsubscribe\",\"id\":3,\"channel\":%CH%}",
      "{\"type\":\"history\",\"id\":4,\"channel\":%CH%,\"limit\":%DATA%}",
      "{\"type\":\"presence\",\"id\":5,\"channel\":%CH%}",
      "{\"type\":\"ping\",\"id\":%DATA%}",
      "{\"type\":\"pong\"}",
      "{\"type\":%DATA%,\"id\":6}",
      "{\"type\":\"auth\",\"id\":7,\"token\":%DATA%}");

  /**
   * Runs the cases on one connection (reconnecting after each close), one after the other. The
   * lane lives on a context of its own, so its socket's callbacks and its state share one thread.
   */
  Future<Void> lane(List<Case> cases) {
    Promise<Void> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    Lane lane = new Lane(cases, done, context);
    context.runOnContext(v -> lane.next());
    return done.future();
  }

  private final class Lane {
    private final List<Case> cases;
    private final Promise<Void> done;
    private final Context context;
    private int position;
    private long sentinel = -1_000_000L;
    private Connection connection;

    Lane(List<Case> cases, Promise<Void> done, Context context) {
      this.cases = cases;
      this.done = done;
      this.context = context;
    }

    void next() {
      if (position == cases.size()) {
        end();
        return;
      }
      Case current = cases.get(position++);
      FuzzRun.Trace trace = new FuzzRun.Trace("ws", current.index, current.payload);
      run.guard(
              trace,
              () -> (connection == null ? connect(trace) : Future.succeededFuture())
                  .compose(v -> send(current, trace)))
          .onComplete(ar -> {
            run.counted("ws");
            if (ar.failed()) {
              if (!(ar.cause() instanceof FuzzRun.DeadlineMissed)) {
                run.fail(
                    "ws",
                    current.index,
                    current.payload,
                    ar.cause().toString() + " (" + trace.where() + ")");
              }
              // whatever state the connection is in, the next case starts on a fresh one
              drop();
            }
            // on the lane's thread, whichever completed the case
            context.runOnContext(v -> next());
          });
    }

    /** The lane's last connection is closed, under a deadline too: a close may hang as well. */
    private void end() {
      Connection last = connection;
      connection = null;
      if (last == null) {
        done.complete();
        return;
      }
      FuzzRun.Trace trace = new FuzzRun.Trace(
          "ws", cases.get(cases.size() - 1).index, "(the lane's last connection)");
      trace.at("closing the lane's last connection");
      run.guard(trace, last::close).onComplete(ar -> done.complete());
    }

    private void drop() {
      if (connection != null) {
        connection.abandon();
        connection = null;
      }
    }

    private Future<Void> connect(FuzzRun.Trace trace) {
      Connection fresh = new Connection();
      connection = fresh;
      trace.at("the WebSocket connect and upgrade");
      return client.connect(port, "127.0.0.1", "/ws").compose(ws -> {
        if (!fresh.bind(ws)) {
          return Future.failedFuture("connected only after the case was given up");
        }
        trace.at("the welcome frame");
        return within(fresh.awaited.future());
      });
    }

    private Future<Void> send(Case c, FuzzRun.Trace trace) {
      Connection on = connection;
      on.expect(--sentinel, c);
      WebSocket socket = on.socket;
      trace.at("writing the frame");
      Future<Void> written;
      switch (c.kind) {
        case BINARY:
          written = socket.writeBinaryMessage(c.payload);
          break;
        case BYTES:
          written = socket.writeFrame(WsClient.textFrame(c.payload, true));
          break;
        case FRAGMENTS:
          written = fragments(socket, c);
          break;
        default:
          written = socket.writeTextMessage(FuzzRun.utf8(c.payload));
      }
      long ping = sentinel;
      // the frame may close the connection, so the write and then the ping may fail: the close
      // is what the case is judged by
      Future<Void> pinged = written.transform(
          ar -> socket.writeTextMessage("{\"type\":\"ping\",\"id\":" + ping + "}"));
      pinged.onFailure(err -> {});
      trace.at("the answer (the pong " + ping + ") or a close");
      return within(Future.any(on.awaited.future(), on.closed.future()))
          .transform(ar -> judge(on, c, written, pinged));
    }

    /**
     * {@code answer}, or a failure after {@link #ANSWER_MS}, completed on the lane's thread.
     * {@code Future.timeout} would not do: the connection's promises have no context, so its
     * timeout would fire, and the lane go on, on Netty's global executor thread.
     */
    private <T> Future<T> within(Future<T> answer) {
      Promise<T> result = Promise.promise();
      long timer = vertx.setTimer(
          ANSWER_MS,
          id -> result.tryFail(new TimeoutException("nothing within " + ANSWER_MS + " ms")));
      answer.onComplete(ar -> context.runOnContext(v -> {
        vertx.cancelTimer(timer);
        if (ar.succeeded()) {
          result.tryComplete(ar.result());
        } else {
          result.tryFail(ar.cause());
        }
      }));
      return result.future();
    }

    /** Answered: next case. Closed: with a documented code? Neither: a failure, not a hang. */
    private Future<Void> judge(Connection on, Case c, Future<Void> written, Future<Void> pinged) {
      if (on.awaited.future().succeeded()) {
        return Future.succeededFuture();
      }
      connection = null;
      if (!on.closed.future().isComplete()) {
        on.abandon();
        return Future.failedFuture("neither answered nor closed within " + ANSWER_MS
            + " ms (the frame's write " + outcome(written) + ", the ping's " + outcome(pinged)
            + ")");
      }
      int code = on.closed.future().result();
      if (!CLOSE_CODES.contains(code)) {
        run.fail("ws", c.index, c.payload, "closed with " + code);
      }
      return Future.succeededFuture();
    }

    private static String outcome(Future<?> write) {
      return !write.isComplete()
          ? "not completed"
          : write.succeeded() ? "succeeded" : "failed: " + write.cause();
    }
  }

  /**
   * One connection of a lane: the frame ({@code welcome}, then the pong to the current sentinel)
   * that ends the wait, and the close code once closed.
   */
  private final class Connection {
    private final Promise<Integer> closed = Promise.promise();
    private Promise<Void> awaited = Promise.promise();
    private long sentinel;
    private Case current;
    private WebSocket socket;
    private boolean abandoned;

    /** False, and the socket closed, when the case this connection was for was given up. */
    boolean bind(WebSocket ws) {
      if (abandoned) {
        ws.close();
        return false;
      }
      socket = ws;
      ws.textMessageHandler(this::received);
      // the server's close frame decides the case; the TCP connection may end up to 1 s later
      ws.frameHandler(frame -> {
        if (frame.isClose()) {
          closed.tryComplete((int) frame.closeStatusCode());
        }
      });
      ws.closeHandler(v -> closed.tryComplete((int) ws.closeStatusCode()));
      return true;
    }

    /** Given up: closed without waiting, now or once connected. */
    void abandon() {
      abandoned = true;
      if (socket != null && !socket.isClosed()) {
        socket.close().onFailure(err -> {});
      }
    }

    void expect(long ping, Case c) {
      awaited = Promise.promise();
      sentinel = ping;
      current = c;
    }

    Future<Void> close() {
      return socket == null || socket.isClosed() ? Future.succeededFuture() : socket.close();
    }

    /** Every frame is checked: an error must carry a protocol code. */
    private void received(String text) {
      int index = current == null ? -1 : current.index;
      Object input = current == null ? "(connecting)" : current.payload;
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (RuntimeException e) {
        run.fail(
            "ws", index, input, "server sent a frame that is not JSON: " + FuzzRun.preview(text));
        return;
      }
      String type = frame.getString("type");
      if ("error".equals(type) && !FuzzRun.isClientCode(frame.getString("code"))) {
        run.fail("ws", index, input, "error frame " + frame.encode());
      }
      if ("welcome".equals(type)
          || ("pong".equals(type) && Long.valueOf(sentinel).equals(frame.getLong("id")))) {
        awaited.tryComplete();
      }
    }
  }

  private static Future<Void> fragments(WebSocket socket, Case c) {
    List<Integer> cuts = new ArrayList<>(c.cuts);
    cuts.add(c.payload.length());
    Future<Void> last = Future.succeededFuture();
    int from = 0;
    for (int i = 0; i < cuts.size(); i++) {
      int to = cuts.get(i);
      Buffer part = c.payload.getBuffer(from, to);
      boolean fin = i == cuts.size() - 1;
      last = socket.writeFrame(
          i == 0 ? WsClient.textFrame(part, fin) : WebSocketFrame.continuationFrame(part, fin));
      from = to;
    }
    return last;
  }

  Future<Void> close() {
    return client.close();
  }
}
