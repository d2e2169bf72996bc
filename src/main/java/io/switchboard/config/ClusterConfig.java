package io.switchboard.config;

import java.util.List;

/**
 * The clustered event bus (README "Using Switchboard from a Vert.x application"): Vert.x started
 * with the Hazelcast cluster manager, so verticles and services in other JVMs reach the node's
 * addresses. Channels still travel through the Redis broker; only event-bus traffic crosses here.
 *
 * @param name Hazelcast cluster name: members of other names are not joined
 * @param host the address this member binds and announces, for Hazelcast and the event bus
 * @param port Hazelcast's member port (no auto-increment: the address is what the config says)
 * @param members other members to join, {@code host:port} (TCP/IP join; multicast is off)
 * @param configFile a Hazelcast XML or YAML file used instead of name, port and members; null
 * @param eventBusPort the event bus's own TCP port; 0: a free one, announced through Hazelcast
 * @param tls null: the event bus is plain TCP
 */
public record ClusterConfig(
    boolean enabled,
    String name,
    String host,
    int port,
    List<String> members,
    String configFile,
    int eventBusPort,
    TlsConfig tls) {
  public static final String DEFAULT_NAME = "switchboard";
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  public static final int DEFAULT_EVENT_BUS_PORT = 0;

  public ClusterConfig {
    members = List.copyOf(members);
  }

  /**
   * Mutual TLS on the event bus (PEM files, resolved against the config file's directory): each
   * member presents {@code certFile} and accepts only peers whose certificate {@code caFile}
   * signed. The same certificate proves a member's right to join Hazelcast (see
   * {@code cluster.MemberProof}).
   */
  public record TlsConfig(String keyFile, String certFile, String caFile) {}
}
