package io.switchboard.config;

import io.switchboard.config.HooksConfig.NamespaceHooks;
import io.vertx.core.json.JsonObject;

/**
 * One namespace of {@code conf/}: the schema of its messages' data (null for none), who may
 * subscribe and publish, how much history it keeps, whether it tracks presence and announces
 * join/leave, and what of its traffic goes on the event bus.
 */
public record NamespaceConfig(
    String name,
    JsonObject schema,
    AccessPolicy subscribe,
    AccessPolicy publish,
    HistoryConfig history,
    boolean presence,
    boolean joinLeave,
    BusConfig bus,
    NamespaceHooks hooks) {

  public static final AccessPolicy DEFAULT_SUBSCRIBE = AccessPolicy.ANYONE;
  public static final AccessPolicy DEFAULT_PUBLISH = AccessPolicy.ANYONE;

  /** @param size messages kept per channel (0: no history); ttlMs how long each is kept */
  public record HistoryConfig(int size, long ttlMs) {
    public static final int DEFAULT_SIZE = 100;
    public static final long DEFAULT_TTL_MS = 300_000;
  }

  /**
   * @param messages every message accepted in the namespace is published once, cluster-wide, on
   *     {@code switchboard.messages.<namespace>}
   * @param presence every join and leave is published once on {@code switchboard.presence.<ns>}
   */
  public record BusConfig(boolean messages, boolean presence) {
    public static final BusConfig NONE = new BusConfig(false, false);
  }
}
