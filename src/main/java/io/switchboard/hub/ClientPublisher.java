package io.switchboard.hub;

import io.switchboard.broker.StreamPosition;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.hook.Hooks;
import io.switchboard.limits.ChannelCreations;
import io.switchboard.metrics.PublishSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;

/**
 * A client connection's publishes: the {@link Publisher}'s checks, then the namespace's publish
 * hook, then the broker. Hooks answer in any order, and several may be asked at once; the
 * publishes still reach the broker in the order the client sent them: a publish whose hook has
 * answered waits in its connection's {@link Waiting} queue for those sent before it, so a slow
 * hook holds back only the publishes behind it on the same connection. Runs on the session's hub
 * loop.
 */
public final class ClientPublisher {
  private final Publisher publisher;
  private final Hooks hooks;

  public ClientPublisher(Publisher publisher, Hooks hooks) {
    this.publisher = publisher;
    this.hooks = hooks;
  }

  /**
   * A connection's publishes not yet handed to the broker, oldest first; made by its first hooked
   * publish and kept with the session, which only holds it.
   */
  static final class Waiting {
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    // a publish answered synchronously must not drain the queue from inside a drain
    private boolean draining;
  }

  private record Entry(
      Future<Object> data,
      String channel,
      PublishSource source,
      ChannelCreations creations,
      Promise<StreamPosition> result) {}

  public Future<StreamPosition> publish(
      Session session,
      String channel,
      Object data,
      PublishSource source,
      ChannelCreations creations) {
    if (!hooks.asksOnAnyPublish()) {
      // no namespace has a publish hook: nothing of this node's clients ever waits for one
      return publisher.publish(session.principal(), channel, data, source, null, creations);
    }
    Waiting waiting = session.waitingPublishes();
    NamespaceConfig ns = namespaceOf(channel);
    boolean hooked = ns != null && hooks.asksOnPublish(ns);
    if (!hooked && (waiting == null || waiting.entries.isEmpty())) {
      // the common case: nothing of this connection waits for a hook
      return publisher.publish(session.principal(), channel, data, source, null, creations);
    }
    Future<Object> verdict;
    if (hooked) {
      try {
        // permission and schema before the hook: it is asked only about publishes it could allow
        publisher.check(session.principal(), channel, data);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      verdict = hooks.publish(ns, session.caller(), channel, data);
    } else {
      verdict = Future.succeededFuture(data);
    }
    if (waiting == null) {
      waiting = new Waiting();
      session.waitingPublishes(waiting);
    }
    Entry entry = new Entry(verdict, channel, source, creations, Promise.promise());
    waiting.entries.add(entry);
    Waiting queue = waiting;
    verdict.onComplete(ar -> drain(session, queue));
    return publisher.tracked(entry.result().future());
  }

  /** Hands over, in order, every publish at the head of the queue whose hook has answered. */
  private void drain(Session session, Waiting waiting) {
    if (waiting.draining) {
      return;
    }
    waiting.draining = true;
    try {
      while (!waiting.entries.isEmpty() && waiting.entries.peek().data().isComplete()) {
        Entry entry = waiting.entries.poll();
        if (entry.data().failed()) {
          entry.result().fail(entry.data().cause());
        } else {
          publisher
              .publish(
                  session.principal(),
                  entry.channel(),
                  entry.data().result(),
                  entry.source(),
                  null,
                  entry.creations())
              .onComplete(entry.result());
        }
      }
    } finally {
      waiting.draining = false;
    }
  }

  /** The Publisher's namespace, or null for a bad channel (the Publisher then answers why). */
  private NamespaceConfig namespaceOf(String channel) {
    try {
      return publisher.namespaceOf(channel);
    } catch (RuntimeException e) {
      return null; // Publisher.publish fails the same way, with the reason
    }
  }
}
