package io.switchboard.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.switchboard.metrics.PrometheusText;
import io.switchboard.testing.Await;
import io.switchboard.testing.RedisServerExtension;
import io.switchboard.testing.TestNode;
import io.switchboard.testing.WsClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.redis.client.Redis;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Seeded fuzzing of every entry point with hostile input (README "Inbound JSON" and "Limits"):
 * HTTP publish, batch, disconnect, drain, history and presence paths and queries, SSE queries and
 * headers, raw HTTP, WebSocket frames, the event bus and the Redis inbox. Every case must get a
 * protocol answer (a 2xx, or a 4xx with a JSON protocol code; an error frame with a protocol
 * code; a documented close code; a recipient failure with a protocol code; an inbox entry
 * published or set aside with a protocol code), never internal. Afterwards the node must be
 * healthy and ready, serve a normal client, have counted no internal error and logged no ERROR,
 * hold no connection of the fuzz, and its heap after a GC must be within {@link #HEAP_GROWTH_MB}
 * of what it was before.
 *
 * <p>The seed is fixed ({@link #DEFAULT_SEED}) so a run is reproducible; {@code -Dfuzz.seed=N}
 * tries another, and every failure message starts with the seed. {@code -Dfuzz.scale=N}
 * multiplies the number of cases.
 *
 * <p>A case that gets no answer at all (neither a reply nor a close) within {@link
 * FuzzRun#ANSWER_MS} ({@code -Dfuzz.caseDeadlineMs=N}, 15 s), or is stuck anywhere else past its
 * deadline ({@link FuzzRun#CASE_DEADLINE_MS}), is a failure naming it and the step it was stuck
 * at, and the run goes on; the 3-minute wait for the whole run is a last resort, and lists the
 * cases still in flight if it fires.
 */
class HostileInputFuzzTest {
  static final long DEFAULT_SEED = 20261202L;
  static final int MAX_BODY_BYTES = 16_384;
  static final int MAX_FRAME_BYTES = 8_192;
  /**
   * Used heap after a full GC may grow this much over the run. Measured: about 4 MiB at the
   * default scale and at five times it (35,000 cases), what the JIT and Vert.x's pools keep once;
   * a node that kept 3 KB per case would grow by more than this.
   */
  static final long HEAP_GROWTH_MB = 24;

  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Test
  void everyEntryPointAnswersHostileInputWithAProtocolError() {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    int scale = Integer.getInteger("fuzz.scale", 1);
    Vertx vertx = Vertx.vertx();
    FuzzRun run = new FuzzRun(seed, vertx);
    TestNode node = TestNode.start(vertx, nodeConfig());
    Redis redisClient = Redis.createClient(vertx, redis.url());
    HttpClient http = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(8));
    NetClient raw = vertx.createNetClient();
    ErrorLog errors = ErrorLog.attach();
    try {
      normalClientIsServed(node, "fz-before");
      long heapBefore = usedHeapAfterGc();
      long started = System.nanoTime();
      InboxFuzz inbox = new InboxFuzz(redisClient, "fuzz", run);
      fuzz(run, scale, vertx, node, new HttpFuzz(vertx, node.port(), run, http, raw), inbox);
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;

      assertTrue(run.failures().isEmpty(), run::report);
      String summary = "fuzz seed " + seed + ": " + run.total() + " cases in " + elapsedMs + " ms: "
          + run.counts() + "; slowest case per entry point (ms): " + run.slowest();
      assertHealthy(node, seed);
      normalClientIsServed(node, "fz-after");
      assertNoInternalErrors(node, seed);
      assertEquals(
          0, errors.events().size(), "seed " + seed + ": ERROR logged: " + errors.events());
      assertInboxAccounted(node, inbox, seed);
      assertOnlyTheNormalClientsConnectionsRemain(node, seed);
      long heapAfter = usedHeapAfterGc();
      long growthMb = (heapAfter - heapBefore) >> 20;
      System.out.println(summary + "; used heap after GC " + (heapBefore >> 20) + " MiB before, "
          + (heapAfter >> 20) + " MiB after");
      assertTrue(
          growthMb < HEAP_GROWTH_MB,
          "seed " + seed + ": heap grew " + growthMb + " MiB (" + (heapBefore >> 20) + " -> "
              + (heapAfter >> 20) + ")");
    } finally {
      errors.detach();
      raw.close();
      http.close();
      redisClient.close();
      node.close();
      Await.result(vertx.close());
    }
  }

  /** Runs every entry point's cases; they are garbage once it returns, before the heap is read. */
  private static void fuzz(
      FuzzRun run, int scale, Vertx vertx, TestNode node, HttpFuzz http, InboxFuzz inbox) {
    WsFuzz ws = new WsFuzz(vertx, node.port(), run);
    inbox.add(InboxFuzz.MAX_CASES);
    List<FuzzRun.Task> httpCases = new ArrayList<>();
    httpCases.addAll(http.publishes(1500 * scale));
    httpCases.addAll(http.batches(400 * scale));
    httpCases.addAll(http.disconnects(300 * scale));
    httpCases.addAll(http.drains(200 * scale));
    httpCases.addAll(http.channelReads(600 * scale));
    httpCases.addAll(http.sse(300 * scale));
    httpCases.addAll(http.raw(150 * scale));
    Collections.shuffle(httpCases, new Random(run.seed));
    List<WsFuzz.Case> wsCases = ws.cases(2400 * scale);
    List<FuzzRun.Task> busCases = new BusFuzz(vertx, run).cases(1000 * scale);
    int cases = httpCases.size() + busCases.size() + wsCases.size();
    List<Future<?>> all = new ArrayList<>();
    all.add(run.inParallel(httpCases, 8));
    all.add(run.inParallel(busCases, 16));
    int lanes = 4;
    for (int lane = 0; lane < lanes; lane++) {
      all.add(ws.lane(
          wsCases.subList(lane * wsCases.size() / lanes, (lane + 1) * wsCases.size() / lanes)));
    }
    try {
      // every case has its own deadline (FuzzRun.guard): this is the last resort
      Await.result(
          Future.join(all), Duration.ofSeconds(Long.getLong("fuzz.lastResortSeconds", 180)));
    } catch (AssertionError e) {
      // slow (cases still finishing, none past its deadline) or stuck (cases in flight)?
      throw new AssertionError(
          "seed " + run.seed + ": the fuzz did not finish: " + e.getMessage() + "; "
              + run.total() + " of " + cases + " cases done, slowest per entry point (ms) "
              + run.slowest() + "; " + run.inFlight() + "\n" + run.report(),
          e);
    }
    inbox.check(Duration.ofSeconds(60));
    Await.result(ws.close());
  }

  private JsonObject nodeConfig() {
    // data of any depth up to the limit is walked by a recursive schema, with a pattern to run
    JsonObject tree = new JsonObject("{\"$ref\":\"#/$defs/n\",\"$defs\":{\"n\":{\"anyOf\":["
        + "{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/n\"},\"maxItems\":100},"
        + "{\"type\":\"object\",\"additionalProperties\":{\"$ref\":\"#/$defs/n\"}},"
        + "{\"type\":\"string\",\"pattern\":\"^[a-z]*$\",\"maxLength\":1000},"
        + "{\"type\":\"number\"}]}}}");
    return redis
        .brokerConfig("fuzz")
        // the API needs this key, which drain requests never carry: the node must not drain
        .put("auth", new JsonObject().put("apiKeys", new JsonArray().add(HttpFuzz.API_KEY)))
        .put(
            "limits",
            new JsonObject()
                .put("maxBodyBytes", MAX_BODY_BYTES)
                .put("maxFrameBytes", MAX_FRAME_BYTES)
                // the lanes send frames as fast as they are answered
                .put("messagesPerSecond", 1_000_000)
                .put("messagesBurst", 1_000_000))
        .put(
            "namespaces",
            new JsonObject()
                .put("user", new JsonObject())
                .put("tree", new JsonObject().put("schema", tree)));
  }

  private static MultiMap apiKey() {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "ApiKey " + HttpFuzz.API_KEY);
  }

  /** A normal client subscribes and gets what the API publishes. */
  private static void normalClientIsServed(TestNode node, String channel) {
    WsClient ws = node.ws();
    assertEquals("ack", ws.subscribe(channel).getString("type"));
    TestNode.Reply reply = node.exchange(
        node.port(),
        HttpMethod.POST,
        "/api/publish",
        new JsonObject()
            .put("channel", channel)
            .put("data", new JsonObject().put("ok", true))
            .encode(),
        apiKey());
    assertEquals(200, reply.status(), reply.body());
    assertEquals(reply.json().getString("offset"), ws.nextMessage(channel).getString("offset"));
  }

  private static void assertHealthy(TestNode node, long seed) {
    assertEquals(200, node.get("/health").status(), "seed " + seed + ": /health");
    TestNode.Reply ready = node.get("/ready");
    assertEquals(200, ready.status(), "seed " + seed + ": /ready " + ready.body());
  }

  private static PrometheusText scrape(TestNode node) {
    return new PrometheusText(node.get("/metrics").body());
  }

  private static void assertNoInternalErrors(TestNode node, long seed) {
    Map<String, Double> errors = scrape(node).matching("switchboard_errors_total");
    errors.forEach((series, count) -> assertTrue(
        !series.contains("code=\"internal\"") || count == 0,
        "seed " + seed + ": " + series + " " + count));
    assertTrue(
        errors.keySet().stream().anyMatch(s -> s.contains("code=\"bad_request\"")),
        "errors are counted at all: " + errors);
  }

  private static void assertInboxAccounted(TestNode node, InboxFuzz inbox, long seed) {
    double published = scrape(node).value("switchboard_messages_published_total{path=\"inbox\"}");
    assertEquals(
        InboxFuzz.MAX_CASES - inbox.rejected(),
        (int) published,
        "seed " + seed + ": every inbox entry was published or set aside");
  }

  /** The fuzz's connections are gone (the normal clients' are counted by TestNode). */
  private static void assertOnlyTheNormalClientsConnectionsRemain(TestNode node, long seed) {
    Await.until(
        () -> {
          PrometheusText metrics = scrape(node);
          return metrics.value("switchboard_connections{transport=\"ws\"}") == 2
              && metrics.value("switchboard_connections{transport=\"sse\"}") == 0;
        },
        Duration.ofSeconds(10),
        "seed " + seed + ": only the two normal clients are connected");
  }

  /**
   * Used heap after a full collection: System.gc() twice (G1 honours it unless the JVM runs with
   * -XX:+DisableExplicitGC), so what is left is what something still holds.
   */
  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** ERROR events of any logger during the run; io.switchboard's DEBUG lines are muted then. */
  private static final class ErrorLog extends AppenderBase<ILoggingEvent> {
    private final List<String> events = new CopyOnWriteArrayList<>();
    private Level switchboardLevel;

    static ErrorLog attach() {
      ErrorLog log = new ErrorLog();
      log.start();
      root().addAppender(log);
      Logger switchboard = (Logger) LoggerFactory.getLogger("io.switchboard");
      log.switchboardLevel = switchboard.getLevel();
      // a line per connection and per refused inbox entry would cost more than the fuzz
      switchboard.setLevel(Level.ERROR);
      return log;
    }

    void detach() {
      root().detachAppender(this);
      ((Logger) LoggerFactory.getLogger("io.switchboard")).setLevel(switchboardLevel);
    }

    private static Logger root() {
      return (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    }

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.ERROR) && events.size() < 20) {
        events.add(event.getLoggerName() + ": " + event.getFormattedMessage()
            + (event.getThrowableProxy() == null
                ? ""
                : " " + event.getThrowableProxy().getClassName() + ": "
                    + event.getThrowableProxy().getMessage()));
      }
    }

    List<String> events() {
      return events;
    }
  }
}
