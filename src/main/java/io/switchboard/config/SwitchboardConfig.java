package io.switchboard.config;

import io.switchboard.config.Sections.AuthConfig;
import io.switchboard.config.Sections.BrokerConfig;
import io.switchboard.config.Sections.DrainConfig;
import io.switchboard.config.Sections.HeartbeatConfig;
import io.switchboard.config.Sections.HttpConfig;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.config.Sections.PresenceConfig;
import io.switchboard.config.Sections.ReaperConfig;
import java.util.Map;

/** The whole node configuration, parsed and checked once at start. Immutable. */
public record SwitchboardConfig(
    String nodeId,
    HttpConfig http,
    BrokerConfig broker,
    AuthConfig auth,
    HeartbeatConfig heartbeat,
    ReaperConfig reaper,
    PresenceConfig presence,
    LimitsConfig limits,
    DrainConfig drain,
    Map<String, NamespaceConfig> namespaces,
    ClusterConfig cluster,
    PluginsConfig plugins,
    HooksConfig hooks) {

  /** The namespace of a channel, or null when it is not configured ({@code unknown_channel}). */
  public NamespaceConfig namespace(String name) {
    return namespaces.get(name);
  }
}
