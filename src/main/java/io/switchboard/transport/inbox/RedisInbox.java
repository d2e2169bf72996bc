package io.switchboard.transport.inbox;

import io.switchboard.auth.Principal;
import io.switchboard.broker.redis.RedisBroker;
import io.switchboard.hub.Publisher;
import io.switchboard.limits.ChannelCreations;
import io.switchboard.metrics.PublishSource;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.InboundJson;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishing for services that have only a Redis client: they {@code XADD {prefix}:inbox * channel
 * <name> data <json>}, and the nodes consume the stream in the consumer group "switchboard". Each
 * entry goes through the same checks as an HTTP API publish by the server (namespace, schema),
 * then is acked and deleted. An entry is published with its stream id as idempotency key, so one
 * retried after a node died between publishing and acking is not published twice; entries a dead
 * node held are claimed by the others after {@link #CLAIM_IDLE_MS}; entries added while every node
 * was down wait in the stream. Invalid entries go to {@code {prefix}:inbox:rejected} with the
 * reason: the data follows the {@link InboundJson} rules and {@code limits.maxBodyBytes}, and each
 * of the two fields appears once.
 */
public final class RedisInbox {
  private static final Logger log = LoggerFactory.getLogger(RedisInbox.class);
  static final String GROUP = "switchboard";
  private static final int BATCH = 100;
  private static final long BLOCK_MS = 1_000;
  private static final long CLAIM_IDLE_MS = 30_000;
  private static final long CLAIM_EVERY_MS = 10_000;
  private static final long RETRY_MS = 1_000;
  private static final int REJECTED_KEPT = 1_000;

  private final Vertx vertx;
  private final RedisBroker broker;
  private final Publisher publisher;
  private final SwitchboardMetrics metrics;
  private final int maxDataBytes;
  private final String consumer;
  private final String inbox;
  private Context context;
  private RedisConnection connection;
  /** Read this consumer's own unacked entries before new ones (after a start or a failure). */
  private boolean pendingFirst = true;

  private long lastClaimAt;
  private boolean closed;

  /** @param maxDataBytes {@code limits.maxBodyBytes}: an entry's data is a publish's body */
  public RedisInbox(
      Vertx vertx,
      RedisBroker broker,
      Publisher publisher,
      SwitchboardMetrics metrics,
      int maxDataBytes,
      String nodeId) {
    this.vertx = vertx;
    this.broker = broker;
    this.publisher = publisher;
    this.metrics = metrics;
    this.maxDataBytes = maxDataBytes;
    this.consumer = nodeId;
    this.inbox = broker.keys().inbox();
  }

  public void start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> next());
  }

  public Future<Void> close() {
    closed = true;
    RedisConnection current = connection;
    connection = null;
    return current == null ? Future.succeededFuture() : current.close().otherwiseEmpty();
  }

  /** One read-publish-ack round, then the next; a failure waits and starts over. */
  private void next() {
    if (closed) {
      return;
    }
    connection()
        .compose(this::read)
        .compose(this::publishInOrder)
        .onSuccess(v -> context.runOnContext(x -> next()))
        .onFailure(err -> {
          pendingFirst = true;
          if (!broker.reachable()) {
            // the pub/sub link already says Redis is down; no need to repeat it per retry
            log.atDebug().log("inbox waits for Redis: {}", err.toString());
          } else {
            log.atWarn().log("inbox read failed, retrying: {}", err.toString());
          }
          RedisConnection failed = connection;
          connection = null;
          if (failed != null) {
            failed.close();
          }
          vertx.setTimer(RETRY_MS, id -> next());
        });
  }

  private Future<RedisConnection> connection() {
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    return broker.dedicatedConnection().compose(conn -> {
      connection = conn;
      // MKSTREAM and id 0: entries added before any node ever ran are consumed too
      return conn.send(Request.cmd(Command.XGROUP)
              .arg("CREATE")
              .arg(inbox)
              .arg(GROUP)
              .arg("0")
              .arg("MKSTREAM"))
          .recover(err -> String.valueOf(err.getMessage()).startsWith("BUSYGROUP")
              ? Future.succeededFuture()
              : Future.failedFuture(err))
          .map(conn);
    });
  }

  private Future<List<Response>> read(RedisConnection conn) {
    long now = System.currentTimeMillis();
    if (now - lastClaimAt >= CLAIM_EVERY_MS) {
      lastClaimAt = now;
      return conn.send(Request.cmd(Command.XAUTOCLAIM)
              .arg(inbox)
              .arg(GROUP)
              .arg(consumer)
              .arg(CLAIM_IDLE_MS)
              .arg("0-0")
              .arg("COUNT")
              .arg(BATCH))
          .map(reply -> entries(reply.get(1)));
    }
    Request request = Request.cmd(Command.XREADGROUP)
        .arg("GROUP")
        .arg(GROUP)
        .arg(consumer)
        .arg("COUNT")
        .arg(BATCH);
    if (!pendingFirst) {
      request.arg("BLOCK").arg(BLOCK_MS);
    }
    request.arg("STREAMS").arg(inbox).arg(pendingFirst ? "0" : ">");
    return conn.send(request).map(reply -> {
      List<Response> entries = reply == null ? List.of() : streamEntries(reply);
      if (pendingFirst && entries.isEmpty()) {
        pendingFirst = false;
      }
      return entries;
    });
  }

  /** XREADGROUP answers per stream (a map in RESP3, pairs in RESP2); we read one. */
  private List<Response> streamEntries(Response reply) {
    if (reply.isMap()) {
      Response stream = reply.get(inbox);
      return stream == null ? List.of() : entries(stream);
    }
    return reply.size() == 0 ? List.of() : entries(reply.get(0).get(1));
  }

  private static List<Response> entries(Response list) {
    List<Response> entries = new ArrayList<>();
    if (list != null) {
      for (Response entry : list) {
        // a claimed entry deleted meanwhile comes back without fields
        if (entry != null && entry.size() == 2 && entry.get(1) != null) {
          entries.add(entry);
        }
      }
    }
    return entries;
  }

  /** Sequentially, so entries for one channel are published in stream order by this node. */
  private Future<Void> publishInOrder(List<Response> entries) {
    Future<Void> chain = Future.succeededFuture();
    for (Response entry : entries) {
      chain = chain.compose(v -> publish(entry));
    }
    return chain;
  }

  private Future<Void> publish(Response entry) {
    String id = entry.get(0).toString();
    Response fields = entry.get(1);
    Response channel = null;
    Response data = null;
    Future<?> published;
    try {
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String name = fields.get(i).toString();
        Response value = fields.get(i + 1);
        if (name.equals("channel") || name.equals("data")) {
          // as with duplicate JSON keys, a reader that keeps the first would see another entry
          if ((name.equals("channel") ? channel : data) != null) {
            throw new SwitchboardException(
                ErrorCode.BAD_REQUEST,
                "an inbox entry has one field " + name + ", this one has several");
          }
          if (name.equals("channel")) {
            channel = value;
          } else {
            data = value;
          }
        }
      }
      if (channel == null || data == null) {
        throw new SwitchboardException(
            ErrorCode.BAD_REQUEST, "an inbox entry needs the fields channel and data");
      }
      // whoever may write to Redis is the server: the inbox creates channels freely
      published = publisher.publish(
          Principal.SERVER,
          channel.toString(),
          InboundJson.decode(data.toBuffer(), "data", maxDataBytes),
          PublishSource.INBOX,
          "inbox-" + id,
          ChannelCreations.UNLIMITED);
    } catch (SwitchboardException e) {
      published = Future.failedFuture(e);
    }
    Buffer entryChannel = channel == null ? null : channel.toBuffer();
    Buffer entryData = data == null ? null : data.toBuffer();
    return published.transform(ar -> {
      if (ar.succeeded()) {
        return done(id);
      }
      SwitchboardException error = SwitchboardException.from(ar.cause(), "inbox entry " + id);
      if (error.code() == ErrorCode.UNAVAILABLE) {
        // not published: keep the entry pending, retried after the pause
        return Future.failedFuture(error);
      }
      metrics.error("inbox", error.code());
      log.atWarn()
          .addKeyValue("entry", id)
          .addKeyValue("code", error.code().wireName())
          .log("inbox entry rejected: {}", error.getMessage());
      // the fields as they came (not as text: they may not be UTF-8), for the sender to look at
      return connection
          .send(Request.cmd(Command.XADD)
              .arg(broker.keys().inboxRejected())
              .arg("MAXLEN")
              .arg("~")
              .arg(REJECTED_KEPT)
              .arg("*")
              .arg("entry")
              .arg(id)
              .arg("channel")
              .arg(orNull(entryChannel))
              .arg("data")
              .arg(orNull(entryData))
              .arg("code")
              .arg(error.code().wireName())
              .arg("message")
              .arg(error.getMessage()))
          .compose(v -> done(id));
    });
  }

  private static Buffer orNull(Buffer field) {
    return field == null ? Buffer.buffer("null") : field;
  }

  private Future<Void> done(String id) {
    return connection
        .batch(List.of(
            Request.cmd(Command.XACK).arg(inbox).arg(GROUP).arg(id),
            Request.cmd(Command.XDEL).arg(inbox).arg(id)))
        .mapEmpty();
  }
}
