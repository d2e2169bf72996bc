package io.switchboard.bench;

import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The Switchboard load generator. Each scenario runs against a freshly started Switchboard, with
 * --compare-jar against a Switchboard from that jar, with --cluster against a freshly started
 * two-node cluster (see {@link Deployment}), and then against {@link BaselineServer}, one target
 * at a time on core 0 while the bench runs on core 1, so the report can state Switchboard as a
 * ratio of the bare-Vert.x floor, of the other jar, and the cluster as a ratio of the single
 * node. Scenarios that compare transports (connect, light) run WebSocket and SSE on the same
 * server, one after the other: columns {@code switchboard} and {@code switchboard-sse}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Load-tests Switchboard against a bare Vert.x broadcast baseline.")
public final class Bench implements Callable<Integer> {
  /** WebSocket, then SSE: the transports of connect and light. */
  private static final List<Boolean> BOTH_TRANSPORTS = List.of(false, true);

  @Mixin
  BenchOptions options;

  @Spec
  CommandSpec spec;

  private Vertx vertx;
  private long deadlineNanos;
  private final Report report = new Report();

  /** One measurement against one endpoint, over WebSocket or ({@code sse}) SSE subscribers. */
  @FunctionalInterface
  private interface Load {
    JsonObject run(Endpoint endpoint, boolean sse) throws Exception;
  }

  public static void main(String[] args) {
    quietLogging();
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  /**
   * The jar's logback configuration is the server's; in the bench, Netty's and Vert.x's DEBUG/INFO
   * lines would bury the report, so only warnings are printed (-Dbench.log=DEBUG for more).
   */
  private static void quietLogging() {
    if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)
        instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(Level.toLevel(System.getProperty("bench.log"), Level.WARN));
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.budgetSeconds);
    vertx = Vertx.vertx(
        new VertxOptions().setEventLoopPoolSize(options.eventLoops).setPreferNativeTransport(true));
    try {
      switch (options.mode) {
        case idle -> idle();
        case fanout -> options.subscribers.forEach(this::fanout);
        case rooms -> rooms();
        case saturation -> saturation(options.subscribers.get(0));
        case hooks -> hooks();
        case connect -> connect();
        case light -> light();
        case storm -> storm();
        case baseline -> {
          idle();
          options.subscribers.forEach(this::fanout);
        }
        case all -> {
          idle();
          options.subscribers.forEach(this::fanout);
          rooms();
          saturation(options.subscribers.get(0));
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    }
    report.print(System.out, options);
    return report.failed() ? 1 : 0;
  }

  /** Rejects values that would make a run meaningless, with the option's name. */
  private void validate() {
    List<String> problems = new ArrayList<>();
    if (options.connections < 1) {
      problems.add("--connections must be >= 1");
    }
    if (options.subscribers.isEmpty() || options.subscribers.stream().anyMatch(n -> n < 1)) {
      problems.add("--subscribers must list counts >= 1");
    }
    if (options.rate != null && options.rate <= 0) {
      problems.add("--rate must be > 0");
    }
    if (options.channels < 1 || options.perChannel < 1) {
      problems.add("--channels and --per-channel must be >= 1");
    }
    if (options.localAddresses < 1 || options.localAddresses > 254) {
      problems.add("--local-addresses must be 1..254");
    }
    if (options.handshakes < 1 || options.publishInFlight < 1 || options.eventLoops < 1) {
      problems.add("--handshakes, --publish-in-flight and --event-loops must be >= 1");
    }
    if (options.durationSeconds < 1 || options.stepSeconds < 1 || options.stepFactor <= 1) {
      problems.add("--duration and --step-duration must be >= 1, --step-factor > 1");
    }
    if (options.cluster && (options.mode == BenchOptions.Mode.baseline || options.baselineOnly)) {
      problems.add("--cluster runs Switchboard nodes: not with baseline mode or --baseline-only");
    }
    if (options.mode == BenchOptions.Mode.hooks
        && (options.url != null || options.cluster || options.baselineOnly)) {
      problems.add(
          "hooks starts its own three nodes: not with --url, --cluster or --baseline-only");
    }
    if (!options.transport.equals("ws") && !options.transport.equals("sse")) {
      problems.add("--transport must be ws or sse");
    }
    if (options.connects < 1 || options.lightDeliveries <= 0 || options.lightP99Rate < 0) {
      problems.add("--connects and --light-deliveries must be >= 1, --light-p99-rate >= 0");
    }
    if (!options.stormCut.equals("client") && !options.stormCut.equals("drain")) {
      problems.add("--storm-cut must be client or drain");
    }
    if (options.stormCut.equals("drain") && !options.cluster) {
      problems.add("--storm-cut drain needs --cluster: the clients move to the other node");
    }
    if (options.stormRate <= 0 || options.stormTimeoutSeconds < 1) {
      problems.add("--storm-rate and --storm-timeout must be > 0");
    }
    if (options.compareJar != null && !Files.isRegularFile(Path.of(options.compareJar))) {
      problems.add("--compare-jar " + options.compareJar + " does not exist");
    }
    if (options.compareJar != null
        && (options.mode == BenchOptions.Mode.baseline || options.baselineOnly)) {
      problems.add("--compare-jar runs Switchboard: not with baseline mode or --baseline-only");
    }
    if (options.url != null && options.url.getHost() == null) {
      problems.add("--url needs a host, e.g. http://127.0.0.1:8080");
    }
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
    }
  }

