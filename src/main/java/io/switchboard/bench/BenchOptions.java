package io.switchboard.bench;

import java.net.URI;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Every knob of a run, parsed by picocli; defaults make {@code all} finish in a few minutes. */
final class BenchOptions {
  enum Mode {
    all,
    idle,
    fanout,
    rooms,
    saturation,
    connect,
    light,
    storm,
    baseline,
    hooks
  }

  @Parameters(
      index = "0",
      defaultValue = "all",
      paramLabel = "MODE",
      description =
          "all, idle, fanout, rooms, saturation, connect, light, storm, baseline (idle + fanout "
              + "against the baseline server only) or hooks (client publishes with no hook, a bus "
              + "hook and an HTTP hook); all is idle, fanout, rooms and saturation. "
              + "Default: ${DEFAULT-VALUE}")
  Mode mode;

  @Option(
      names = "--url",
      description = "A running Switchboard (e.g. http://127.0.0.1:8080); "
          + "not started or stopped by the bench, and its memory is not measured")
  URI url;

  @Option(names = "--no-baseline", description = "Skip the baseline runs (no ratios)")
  boolean noBaseline;

  @Option(
      names = "--cluster",
      description = "Also run fanout, rooms and saturation against two "
          + "nodes on the Redis broker (redis-server started by the bench): subscribers on one, the "
          + "publisher on the other")
  boolean cluster;

  @Option(names = "--baseline-only", description = "Run the chosen mode against the baseline only")
  boolean baselineOnly;

  @Option(
      names = "--compare-jar",
      description = "Also run every scenario against Switchboard from this jar (e.g. the last "
          + "release), in the same run: column 'compare', ratio column sb/cmp")
  String compareJar;

  @Option(
      names = "--compare-conf",
      description = "Configuration of the --compare-jar server; default: --conf")
  String compareConf;

  @Option(
      names = "--compare-jvm-options",
      description = "The java @argfile of --compare-jar's server (default: --jvm-options), e.g. one"
          + " holding only -Dlogback.configurationFile=conf/logback.xml to start it as plain"
          + " java -jar did before conf/jvm.options")
  String compareJvmOptions;

  @Option(
      names = "--jfr",
      paramLabel = "DIR",
      description = "Record the subscribers' server with JDK Flight Recorder (jcmd JFR.start, "
          + "settings=profile) during each scenario and column, into DIR/SCENARIO-I-COLUMN.jfr")
  String jfrDir;

  @Option(
      names = "--transport",
      defaultValue = "ws",
      description = "ws or sse: how subscribers connect")
  String transport;

  @Option(
      names = "--instances",
      defaultValue = "1",
      description =
          "SWITCHBOARD_HTTP_INSTANCES of the started server (event loops). Default: ${DEFAULT-VALUE}")
  int instances;

  @Option(
      names = "--jar",
      defaultValue = "target/switchboard.jar",
      description = "Default: ${DEFAULT-VALUE}")
  String jar;

  @Option(
      names = "--conf",
      defaultValue = "conf/switchboard.json",
      description = "Default: ${DEFAULT-VALUE}")
  String conf;

  @Option(
      names = "--jvm-options",
      defaultValue = "conf/jvm.options",
      description = "The java @argfile started servers get, as scripts/run passes it (then "
          + "JAVA_OPTS, also as scripts/run does). Default: ${DEFAULT-VALUE}")
  String jvmOptions;

  @Option(
      names = "--connections",
      defaultValue = "19000",
      description =
          "Idle: connections to open (a process may hold 20,000 files). Default: ${DEFAULT-VALUE}")
  int connections;

  @Option(
      names = "--subscribers",
      split = ",",
      defaultValue = "1000,10000",
      description =
          "Fanout: subscriber counts, one run each; saturation uses the first. Default: ${DEFAULT-VALUE}")
  List<Integer> subscribers;

  @Option(
      names = "--rate",
      description = "Publications per second; default: --deliveries / " + "subscribers per channel")
  Double rate;

  @Option(
      names = "--deliveries",
      defaultValue = "100000",
      description =
          "Target deliveries/s used to pick the rate when --rate is not given. Default: ${DEFAULT-VALUE}")
  double deliveries;

