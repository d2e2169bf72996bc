package io.switchboard.fuzz;

import io.switchboard.testing.Await;
import io.switchboard.testing.RejectedInbox;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hostile entries in the Redis inbox ({@code {prefix}:inbox}): mutated data, channels that are
 * not UTF-8 or not names, fields missing, repeated or extra, data around the size limit. Each
 * entry must be either published or set aside in {@code {prefix}:inbox:rejected} with a protocol
 * code (README "Publishing from a service that has only a Redis client").
 */
final class InboxFuzz {
  /** Under the ~1000 entries the rejected stream keeps, so every refusal can be read back. */
  static final int MAX_CASES = 900;

  private final Redis redis;
  private final String prefix;
  private final FuzzRun run;
  private final Map<String, Integer> caseOfEntry = new HashMap<>();
  private final Map<String, List<Object>> fieldsOfEntry = new HashMap<>();
  private int rejected;

  InboxFuzz(Redis redis, String prefix, FuzzRun run) {
    this.redis = redis;
    this.prefix = prefix;
    this.run = run;
  }

  /** Adds the entries; they are consumed while the other entry points are fuzzed. */
  void add(int count) {
    if (count > MAX_CASES) {
      throw new IllegalArgumentException("at most " + MAX_CASES + " inbox cases");
    }
    Mutator m = run.mutator("inbox");
    List<List<Object>> entries = new ArrayList<>();
    List<Request> adds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<Object> fields = fields(m);
      Request xadd = Request.cmd(Command.XADD).arg(prefix + ":inbox").arg("*");
      for (Object field : fields) {
        if (field instanceof Buffer bytes) {
          xadd.arg(bytes);
        } else {
          xadd.arg((String) field);
        }
      }
      entries.add(fields);
      adds.add(xadd);
    }
    List<Response> ids = Await.result(redis.batch(adds));
    for (int i = 0; i < count; i++) {
      caseOfEntry.put(ids.get(i).toString(), i);
      fieldsOfEntry.put(ids.get(i).toString(), entries.get(i));
    }
  }

  private static List<Object> fields(Mutator m) {
    Object channel = m.chance(70)
        ? m.pick(HttpFuzz.CHANNELS)
        : m.chance(50)
            ? m.mutateBytes(Mutator.utf8(m.pick(HttpFuzz.CHANNELS)))
            : HttpFuzz.queryValue(m);
    Object data = m.chance(5)
        ? Mutator.utf8(
            "\"" + "x".repeat(HostileInputFuzzTest.MAX_BODY_BYTES - 2 + m.pick(List.of(-1, 0, 1)))
                + "\"")
        : m.variant(value -> value);
    List<Object> fields = new ArrayList<>(List.of("channel", channel, "data", data));
    switch (m.below(10)) {
      case 0:
        fields.addAll(List.of("channel", m.pick(HttpFuzz.CHANNELS)));
        break;
      case 1:
        fields.addAll(List.of("data", "1"));
        break;
      case 2:
        return List.of("data", data);
      case 3:
        return List.of("channel", channel);
      case 4:
        fields.addAll(List.of("extra", m.value()));
        break;
      default:
        break;
    }
    return fields;
  }

  /**
   * Waits until the node consumed every entry, then checks each one's fate. An entry still in the
   * inbox after {@code timeout} is a failure naming its case, not a hang.
   */
  void check(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inboxLength() > 0 && System.nanoTime() < deadline) {
      pause();
    }
    Response left = Await.result(
        redis.send(Request.cmd(Command.XRANGE).arg(prefix + ":inbox").arg("-").arg("+")));
    for (Response entry : left) {
      String id = entry.get(0).toString();
      run.fail(
          "redis inbox",
          caseOfEntry.getOrDefault(id, -1),
          fieldsOfEntry.get(id),
          "not consumed within " + timeout + " (entry " + id + " still in the inbox)");
    }
    Map<String, String> codes = RejectedInbox.codes(redis, prefix);
    for (Map.Entry<String, Integer> entry : caseOfEntry.entrySet()) {
      run.counted("redis inbox");
      String code = codes.get(entry.getKey());
      if (code != null) {
        rejected++;
        run.check(
            FuzzRun.isClientCode(code),
            "redis inbox",
            entry.getValue(),
            fieldsOfEntry.get(entry.getKey()),
            () -> "set aside with code " + code);
      }
    }
    // the inputs are not needed any more, and the heap is measured next
    caseOfEntry.clear();
    fieldsOfEntry.clear();
  }

  private long inboxLength() {
    return Await.result(redis.send(Request.cmd(Command.XLEN).arg(prefix + ":inbox")))
        .toLong();
  }

  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** How many entries were set aside (the others were published); after {@link #check}. */
  int rejected() {
    return rejected;
  }
}