  private void idle() {
    int n = options.connections;
    scenario(
        "idle",
        new JsonObject().put("N", n).put("transport", options.transport),
        (endpoint, sse) -> new IdleLoad(options).run(vertx, endpoint));
  }

  /** CPU per 1,000 connects, WebSocket then SSE, each on a warm server. */
  private void connect() {
    scenario(
        "connect",
        new JsonObject().put("N", options.connects).put("C", options.channels),
        BOTH_TRANSPORTS,
        (endpoint, sse) -> new ConnectLoad(options, vertx, endpoint).run(sse));
  }

  /**
   * Fixed --light-deliveries per second to each --subscribers count on one channel, WebSocket
   * then SSE, and one run at --light-p99-rate msgs/s to the first count (SSE p99 against
   * WebSocket's).
   */
  /**
   * Before light load's warm-up, publications that make the publish path hot (C2 compiles a
   * method after some 10,000 calls; light load makes 1–10 a second), on Switchboard and the
   * baseline alike; then the JIT is let finish ({@link FanoutLoad#heatPublishPath}).
   */
  private static final int LIGHT_HEAT_PUBLISHES = 60_000;

  private static final long LIGHT_HEAT_MAX_MS = 30_000;

  private void light() {
    for (int n : options.subscribers) {
      light(n, Math.max(1, Math.round(options.lightDeliveries / n)));
    }
    if (options.lightP99Rate > 0) {
      light(options.subscribers.get(0), options.lightP99Rate);
    }
  }

  private void light(int n, double rate) {
    scenario(
        "light",
        new JsonObject().put("N", n).put("R", rate).put("T", options.durationSeconds),
        BOTH_TRANSPORTS,
        (endpoint, sse) -> {
          try (FanoutLoad load = new FanoutLoad(options, vertx, endpoint, 1, n, sse)) {
            JsonObject figures = load.open();
            long opened = System.nanoTime();
            if (figures.getInteger("subscribed") == 0) {
              return figures.put("error", "no subscriber connected");
            }
            long heated = load.heatPublishPath(LIGHT_HEAT_PUBLISHES, LIGHT_HEAT_MAX_MS);
            System.err.printf(
                "bench:   heat: %d publications to a channel nobody follows%n", heated);
            warmUntilCompiled(load, endpoint, rate, opened);
            return figures.mergeIn(load.step(rate, options.durationSeconds * 1000L));
          }
        });
  }

  /** Reconnect storm over WebSocket: Switchboard targets only, the baseline keeps no history. */
  private void storm() {
    scenario(
        "storm",
        new JsonObject()
            .put("N", options.connections)
            .put("C", options.channels)
            .put("R", options.stormRate),
        List.of(false),
        (endpoint, sse) -> {
          try (StormLoad load = new StormLoad(options, vertx, endpoint)) {
            return load.run();
          }
        });
  }

  private void fanout(int n) {
    double rate = options.rateFor(n);
    scenario(
        "fanout",
        new JsonObject().put("N", n).put("R", rate).put("T", options.durationSeconds),
        (endpoint, sse) -> {
          try (FanoutLoad load = new FanoutLoad(options, vertx, endpoint, 1, n, sse)) {
            return measure(load, rate);
          }
        });
  }

  private void rooms() {
    int c = options.channels;
    int k = options.perChannel;
    double rate = options.rateFor(k);
    scenario(
        "rooms",
        new JsonObject()
            .put("N", c * k)
            .put("C", c)
            .put("K", k)
            .put("R", rate)
            .put("T", options.durationSeconds),
        (endpoint, sse) -> {
          try (FanoutLoad load = new FanoutLoad(options, vertx, endpoint, c, k, sse)) {
            return measure(load, rate);
          }
        });
  }

