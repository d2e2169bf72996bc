package io.switchboard.fuzz;

import io.switchboard.protocol.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hostile requests to {@code switchboard.publish}: JSON text as a String or as bytes, JsonObjects
 * holding what JSON cannot say (NaN, deep nesting, lone surrogates, huge numbers), and bodies of
 * other types. A refusal must be a recipient failure whose message is a protocol code and whose
 * failure code is that code's HTTP status.
 */
final class BusFuzz {
  private final Vertx vertx;
  private final FuzzRun run;

  BusFuzz(Vertx vertx, FuzzRun run) {
    this.vertx = vertx;
    this.run = run;
  }

  List<FuzzRun.Task> cases(int count) {
    Mutator m = run.mutator("bus");
    List<FuzzRun.Task> tasks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String channel = m.channelJson(m.pick(HttpFuzz.CHANNELS));
      Buffer text = m.variant(data -> "{\"channel\":" + channel + ",\"data\":" + data + "}");
      Object body;
      switch (m.below(6)) {
        case 0:
        case 1:
          body = FuzzRun.utf8(text);
          break;
        case 2:
          body = text;
          break;
        case 3:
        case 4:
          body =
              new JsonObject().put("channel", m.pick(HttpFuzz.CHANNELS)).put("data", javaValue(m));
          break;
        default:
          body = m.pick(Arrays.asList(
              null,
              42,
              true,
              new JsonArray().add(1),
              new byte[] {1, 2},
              "",
              Buffer.buffer(),
              new JsonObject()));
      }
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(FuzzRun.ANSWER_MS);
      if (m.chance(15)) {
        options.addHeader("Idempotency-Key", HttpFuzz.headerValue(m));
      }
      int index = i;
      tasks.add(new FuzzRun.Task("bus", index, body, trace -> {
        trace.at("the reply");
        return vertx
            .eventBus()
            .request("switchboard.publish", body, options)
            .map(reply -> {
              run.counted("bus");
              run.check(
                  reply.body() instanceof JsonObject json && json.getString("offset") != null,
                  "bus",
                  index,
                  body,
                  () -> "replied " + reply.body());
              return null;
            })
            .otherwise(err -> {
              run.counted("bus");
              run.check(isProtocolFailure(err), "bus", index, body, () -> "failed " + err);
              return null;
            });
      }));
    }
    return tasks;
  }

  private static boolean isProtocolFailure(Throwable err) {
    if (!(err instanceof ReplyException reply)
        || reply.failureType() != ReplyFailure.RECIPIENT_FAILURE
        || !FuzzRun.isClientCode(reply.getMessage())) {
      return false;
    }
    return Arrays.stream(ErrorCode.values())
        .anyMatch(code ->
            code.wireName().equals(reply.getMessage()) && code.httpStatus() == reply.failureCode());
  }

  /** A value a Java sender could put in a JsonObject; many have no JSON form. */
  private static Object javaValue(Mutator m) {
    switch (m.below(9)) {
      case 0:
        return nested(m.pick(List.of(10, 62, 63, 64, 65, 500, 1200)));
      case 1:
        return m.pick(List.of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            -0.0,
            Double.MIN_VALUE,
            Double.MAX_VALUE));
      case 2:
        return new BigInteger("9".repeat(50 + m.below(100)));
      case 3:
        return new BigDecimal("1e" + (m.below(2000) - 1000));
      case 4:
        return m.pick(List.of("\ud800", "a\udc00", "\u0000", "\ud83d\ude00", "\uffff"));
      case 5:
        return new JsonObject().put("text", "x".repeat(m.below(3) * 20_000));
      case 6:
        return new JsonArray().add(Double.NaN).add(new JsonObject().putNull("k"));
      case 7:
        return new byte[] {(byte) m.below(256)};
      default:
        return new JsonObject().put("text", "hi");
    }
  }

  private static Object nested(int depth) {
    Object value = 1;
    for (int i = 1; i < depth; i++) {
      value = new JsonArray().add(value);
    }
    return value;
  }
}
