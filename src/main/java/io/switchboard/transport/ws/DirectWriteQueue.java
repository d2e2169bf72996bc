package io.switchboard.transport.ws;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a WebSocket connection the direct write queue Vert.x uses in strict thread mode.
 *
 * <p>Why: Vert.x 5.0 gives every connection a write queue for writes from foreign threads, a jctools
 * queue whose first 4 KB chunk is allocated up front; that is 40% of an idle WebSocket's memory.
 * HTTP connections skip it with {@code HttpServerOptions.setStrictThreadMode(true)}, but the
 * WebSocket connection an upgrade creates has no such option. Every write to our sockets happens on
 * the socket's own event loop (the hub's), which is what strict mode requires, so we install the
 * same direct queue Vert.x would. Best effort: if Vert.x's internals are not what this expects, it
 * logs once and leaves connections as they are; {@code scripts/bench idle} shows the difference.
 */
final class DirectWriteQueue {
  private static final Logger log = LoggerFactory.getLogger(DirectWriteQueue.class);
  private static final Field QUEUE;
  private static final Constructor<?> DIRECT;

  static {
    Field queue = null;
    Constructor<?> direct = null;
    try {
      queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      direct = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
          .getDeclaredConstructor(VertxConnection.class);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atInfo()
          .addKeyValue("reason", e.toString())
          .log("cannot trim the WebSocket write queue; idle connections use ~4 KB more");
      queue = null;
      direct = null;
    }
    QUEUE = queue;
    DIRECT = direct;
  }

  private DirectWriteQueue() {}

  /** Call on the socket's event loop before anything is written to it. */
  static void install(ServerWebSocket socket) {
    VertxConnection connection = QUEUE == null ? null : connectionOf(socket);
    if (connection == null) {
      return;
    }
    try {
      QUEUE.set(connection, DIRECT.newInstance(connection));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atDebug().setCause(e).log("cannot trim the WebSocket write queue");
    }
  }

  /**
   * Whether the socket's connection writes through the direct queue now; tests call it on a live
   * connection, so a Vert.x upgrade that turns {@link #install} into a no-op fails them.
   */
  static boolean installed(ServerWebSocket socket) {
    VertxConnection connection = QUEUE == null ? null : connectionOf(socket);
    try {
      return connection != null && DIRECT.getDeclaringClass().isInstance(QUEUE.get(connection));
    } catch (IllegalAccessException e) {
      return false;
    }
  }

  private static VertxConnection connectionOf(ServerWebSocket socket) {
    ChannelHandlerContext pipelineContext = ((WebSocketInternal) socket).channelHandlerContext();
    VertxHandler<?> handler = pipelineContext.pipeline().get(VertxHandler.class);
    Object connection = handler == null ? null : handler.getConnection();
    return connection instanceof VertxConnection vertxConnection ? vertxConnection : null;
  }
}