  private JsonObject measure(FanoutLoad load, double rate) throws Exception {
    JsonObject figures = load.open();
    if (figures.getInteger("subscribed") == 0) {
      return figures.put("error", "no subscriber connected");
    }
    warmUp(load, rate);
    return figures.mergeIn(load.step(rate, options.durationSeconds * 1000L));
  }

  /**
   * The server's first heartbeat to a connection goes out {@code heartbeat.intervalMs} (25 s by
   * default) after it opened; light load's warm-up lasts at least this long past the subscribers'
   * connecting, so that the code which sends the pings and reads the pongs is compiled before the
   * measured window rather than in it.
   */
  private static final long HEARTBEAT_COVER_MS = 30_000;

  /**
   * Warm-up steps at the measured rate until one in which the server's JIT took under 1% of a core
   * and the subscribers have been connected {@link #HEARTBEAT_COVER_MS} (warm-up stops anyway
   * {@link #LIGHT_HEAT_MAX_MS} after that): at light load, code the deliveries made hot is still
   * being compiled seconds after one warm-up step, and that compiling would be measured as the
   * load's cost.
   */
  private void warmUntilCompiled(FanoutLoad load, Endpoint endpoint, double rate, long opened)
      throws Exception {
    long covered = opened + TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_COVER_MS);
    long deadline = covered + TimeUnit.MILLISECONDS.toNanos(LIGHT_HEAT_MAX_MS);
    do {
      ServerCpu cpu = endpoint.cpu();
      warmUp(load, rate);
      JsonObject jit = cpu.stop(new JsonObject());
      boolean compiling = jit.containsKey("serverJitPct") && jit.getDouble("serverJitPct") >= 1.0;
      if (!compiling && System.nanoTime() >= covered) {
        return;
      }
      if (compiling) {
        System.err.printf(
            "bench:   the JIT took %.1f%% of a core: warming up again%n",
            jit.getDouble("serverJitPct"));
      }
    } while (options.warmupSeconds > 0 && System.nanoTime() < deadline);
  }

  /** A step whose figures are dropped: the first seconds measure the JIT, not the server. */
  private void warmUp(FanoutLoad load, double rate) throws Exception {
    if (options.warmupSeconds > 0) {
      JsonObject warm = load.step(rate, options.warmupSeconds * 1000L);
      System.err.printf(
          "bench:   warm-up: delivered %.0f/s p99 %.1f ms%n",
          warm.getDouble("deliveredPerSec"), warm.getDouble("p99Ms"));
    }
  }

  private void saturation(int n) {
    scenario(
        "saturation",
        new JsonObject().put("N", n).put("stepS", options.stepSeconds),
        (endpoint, sse) -> {
          try (FanoutLoad load = new FanoutLoad(options, vertx, endpoint, 1, n, sse)) {
            JsonObject figures = load.open();
            if (figures.getInteger("subscribed") == 0) {
              return figures.put("error", "no subscriber connected");
            }
            warmUp(load, SaturationLoad.startRate(options, n));
            return figures.mergeIn(new SaturationLoad(options, deadlineNanos).run(load, n));
          }
        });
  }

  /**
   * Client publishes through one node with no hook, a publish hook on the event bus and one over
   * HTTP, each node started on a config file the bench writes ({@link HookConfs}), as users start
   * theirs.
   */
  private void hooks() throws Exception {
    int c = options.publishInFlight;
    JsonObject params = new JsonObject().put("N", c).put("T", options.durationSeconds);
    Map<String, JsonObject> results = new LinkedHashMap<>();
    try (HookServer http = HookServer.start(vertx)) {
      for (Target target : List.of(Target.SWITCHBOARD, Target.BUS_HOOK, Target.HTTP_HOOK)) {
        if (System.nanoTime() > deadlineNanos) {
          results.put(
              target.label, new JsonObject().put("skipped", "time budget (--budget) used up"));
          continue;
        }
        System.err.printf("bench: hooks %s against %s%n", params.encode(), target.label);
        String conf = HookConfs.write(target, http.url());
        try (Deployment deployment = Deployment.start(target, options, conf);
            HookLoad load = new HookLoad(options, vertx, deployment.endpoint)) {
          OtherCpu others = OtherCpu.start(deployment.pids());
          JsonObject figures = load.open();
          if (options.warmupSeconds > 0) {
            JsonObject warm = load.step(options.warmupSeconds * 1000L);
            System.err.printf(
                "bench:   warm-up: %.0f publishes/s p99 %.1f ms%n",
                warm.getDouble("publishedPerSec"), warm.getDouble("p99Ms"));
          }
          figures.mergeIn(load.step(options.durationSeconds * 1000L));
          figures.put("otherCpuPct", others.percentOfOneCore());
          System.err.println("bench:   " + figures.encode());
          results.put(target.label, figures);
        } catch (Exception e) {
          System.err.println("bench: hooks against " + target.label + " failed: " + e);
          results.put(target.label, new JsonObject().put("error", e.toString()));
        }
      }
    }
    report.add("hooks", params, results);
  }

  /** Runs {@code load} over --transport (WebSocket by default) against each target in turn. */
  private void scenario(String name, JsonObject params, Load load) {
    scenario(name, params, List.of(options.sse()), load);
  }

  /**
   * Runs {@code load} against each target in turn, each on its own fresh server processes, once
   * per transport ({@code false}: WebSocket, {@code true}: SSE; the baseline has only WebSocket).
   */
  private void scenario(String name, JsonObject params, List<Boolean> transports, Load load) {
    Map<String, JsonObject> results = new LinkedHashMap<>();
    for (Target target : targets(name)) {
      List<Boolean> ours = target == Target.BASELINE ? List.of(false) : transports;
      if (System.nanoTime() > deadlineNanos) {
        ours.forEach(sse -> results.put(
            column(target, sse),
            new JsonObject().put("skipped", "time budget (--budget) used up")));
        continue;
      }
      try (Deployment deployment = deploy(target)) {
        for (boolean sse : ours) {
          String column = column(target, sse);
          System.err.printf("bench: %s %s against %s%n", name, params.encode(), column);
          FlightRecording recording = record(deployment);
          results.put(column, run(deployment, load, sse));
          if (recording != null) {
            Path file = recording.stop(
                Path.of(options.jfrDir, name + "-" + results.size() + "-" + column + ".jfr"));
            if (file != null) {
              results.get(column).put("jfr", file.toString());
            }
          }
          System.err.println("bench:   " + results.get(column).encode());
        }
      } catch (Exception e) {
        System.err.println("bench: " + name + " against " + target.label + " failed: " + e);
        ours.forEach(sse ->
            results.putIfAbsent(column(target, sse), new JsonObject().put("error", e.toString())));
      }
    }
    report.add(name, params, results);
  }

  /** With --jfr, a recording of the subscribers' server for one column; null without. */
  private FlightRecording record(Deployment deployment) {
    ServerProcess server = deployment.endpoint.server();
    return options.jfrDir == null || server == null || !deployment.started()
        ? null
        : FlightRecording.start(server.pid());
  }

  private JsonObject run(Deployment deployment, Load load, boolean sse) {
    try {
      OtherCpu others = OtherCpu.start(deployment.pids());
      JsonObject figures = load.run(deployment.endpoint, sse);
      deployment.addFigures(figures);
      if (deployment.started()) {
        // with --url the server under test is one of the "other" processes
        figures.put("otherCpuPct", others.percentOfOneCore());
      }
      return figures;
    } catch (Exception e) {
      return new JsonObject().put("error", e.toString());
    }
  }

  /** The report's column: the target, with {@code -sse} when its subscribers used SSE. */
  private static String column(Target target, boolean sse) {
    return sse ? target.label + "-sse" : target.label;
  }

  private Deployment deploy(Target target) throws Exception {
    if (target == Target.SWITCHBOARD && options.url != null) {
      return Deployment.given(target, options.url);
    }
    return Deployment.start(target, options);
  }

  /**
   * Switchboard, then (--compare-jar) the other jar, then (--cluster) the two-node cluster, then
   * the baseline. Idle has no cross-node traffic, so it does not run against the cluster; the
   * baseline keeps no history, so it has no storm.
   */
  private List<Target> targets(String scenario) {
    List<Target> targets = new ArrayList<>();
    // a drained single node has nowhere for its clients to go
    boolean clusterOnly = scenario.equals("storm") && options.stormCut.equals("drain");
    if (options.mode != BenchOptions.Mode.baseline && !options.baselineOnly && !clusterOnly) {
      targets.add(Target.SWITCHBOARD);
      if (options.compareJar != null) {
        targets.add(Target.COMPARE);
      }
    }
    if (options.mode != BenchOptions.Mode.baseline
        && !options.baselineOnly
        && options.cluster
        && !scenario.equals("idle")) {
      targets.add(Target.CLUSTER);
    }
    // the baseline keeps no history (storm) and serves no SSE streams (idle over SSE)
    boolean baselineCan = !scenario.equals("storm") && !(scenario.equals("idle") && options.sse());
    if (!options.noBaseline && baselineCan) {
      targets.add(Target.BASELINE);
    }
    return targets;
  }
}
