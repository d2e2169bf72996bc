package io.switchboard.bench;

/** Where a load connects; {@code server} is null for a Switchboard given by --url. */
record Endpoint(Target target, String host, int port, ServerProcess server) {}
