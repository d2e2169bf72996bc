package io.switchboard.broker.redis;

import io.switchboard.broker.BrokerListener;
import io.switchboard.broker.HistoryPage;
import io.switchboard.broker.HistoryQuery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one subscribed Redis connection. Redis pushes the publications of every channel the
 * node has local subscribers in over it; nothing reconnects it for us, so when it drops this class
 * reconnects with backoff, subscribes every channel again and has each channel's
 * {@link ChannelSequencer} read what was published meanwhile. It also listens, whatever the node
 * subscribed to, on the control channels of {@link RedisKeys#control()} (requests to every node)
 * and the node's own answers channel, which it hands to the control listener as they come.
 *
 * <p>Everything here runs on one context, so the channel map and the connection need no locks;
 * the broker's methods, called from any event loop, hop onto it.
 */
final class PubSubLink {
  private static final Logger log = LoggerFactory.getLogger(PubSubLink.class);
  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;
  /** Channels per SUBSCRIBE when subscribing everything again, to keep each command small. */
  private static final int RESUBSCRIBE_CHUNK = 500;

  private final Vertx vertx;
  private final Context context;
  private final List<Redis> endpoints;
  private final RedisKeys keys;
  private final RedisBrokerStats stats;
  private final BiFunction<String, HistoryQuery, Future<HistoryPage>> history;
  private final List<String> controlChannels;
  private volatile BrokerListener listener;
  /** (pub/sub channel, payload) of a control message; set once, before the node serves. */
  private volatile BiConsumer<String, String> control = (channel, payload) -> {};
  /** Runs each time the link is up (subscribed), the first time included. */
  private volatile Runnable onUp = () -> {};

  private final Map<String, ChannelSequencer> channels = new HashMap<>();
  private RedisConnection connection;
  private volatile boolean up;
  private boolean everUp;
  private int failures;
  private int endpoint;
  private boolean closed;
  private long retryTimer = -1;

  PubSubLink(
      Vertx vertx,
      List<Redis> endpoints,
      RedisKeys keys,
      RedisBrokerStats stats,
      BiFunction<String, HistoryQuery, Future<HistoryPage>> history,
      List<String> controlChannels) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.endpoints = endpoints;
    this.keys = keys;
    this.stats = stats;
    this.history = history;
    this.controlChannels = List.copyOf(controlChannels);
  }

  void listener(BrokerListener listener) {
    this.listener = listener;
  }

  void controlListener(BiConsumer<String, String> control) {
    this.control = control;
  }

  void onUp(Runnable onUp) {
    this.onUp = onUp;
  }

  /** Connects in the background; completes once subscribed the first time. */
  Future<Void> start() {
    Promise<Void> first = Promise.promise();
    context.runOnContext(v -> connect(first));
    return first.future();
  }

  boolean up() {
    return up;
  }

  /** Subscribes and reads the channel's top; fails at once while Redis is unreachable. */
  Future<Void> subscribe(String channel) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (!up) {
        done.fail("Redis is unreachable");
        return;
      }
      ChannelSequencer sequencer = new ChannelSequencer(channel, listener, history, stats);
      ChannelSequencer previous = channels.put(channel, sequencer);
      if (previous != null) {
        previous.stop();
      }
      connection
          .send(Request.cmd(Command.SUBSCRIBE).arg(keys.pubSub(channel)))
          .compose(ok -> history.apply(channel, new HistoryQuery(null, 0)))
          .onSuccess(page -> sequencer.start(page.top()))
          .onFailure(err -> {
            if (channels.get(channel) == sequencer) {
              channels.remove(channel);
              sequencer.stop();
            }
          })
          .<Void>mapEmpty()
          .onComplete(done);
    });
    return done.future();
  }

  Future<Void> unsubscribe(String channel) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      ChannelSequencer sequencer = channels.remove(channel);
      if (sequencer != null) {
        sequencer.stop();
      }
      if (!up) {
        // nothing to undo: a reconnect subscribes only the channels still in the map
        done.complete();
        return;
      }
      connection
          .send(Request.cmd(Command.UNSUBSCRIBE).arg(keys.pubSub(channel)))
          .<Void>mapEmpty()
          .onComplete(done);
    });
    return done.future();
  }

  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      up = false;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
      channels.values().forEach(ChannelSequencer::stop);
      channels.clear();
      RedisConnection current = connection;
      connection = null;
      (current == null ? Future.<Void>succeededFuture() : current.close())
          .otherwiseEmpty()
          .onComplete(done);
    });
    return done.future();
  }

  private void connect(Promise<Void> first) {
    if (closed) {
      return;
    }
    Redis client = endpoints.get(endpoint % endpoints.size());
    client
        .connect()
        .compose(conn -> {
          connection = conn;
          conn.handler(this::onPush);
          conn.exceptionHandler(err -> lost(conn, err));
          conn.endHandler(v -> lost(conn, null));
          return subscribeAll(conn);
        })
        .onSuccess(v -> {
          up = true;
          failures = 0;
          if (everUp) {
            stats.reconnects.increment();
            log.atInfo()
                .addKeyValue("channels", channels.size())
                .log("Redis pub/sub link is back; catching every channel up from history");
          }
          everUp = true;
          channels.values().forEach(ChannelSequencer::catchUp);
          onUp.run();
          if (first != null) {
            first.tryComplete();
          }
        })
        .onFailure(err -> {
          RedisConnection failed = connection;
          connection = null;
          if (failed != null) {
            failed.close();
          }
          retry(err, first);
        });
  }

  private Future<Void> subscribeAll(RedisConnection conn) {
    List<String> names = new ArrayList<>(controlChannels);
    channels.keySet().forEach(channel -> names.add(keys.pubSub(channel)));
    List<Future<Response>> sent = new ArrayList<>();
    for (int from = 0; from < names.size(); from += RESUBSCRIBE_CHUNK) {
      Request request = Request.cmd(Command.SUBSCRIBE);
      for (String name : names.subList(from, Math.min(names.size(), from + RESUBSCRIBE_CHUNK))) {
        request.arg(name);
      }
      sent.add(conn.send(request));
    }
    return Future.all(sent).mapEmpty();
  }

  private void lost(RedisConnection conn, Throwable err) {
    if (conn != connection) {
      return;
    }
    connection = null;
    up = false;
    channels.values().forEach(ChannelSequencer::linkLost);
    conn.close();
    retry(err, null);
  }

  private void retry(Throwable err, Promise<Void> first) {
    if (closed) {
      return;
    }
    failures++;
    endpoint++;
    long backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures - 1, 10));
    long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    if (failures == 1 || failures % 20 == 0) {
      log.atWarn()
          .addKeyValue("attempt", failures)
          .addKeyValue("retryInMs", delay)
          .log(
              "Redis pub/sub link is down ({}); publishes answer unavailable until it is back",
              err == null ? "connection closed" : err.getMessage());
    }
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      context.runOnContext(v -> connect(first));
    });
  }

  private void onPush(Response push) {
    if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return;
    }
    String pubSubChannel = push.get(1).toString();
    if (controlChannels.contains(pubSubChannel)) {
      control.accept(pubSubChannel, push.get(2).toString());
      return;
    }
    String channel = keys.channelOf(pubSubChannel);
    ChannelSequencer sequencer = channel == null ? null : channels.get(channel);
    if (sequencer == null) {
      return;
    }
    PubSubMessage.decode(channel, push.get(2).toBytes()).deliverTo(sequencer);
  }
}
