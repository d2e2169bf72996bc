package io.switchboard.transport;

import io.switchboard.limits.ConnectionCounter;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.switchboard.transport.http.ApiErrors;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * The open TCP connections of one HTTP server instance (one event loop), each an
 * {@link AcceptedConnection}, found by remote address: a WebSocket handshake exposes only its
 * address, which is unique among the open connections of a listening port.
 *
 * <p>Wiring: {@link #accept} is the server's connection handler, and owns each connection's close
 * handler (nobody else may set it); {@link #headArrived} is called by the WebSocket handshake
 * handler; {@link #requests()} is the first handler of the server's router. Vert.x calls the
 * connection handler at accept, before any byte is read, only with h2c off: with it on, it waits
 * for the first bytes to tell HTTP/2 from HTTP/1.1, and a silent socket would never be seen.
 *
 * <p>Touched only by its server's event loop: no locks.
 */
public final class AcceptedConnections {
  private final Vertx vertx;
  private final long deadlineMs;
  private final ConnectionCounter counter;
  private final SwitchboardMetrics metrics;
  private final Map<SocketAddress, AcceptedConnection> open = new HashMap<>();
  /** Null when the deadline is too short to promise a whole second. */
  private final String keepAlive;

  /**
   * @param counter the node's per-address count; one with no limit for a port whose connections
   *     are not counted
   */
  public AcceptedConnections(
      Vertx vertx, long deadlineMs, ConnectionCounter counter, SwitchboardMetrics metrics) {
    this.vertx = vertx;
    this.deadlineMs = deadlineMs;
    this.counter = counter;
    this.metrics = metrics;
    // a second under the deadline, so a client that honours it retires an idle connection before
    // the server closes it, instead of sending a request into the close
    this.keepAlive = deadlineMs >= 2_000 ? "timeout=" + (deadlineMs / 1000 - 1) : null;
  }

  /** The server's connection handler. */
  public void accept(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    String address = remote.hostAddress();
    AcceptedConnection accepted = new AcceptedConnection(
        vertx,
        connection,
        address,
        deadlineMs,
        counter.acquireAddressOnce(address),
        metrics::requestHeadTimeout,
        gone -> open.remove(remote, gone));
    open.put(remote, accepted);
    connection.closeHandler(v -> accepted.closed());
  }

  /** The connection of {@code remote}, whose request head has just arrived. */
  public AcceptedConnection headArrived(SocketAddress remote) {
    AcceptedConnection connection = open.get(remote);
    if (connection == null) {
      throw new IllegalStateException(
          "no accepted connection from " + remote + ": is the connection handler set and h2c off?");
    }
    connection.headArrived();
    return connection;
  }

  /**
   * Stops the head deadline of the request's connection until its response ends (its body is due
   * within the deadline, {@link AcceptedConnection#bodyDue}); refuses the request
   * with 429 when the connection is over the address limit, and closes it after the answer.
   */
  public Handler<RoutingContext> requests() {
    return ctx -> {
      AcceptedConnection connection = headArrived(ctx.request().connection().remoteAddress());
      connection.bodyDue(ctx.request());
      ctx.addEndHandler(ar -> connection.answered());
      if (connection.overLimit()) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ApiErrors.reply(ctx, tooMany(connection));
        return;
      }
      if (keepAlive != null) {
        ctx.response().putHeader("Keep-Alive", keepAlive);
      }
      ctx.next();
    };
  }

  private static SwitchboardException tooMany(AcceptedConnection connection) {
    return new SwitchboardException(
        ErrorCode.RATE_LIMITED,
        "too many connections from " + connection.address() + " (limits.maxConnectionsPerAddress)");
  }
}
