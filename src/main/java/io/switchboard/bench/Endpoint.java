package io.switchboard.bench;

import java.util.List;

/**
 * Where a load connects: subscribers to host:port, the publisher to publishHost:publishPort (the
 * same node, except in a cluster). {@code server} is the node the subscribers are on, null for a
 * Switchboard given by --url; {@code pids} are every process of the server side (empty for
 * --url), whose CPU time {@link ServerCpu} measures.
 */
record Endpoint(
    Target target,
    String host,
    int port,
    String publishHost,
    int publishPort,
    ServerProcess server,
    List<Long> pids) {
  /** Subscribers and publisher on one server. */
  Endpoint(Target target, String host, int port, ServerProcess server) {
    this(
        target, host, port, host, port, server, server == null ? List.of() : List.of(server.pid()));
  }

  /** Starts measuring the server side's CPU time. */
  ServerCpu cpu() {
    return ServerCpu.start(pids);
  }
}