  @Option(
      names = "--duration",
      defaultValue = "10",
      description = "Seconds of publishing. Default: ${DEFAULT-VALUE}")
  int durationSeconds;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description =
          "Seconds of publishing before measuring, so both JVMs run compiled code. Default: ${DEFAULT-VALUE}")
  int warmupSeconds;

  @Option(
      names = "--channels",
      defaultValue = "100",
      description = "Rooms: channels. Default: ${DEFAULT-VALUE}")
  int channels;

  @Option(
      names = "--per-channel",
      defaultValue = "100",
      description = "Rooms: subscribers per channel. Default: ${DEFAULT-VALUE}")
  int perChannel;

  @Option(names = "--batch", description = "Connect with /ws?batch=1 (several objects per frame)")
  boolean batch;

  @Option(
      names = "--local-addresses",
      defaultValue = "1",
      description =
          "Bind clients to 127.0.0.1..127.0.0.k (more ephemeral ports). Default: ${DEFAULT-VALUE}")
  int localAddresses;

  @Option(
      names = "--handshakes",
      defaultValue = "500",
      description = "Connection handshakes in flight. Default: ${DEFAULT-VALUE}")
  int handshakes;

  @Option(
      names = "--publish-in-flight",
      defaultValue = "32",
      description =
          "Outstanding publish requests (and pooled HTTP connections). Default: ${DEFAULT-VALUE}")
  int publishInFlight;

  @Option(
      names = "--drain",
      defaultValue = "3",
      description =
          "Max seconds to wait for deliveries after publishing stops. Default: ${DEFAULT-VALUE}")
  int drainSeconds;

  @Option(
      names = "--step-duration",
      defaultValue = "4",
      description = "Saturation: seconds per step. Default: ${DEFAULT-VALUE}")
  int stepSeconds;

  @Option(
      names = "--step-factor",
      defaultValue = "1.5",
      description = "Saturation: rate multiplier per step. Default: ${DEFAULT-VALUE}")
  double stepFactor;

  @Option(
      names = "--max-steps",
      defaultValue = "12",
      description = "Saturation: Default: ${DEFAULT-VALUE}")
  int maxSteps;

  @Option(
      names = "--event-loops",
      defaultValue = "1",
      description = "Event loops of the bench JVM (it runs on one core). Default: ${DEFAULT-VALUE}")
  int eventLoops;

  @Option(
      names = "--connect-timeout",
      defaultValue = "180",
      description = "Max seconds for a whole connect phase. Default: ${DEFAULT-VALUE}")
  int connectTimeoutSeconds;

  @Option(
      names = "--connects",
      defaultValue = "5000",
      description = "Connect: connections per round (a warm-up round, then the measured one), "
          + "each welcomed and subscribed to one of --channels. Default: ${DEFAULT-VALUE}")
  int connects;

  @Option(
      names = "--light-deliveries",
      defaultValue = "10000",
      description = "Light: deliveries/s for each --subscribers count (rate = this / subscribers). "
          + "Default: ${DEFAULT-VALUE}")
  double lightDeliveries;

  @Option(
      names = "--light-p99-rate",
      defaultValue = "100",
      description = "Light: one more run at this many msgs/s to the first --subscribers count, "
          + "for SSE p99 against WebSocket p99; 0: none. Default: ${DEFAULT-VALUE}")
  double lightP99Rate;

  @Option(
      names = "--storm-rate",
      defaultValue = "100",
      description = "Storm: publications/s, round-robin over --channels, before, during and after "
          + "the storm. Default: ${DEFAULT-VALUE}")
  double stormRate;

  @Option(
      names = "--storm-timeout",
      defaultValue = "60",
      description = "Storm: max seconds from the cut until every client is back and has every "
          + "missed message. Default: ${DEFAULT-VALUE}")
  int stormTimeoutSeconds;

  @Option(
      names = "--storm-cut",
      defaultValue = "client",
      description = "Storm: client (every client closes its connection) or drain (POST "
          + "/api/drain to the subscribers' node of a --cluster, whose drain.windowMs spreads the "
          + "closes: 0 in --conf closes all at once; clients move to the other node). "
          + "Default: ${DEFAULT-VALUE}")
  String stormCut;

  @Option(
      names = "--budget",
      defaultValue = "600",
      description =
          "Total seconds; later scenarios and saturation steps are skipped past it. Default: ${DEFAULT-VALUE}")
  int budgetSeconds;

  /** Whether subscribers of fanout, rooms and saturation connect over SSE. */
  boolean sse() {
    return "sse".equals(transport);
  }

  /** Publications per second for a run whose channels each have {@code perChannel} subscribers. */
  double rateFor(int perChannel) {
    return rate != null ? rate : Math.max(1, Math.round(deliveries / Math.max(1, perChannel)));
  }
}
