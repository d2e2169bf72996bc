package io.switchboard.bench;

/**
 * Where a load connects: subscribers to host:port, the publisher to publishHost:publishPort (the
 * same node, except in a cluster). {@code server} is the node the subscribers are on, null for a
 * Switchboard given by --url.
 */
record Endpoint(
    Target target,
    String host,
    int port,
    String publishHost,
    int publishPort,
    ServerProcess server) {
  /** Subscribers and publisher on one server. */
  Endpoint(Target target, String host, int port, ServerProcess server) {
    this(target, host, port, host, port, server);
  }
}
