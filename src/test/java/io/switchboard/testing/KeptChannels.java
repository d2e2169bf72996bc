package io.switchboard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.broker.StreamPosition;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Channels an ordinary client follows through a flood: a subscriber of each, and a known history
 * ({@code {"m": 0}} to {@code {"m": messages - 1}}, published in one batch) that a resume from the
 * first message must bring back whole, or declare lost.
 */
public final class KeptChannels {
  private final List<String> names = new ArrayList<>();
  private final List<String> firstOffsets = new ArrayList<>();
  private final int messages;
  private final WsClient keeper;

  private KeptChannels(WsClient keeper, int messages) {
    this.keeper = keeper;
    this.messages = messages;
  }

  /** Subscribes a client to {@code prefix-0..channels-1}, then publishes their history. */
  public static KeptChannels publish(
      Vertx vertx, NodeProcess node, String prefix, int channels, int messages) {
    KeptChannels kept = new KeptChannels(WsClient.welcomed(vertx, node.port()), messages);
    for (int k = 0; k < channels; k++) {
      kept.names.add(prefix + "-" + k);
      kept.keeper.subscribe(prefix + "-" + k);
    }
    JsonArray batch = new JsonArray();
    for (int m = 0; m < messages; m++) {
      for (String name : kept.names) {
        batch.add(new JsonObject().put("channel", name).put("data", new JsonObject().put("m", m)));
      }
    }
    var reply = node.post("/api/batch", new JsonObject().put("messages", batch).encode());
    assertEquals(200, reply.statusCode(), reply.body());
    JsonArray results = new JsonObject(reply.body()).getJsonArray("results");
    for (int k = 0; k < channels; k++) {
      kept.firstOffsets.add(results.getJsonObject(k).getString("offset"));
    }
    return kept;
  }

  /** The subscriber, which received every message live. */
  public WsClient keeper() {
    return keeper;
  }

  public List<String> names() {
    return List.copyOf(names);
  }

  /** Messages the subscriber received live, over all the channels. */
  public long receivedLive() {
    return keeper.received().stream()
        .filter(f -> "message".equals(f.getString("type")))
        .count();
  }

  /**
   * Resumes every channel from its first message on a new connection and returns how many were
   * recovered. An honest answer either recovers ({@code recovered:true}, then exactly the other
   * messages, in order) or says it cannot ({@code recovered:false}, then nothing old); anything
   * else fails.
   */
  public int resumeAll(Vertx vertx, int port) {
    WsClient resumer = WsClient.welcomed(vertx, port);
    int recovered = 0;
    for (int k = 0; k < names.size(); k++) {
      String name = names.get(k);
      JsonObject ack = resumer.subscribe(name, firstOffsets.get(k));
      assertEquals("ack", ack.getString("type"), ack.encode());
      if (Boolean.TRUE.equals(ack.getBoolean("recovered"))) {
        recovered++;
        for (int m = 1; m < messages; m++) {
          assertEquals(m, resumer.nextMessage(name).getJsonObject("data").getInteger("m"));
        }
      } else {
        assertEquals(Boolean.FALSE, ack.getBoolean("recovered"), ack.encode());
      }
    }
    resumer.expectNo("message");
    resumer.close();
    return recovered;
  }

  /**
   * Publishes one more message to every channel and checks what the subscriber got live: each
   * message once, offsets increasing by one within an epoch, and a new epoch (the broker lost the
   * channel meanwhile) only right after a {@code gap} frame: never a silent hole, never a
   * duplicate. Returns how many times a channel moved to a new epoch.
   */
  public int publishOnceMoreAndCheckLive(NodeProcess node) {
    for (String name : names) {
      var reply = node.post(
          "/api/publish",
          new JsonObject()
              .put("channel", name)
              .put("data", new JsonObject().put("m", messages))
              .encode());
      assertEquals(200, reply.statusCode(), reply.body());
    }
    int epochChanges = 0;
    for (String name : names) {
      keeper.next(
          f -> "message".equals(f.getString("type"))
              && name.equals(f.getString("channel"))
              && f.getJsonObject("data").getInteger("m") == messages,
          "the last message on " + name);
      StreamPosition last = null;
      boolean gapBefore = false;
      for (JsonObject frame : keeper.received()) {
        if (!name.equals(frame.getString("channel"))) {
          continue;
        }
        if ("gap".equals(frame.getString("type"))) {
          gapBefore = true;
          continue;
        }
        if (!"message".equals(frame.getString("type"))) {
          continue;
        }
        StreamPosition position = StreamPosition.parse(frame.getString("offset"));
        if (last != null && !position.sameEpoch(last)) {
          assertTrue(gapBefore, name + ": a new epoch without a gap: " + keeper.received());
          epochChanges++;
        } else if (last != null) {
          assertEquals(last.offset() + 1, position.offset(), name + ": " + keeper.received());
        }
        last = position;
        gapBefore = false;
      }
    }
    return epochChanges;
  }

  public void close() {
    keeper.close();
  }
}
