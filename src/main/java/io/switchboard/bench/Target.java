package io.switchboard.bench;

/**
 * What a load runs against: Switchboard (one node on the memory broker, or a two-node cluster on
 * the Redis broker, see {@link Deployment}) speaks PROTOCOL.md, the baseline is a bare broadcast
 * endpoint. Everything that differs on the wire lives here, so the loads stay the same for all
 * and the ratios compare servers, not clients.
 */
enum Target {
  SWITCHBOARD("switchboard", "io.switchboard.Main"),
  /** Switchboard from another jar (--compare-jar), e.g. the release before: same scenario. */
  COMPARE("compare", "io.switchboard.Main"),
  CLUSTER("cluster", "io.switchboard.Main"),
  /** One node whose publishes are asked of a hook on the event bus ({@link AllowingHook}). */
  BUS_HOOK("busHook", "io.switchboard.Main"),
  /** One node whose publishes are asked of a hook over HTTP ({@link HookServer}). */
  HTTP_HOOK("httpHook", "io.switchboard.Main"),
  BASELINE("baseline", "io.switchboard.bench.BaselineServer");

  final String label;
  final String mainClass;

  Target(String label, String mainClass) {
    this.label = label;
    this.mainClass = mainClass;
  }

  /** Switchboard, single node or cluster: PROTOCOL.md on the wire. */
  boolean isSwitchboard() {
    return this != BASELINE;
  }

  /** Switchboard sends {@code welcome} once a connection may be used (PROTOCOL §3). */
  boolean sendsWelcome() {
    return isSwitchboard();
  }

  /** The baseline puts a socket in its room at upgrade time; Switchboard needs a subscribe. */
  boolean needsSubscribe() {
    return isSwitchboard();
  }

  /** The jar the target's servers run from: the baseline always comes from --jar. */
  String jar(BenchOptions options) {
    return this == COMPARE ? options.compareJar : options.jar;
  }

  /** The configuration file of a Switchboard target (--compare-conf for {@link #COMPARE}). */
  String conf(BenchOptions options) {
    return this == COMPARE && options.compareConf != null ? options.compareConf : options.conf;
  }

  /** The java @argfile of the target's JVM (--compare-jvm-options for {@link #COMPARE}). */
  String jvmOptions(BenchOptions options) {
    return this == COMPARE && options.compareJvmOptions != null
        ? options.compareJvmOptions
        : options.jvmOptions;
  }

  String wsUri(String channel, boolean batch) {
    if (isSwitchboard()) {
      return batch ? "/ws?batch=1" : "/ws";
    }
    return channel == null ? "/ws" : "/ws?channel=" + channel;
  }

  /**
   * The URI of a connection that does a protocol handshake: welcome, then subscribe and ack.
   * The baseline does it too on {@code /ws?handshake=1}, so a connect costs both servers the
   * same frames (see {@link BaselineServer}).
   */
  String handshakeUri() {
    return isSwitchboard() ? "/ws" : "/ws?handshake=1";
  }

  String publishUri(String channel) {
    return isSwitchboard() ? "/api/publish" : "/publish?channel=" + channel;
  }

  /**
   * The body for one publication; {@code t} is the sender's nanoTime, {@code s} the sequence. The
   * baseline broadcasts its body as is, so it gets a message frame shaped like Switchboard's.
   */
  String publishBody(String channel, long t, long s) {
    if (isSwitchboard()) {
      return "{\"channel\":\"" + channel + "\",\"data\":{\"t\":" + t + ",\"s\":" + s + "}}";
    }
    // the same bytes a Switchboard subscriber receives for that publication, so both servers
    // deliver frames of one size and the client does the same work per frame
    return "{\"type\":\"message\",\"channel\":\"" + channel + "\",\"offset\":\"" + s
        + "-5f3a9c1b\",\"ts\":" + System.currentTimeMillis() + ",\"data\":{\"t\":" + t
        + ",\"s\":" + s + "}}";
  }
}
