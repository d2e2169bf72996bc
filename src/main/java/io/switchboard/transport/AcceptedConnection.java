package io.switchboard.transport;

import io.vertx.core.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;

/**
 * One TCP connection of an HTTP server, from accept to close: the slot it holds in
 * {@code limits.maxConnectionsPerAddress} and its request-head deadline
 * ({@code http.requestHeaderTimeoutMs}).
 *
 * <p>The deadline runs from accept to the first complete request head, then from the end of each
 * response to the next head, so neither a slow first head nor a slow (or never sent) next one on a
 * keep-alive connection holds the socket longer than the deadline; bytes arriving do not extend
 * it. A request's body is due within the deadline of its head the same way: a client trickling
 * the body of a {@code POST} a byte at a time would hold the socket (and a handler waiting for the
 * body) for as long as it liked, since the idle timeout restarts with every byte. It is off while
 * a request is being answered (an open SSE stream is a response that has not
 * ended) and for good once the connection is a WebSocket. When it fires the connection is closed
 * without an answer: there is no request to answer.
 *
 * <p>A connection over the address limit holds no slot: its first request is refused (the caller
 * checks {@link #overLimit()}) and it is closed once that answer is written.
 *
 * <p>Touched only by its server's event loop: no locks.
 */
public final class AcceptedConnection {
  private final Vertx vertx;
  private final HttpConnection connection;
  private final String address;
  private final long deadlineMs;
  /** Null when the address was over its limit at accept. */
  private final Runnable releaseSlot;

  private final Runnable onDeadline;
  private final Consumer<AcceptedConnection> forget;
  /** Null when not armed. */
  private Timer timer;

  private int answering;
  private boolean upgraded;
  private boolean closed;

  AcceptedConnection(
      Vertx vertx,
      HttpConnection connection,
      String address,
      long deadlineMs,
      Runnable releaseSlot,
      Runnable onDeadline,
      Consumer<AcceptedConnection> forget) {
    this.vertx = vertx;
    this.connection = connection;
    this.address = address;
    this.deadlineMs = deadlineMs;
    this.releaseSlot = releaseSlot;
    this.onDeadline = onDeadline;
    this.forget = forget;
    arm();
  }

  public String address() {
    return address;
  }

  /** Whether the address had its limit of connections at accept: refuse the request, 429. */
  public boolean overLimit() {
    return releaseSlot == null;
  }

  /** A request head is complete: the deadline stops until its response has ended. */
  void headArrived() {
    answering++;
    cancel();
  }

  /**
   * The head of {@code request} arrived: unless its body has too, the body is due within the
   * deadline. The check runs when the deadline comes (a request without a body is seen as ended
   * only after its handler returned), so a request answered or ended by then is left alone.
   */
  void bodyDue(HttpServerRequest request) {
    if (deadlineMs > 0 && !request.isEnded()) {
      Timer armed = vertx.timer(deadlineMs);
      timer = armed;
      armed.onSuccess(v -> {
        timer = null;
        if (!request.isEnded() && !closed) {
          onDeadline.run();
          connection.close();
        }
      });
    }
  }

  /**
   * A response ended, or its exchange failed: the next head is due within the deadline. An
   * over-limit connection has had its one answer, and is closed (Vert.x flushes the answer first).
   */
  public void answered() {
    answering--;
    cancel(); // the body deadline of the request just answered
    if (closed || upgraded || answering > 0) {
      return;
    }
    if (overLimit()) {
      connection.close();
      return;
    }
    arm();
  }

  /**
   * Now a WebSocket: no request heads any more. Vert.x moves the socket to a handler of its own at
   * the upgrade and never runs the HTTP connection's close handler, so the WebSocket's close
   * handler must call {@link #closed()}.
   */
  public void upgraded() {
    upgraded = true;
    cancel();
    forget.accept(this);
  }

  /** The connection is gone, however it went: frees its slot. Runs its work once. */
  public void closed() {
    if (closed) {
      return;
    }
    closed = true;
    cancel();
    forget.accept(this);
    if (releaseSlot != null) {
      releaseSlot.run();
    }
  }

  private void arm() {
    if (deadlineMs > 0) {
      // a one-shot Timer, not setTimer: it skips the timer-id map and close hook, which a JFR
      // profile showed on every connect (the deadline is armed at accept, cancelled at the head)
      Timer armed = vertx.timer(deadlineMs);
      timer = armed;
      armed.onSuccess(v -> {
        timer = null;
        onDeadline.run();
        connection.close();
      });
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }
}
