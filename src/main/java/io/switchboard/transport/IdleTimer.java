package io.switchboard.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Takes Netty's idle-state handler off a connection that became a WebSocket or an SSE stream.
 *
 * <p>Why: {@code HttpServerOptions.setIdleTimeout} (Node) gives every connection an {@link
 * IdleStateHandler}, and with it a scheduled task that is re-armed for the connection's whole life:
 * ~240 bytes of every idle connection. Once a connection is a session of the hub, that handler can
 * never fire: the hub writes a heartbeat every {@code heartbeat.intervalMs}, which counts as
 * activity, and the handler fires only after twice {@code heartbeat.timeoutMs} (longer than the
 * interval) of none. Dead peers are the heartbeat's job there (the reaper's 4408, the slow-consumer
 * guard). The handler stays for plain HTTP connections, which have no heartbeat.
 * {@code VertxInternalsTest} fails if an upgrade of Vert.x or Netty makes this a no-op.
 */
public final class IdleTimer {
  private IdleTimer() {}

  /** Call on the connection's event loop once the hub's heartbeat covers it. */
  public static void remove(ChannelPipeline pipeline) {
    if (pipeline.get(IdleStateHandler.class) != null) {
      pipeline.remove(IdleStateHandler.class);
    }
  }

  /** The pipeline of an HTTP connection of ours: Vert.x's connections are {@link ConnectionBase}. */
  public static ChannelPipeline pipelineOf(HttpConnection connection) {
    return ((ConnectionBase) connection).channel().pipeline();
  }

  /** Whether the connection still has one; tests ask on live connections. */
  public static boolean present(ChannelPipeline pipeline) {
    return pipeline.get(IdleStateHandler.class) != null;
  }
}
