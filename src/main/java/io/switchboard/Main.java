package io.switchboard;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.cluster.ClusterStart;
import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.plugin.PluginFailure;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java @conf/jvm.options -jar switchboard.jar -conf conf/switchboard.json}: loads the config,
 * starts a node.
 */
@Command(
    name = "switchboard",
    mixinStandardHelpOptions = true,
    description = "Real-time messaging server: WebSocket, SSE, HTTP API, event bus.")
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);
  private static final int KEEP_RUNNING = -1;

  @Option(
      names = {"-conf", "--conf"},
      paramLabel = "FILE",
      defaultValue = "conf/switchboard.json",
      description = "Config file (JSON). Default: ${DEFAULT-VALUE}. Environment variables"
          + " SWITCHBOARD_* override some keys (see README).")
  private Path configFile;

  @Option(
      names = {"-cluster", "--cluster"},
      description = "Join the clustered event bus (Hazelcast), as cluster.enabled: true does;"
          + " needs broker.type redis.")
  private boolean cluster;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != KEEP_RUNNING) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    SwitchboardConfig config;
    ClusterStart clusterStart = null;
    // reads the config and the files it names; the node's own Vert.x is built from what they say
    // (clustered or not), so this one is closed once they are read
    Vertx files = Vertx.vertx();
    try {
      config = ConfigLoader.load(files, configFile, this::commandLine).await();
      if (config.cluster().enabled()) {
        clusterStart = ClusterStart.prepare(files, config.cluster());
      }
    } catch (ConfigException e) {
      System.err.println("switchboard: invalid configuration in " + configFile + ":");
      e.problems().forEach(p -> System.err.println("  - " + p));
      return 2;
    } finally {
      files.close();
    }
    PrometheusMeterRegistry registry = SwitchboardMetrics.newRegistry();
    VertxOptions options = new VertxOptions()
        .setPreferNativeTransport(true)
        .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            // no per-address or per-path labels: one series per client would swamp Prometheus
            .setLabels(EnumSet.of(
                Label.HTTP_METHOD,
                Label.HTTP_CODE,
                Label.EB_ADDRESS,
                Label.EB_SIDE,
                Label.EB_FAILURE,
                Label.POOL_TYPE,
                Label.POOL_NAME,
                Label.CLIENT_NAME,
                Label.CLASS_NAME)));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
    Vertx vertx;
    if (clusterStart == null) {
      vertx = builder.with(options).build();
    } else {
      try {
        vertx = clusterStart.start(
            builder.with(options.setEventBusOptions(clusterStart.eventBusOptions())));
      } catch (RuntimeException e) {
        System.err.println(
            "switchboard: cannot join the cluster \"" + config.cluster().name()
                + "\" as " + config.cluster().host() + ":" + config.cluster().port() + ": "
                + ConfigLoader.rootMessage(e));
        return 1;
      }
      ClusterStart members = clusterStart;
      SwitchboardMetrics.clusterMembers(registry, members::members);
    }
    Node node;
    try {
      node = Node.start(vertx, config, registry).await();
    } catch (ConfigException e) {
      System.err.println("switchboard: invalid configuration in " + configFile + ":");
      e.problems().forEach(p -> System.err.println("  - " + p));
      close(vertx, clusterStart);
      return 2;
    } catch (PluginFailure e) {
      System.err.println("switchboard: " + e.getMessage());
      close(vertx, clusterStart);
      return 1;
    } catch (RuntimeException e) {
      System.err.println("switchboard: cannot start on " + config.http().host() + ":"
          + config.http().port() + ": " + e.getMessage()
          + " (is another process using the port? set http.port or SWITCHBOARD_HTTP_PORT)");
      close(vertx, clusterStart);
      return 1;
    }
    log.atInfo()
        .addKeyValue("node", config.nodeId())
        .addKeyValue("port", node.port())
        .addKeyValue("broker", config.broker().type().name().toLowerCase())
        .addKeyValue("namespaces", config.namespaces().keySet())
        .addKeyValue("nativeTransport", vertx.isNativeTransportEnabled())
        .addKeyValue("cluster", vertx.isClustered() ? config.cluster().name() : "off")
        .log("switchboard started: open http://localhost:" + node.port() + "/");
    if (config.auth().anonymous() && config.auth().apiKeys().isEmpty()) {
      log.warn("anonymous access is on and no auth.apiKeys are set: the HTTP API is open to"
          + " anyone who can reach this port (the development default)");
    }
    // a drain, from SIGTERM or POST /api/drain, ends the process; exit from a thread of its own:
    // System.exit waits for the shutdown hook, which needs the event loop that completes this
    node.drained().onComplete(v -> new Thread(() -> System.exit(0), "switchboard-exit").start());
    ClusterStart leaving = clusterStart;
    boolean termHandled = TermSignal.install(node::drain);
    long drainWaitMs = termHandled ? 0 : config.drain().windowMs();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> {
              try {
                // SIGINT (Ctrl-C) closes at once, every client getting 1001 (after a drain, the
                // node is
                // closed already); where SIGTERM cannot be handled, this drains instead, on either
                // signal
                (termHandled ? node.close() : node.drain())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(drainWaitMs + 5_000, TimeUnit.MILLISECONDS);
                vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
              } catch (Exception e) {
                // the JVM is exiting anyway; nothing left to clean up
              }
              if (leaving != null) {
                leaving.leave();
              }
            },
            "switchboard-shutdown"));
    return KEEP_RUNNING;
  }

  /** {@code -cluster}: cluster.enabled, set before the config is checked. */
  private void commandLine(JsonObject json) {
    if (cluster) {
      Object section = json.getValue("cluster");
      if (section == null) {
        json.put("cluster", new JsonObject().put("enabled", true));
      } else if (section instanceof JsonObject object) {
        object.put("enabled", true);
      }
    }
  }

  private static void close(Vertx vertx, ClusterStart cluster) {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting with the start-up error already printed: nothing more to say
    }
    if (cluster != null) {
      cluster.leave();
    }
  }
}
