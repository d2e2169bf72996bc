package io.switchboard.bench;

import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
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
 * --cluster against a freshly started two-node cluster (see {@link Deployment}), and then against
 * {@link BaselineServer}, one target at a time on core 0 while the bench runs on core 1, so the
 * report can state Switchboard as a ratio of the bare-Vert.x floor and the cluster as a ratio of
 * the single node.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Load-tests Switchboard against a bare Vert.x broadcast baseline.")
public final class Bench implements Callable<Integer> {
  @Mixin
  BenchOptions options;

  @Spec
  CommandSpec spec;

  private Vertx vertx;
  private long deadlineNanos;
  private final Report report = new Report();

  /** One measurement against one endpoint. */
  @FunctionalInterface
  private interface Load {
    JsonObject run(Endpoint endpoint) throws Exception;
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
    if (!options.transport.equals("ws") && !options.transport.equals("sse")) {
      problems.add("--transport must be ws or sse");
    } else if (options.transport.equals("sse") && options.mode != BenchOptions.Mode.idle) {
      problems.add("--transport sse: only the idle mode opens SSE streams so far");
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
        endpoint -> new IdleLoad(options).run(vertx, endpoint));
  }

  private void fanout(int n) {
    double rate = options.rateFor(n);
    scenario(
        "fanout",
        new JsonObject().put("N", n).put("R", rate).put("T", options.durationSeconds),
        endpoint -> {
          try (FanoutLoad load = new FanoutLoad(options, vertx, endpoint, 1, n)) {
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
        endpoint -> {
          try (FanoutLoad load = new FanoutLoad(options, vertx, endpoint, c, k)) {
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
        "saturation", new JsonObject().put("N", n).put("stepS", options.stepSeconds), endpoint -> {
          try (FanoutLoad load = new FanoutLoad(options, vertx, endpoint, 1, n)) {
            JsonObject figures = load.open();
            if (figures.getInteger("subscribed") == 0) {
              return figures.put("error", "no subscriber connected");
            }
            warmUp(load, SaturationLoad.startRate(options, n));
            return figures.mergeIn(new SaturationLoad(options, deadlineNanos).run(load, n));
          }
        });
  }

  /** Runs {@code load} against each target in turn, each on its own fresh server processes. */
  private void scenario(String name, JsonObject params, Load load) {
    Map<Target, JsonObject> results = new LinkedHashMap<>();
    for (Target target : targets(name)) {
      if (System.nanoTime() > deadlineNanos) {
        results.put(target, new JsonObject().put("skipped", "time budget (--budget) used up"));
        continue;
      }
      System.err.printf("bench: %s %s against %s%n", name, params.encode(), target.label);
      try (Deployment deployment = deploy(target)) {
        OtherCpu others = OtherCpu.start(deployment.pids());
        JsonObject figures = load.run(deployment.endpoint);
        deployment.addFigures(figures);
        if (deployment.started()) {
          // with --url the server under test is one of the "other" processes
          figures.put("otherCpuPct", others.percentOfOneCore());
        }
        System.err.println("bench:   " + figures.encode());
        results.put(target, figures);
      } catch (Exception e) {
        System.err.println("bench: " + name + " against " + target.label + " failed: " + e);
        results.put(target, new JsonObject().put("error", e.toString()));
      }
    }
    report.add(name, params, results);
  }

  private Deployment deploy(Target target) throws Exception {
    if (target == Target.SWITCHBOARD && options.url != null) {
      return Deployment.given(target, options.url);
    }
    return Deployment.start(target, options);
  }

  /**
   * Switchboard, then (--cluster) the two-node cluster, then the baseline. Idle has no
   * cross-node traffic, so it does not run against the cluster.
   */
  private List<Target> targets(String scenario) {
    List<Target> targets = new ArrayList<>();
    if (options.mode != BenchOptions.Mode.baseline && !options.baselineOnly) {
      targets.add(Target.SWITCHBOARD);
      if (options.cluster && !scenario.equals("idle")) {
        targets.add(Target.CLUSTER);
      }
    }
    // the baseline is a WebSocket broadcast: it has no SSE streams to measure
    if (!options.noBaseline && !options.transport.equals("sse")) {
      targets.add(Target.BASELINE);
    }
    return targets;
  }
}
