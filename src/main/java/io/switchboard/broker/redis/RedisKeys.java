package io.switchboard.broker.redis;

/**
 * Where a channel lives in Redis. Every key of one channel carries the channel in a hash tag
 * ({@code {...}}), so in a Redis Cluster they share one slot and one Lua script can touch them all.
 * The layout is public (README "Redis layout"): services with only a Redis client rely on it.
 *
 * <pre>
 *   {prefix}:{channel}:m    hash   e = epoch, o = last offset              (ttl broker.redis.metaTtlMs)
 *   {prefix}:{channel}:s    stream entry id "offset-0", fields d, t, p      (history size and ttl)
 *   {prefix}:{channel}:pc   zset   connection -> expiry ms                  (presence)
 *   {prefix}:{channel}:pu   hash   connection -> user
 *   {prefix}:{channel}:pn   hash   user -> connections
 *   {prefix}:{channel}:i:{key}  string "offset epoch ts" of an idempotent publish (metaTtlMs)
 *   {prefix}:ch:{channel}   pub/sub channel of the nodes subscribed to it
 *   {prefix}:inbox          stream external publishers add to (consumer group "switchboard")
 *   {prefix}:nodes          zset   node -> expiry ms (the live nodes; refreshed every presence.ttlMs/3)
 *   {prefix}:ctl            pub/sub channel every node listens to: d {request} {origin} {revokedAtMs} {user}
 *   {prefix}:ctl:{node}     pub/sub channel of one node's answers: c {request} {node} {closed}
 *   {prefix}:u:{user}:rv    hash   u = "{revokedAtSec} {untilMs}", t:{fingerprint} = untilMs
 *                                   (revocations; expires with its latest entry)
 *   {prefix}:u:{user}:c     zset   node/connection -> expiry ms (limits.maxConnectionsPerUser)
 * </pre>
 *
 * <p>A node is named by its node id and a random suffix ({@link RedisBroker#member()}), so a node
 * that restarts with the same id is a new member. The two keys of a user carry the user as hash
 * tag: each script call touches one of them only, but they live together in one slot.
 */
public final class RedisKeys {
  private final String prefix;

  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String meta(String channel) {
    return tagged(channel, "m");
  }

  String stream(String channel) {
    return tagged(channel, "s");
  }

  String presenceExpiry(String channel) {
    return tagged(channel, "pc");
  }

  String presenceUsers(String channel) {
    return tagged(channel, "pu");
  }

  String presenceCounts(String channel) {
    return tagged(channel, "pn");
  }

  /** Marks a publish made with this idempotency key (value: "offset epoch ts"). */
  String idempotency(String channel, String key) {
    return tagged(channel, "i:" + key);
  }

  String pubSub(String channel) {
    return prefix + ":ch:" + channel;
  }

  /** The channel a pub/sub channel name of ours stands for; null for anything else. */
  String channelOf(String pubSubChannel) {
    String head = prefix + ":ch:";
    return pubSubChannel.startsWith(head) ? pubSubChannel.substring(head.length()) : null;
  }

  public String inbox() {
    return prefix + ":inbox";
  }

  /** Inbox entries that could not be published (invalid), with the reason, for operators. */
  public String inboxRejected() {
    return prefix + ":inbox:rejected";
  }

  /** The live nodes of the cluster (nodes.lua). */
  String nodes() {
    return prefix + ":nodes";
  }

  /** The pub/sub channel of requests to every node (a disconnect). */
  String control() {
    return prefix + ":ctl";
  }

  /** The pub/sub channel {@code node} hears the answers to its requests on. */
  String answers(String node) {
    return prefix + ":ctl:" + node;
  }

  /** A user's revocations shared by every node (revocations.lua). */
  String revocations(String user) {
    return prefix + ":u:{" + user + "}:rv";
  }

  /** A user's connections on every node, for limits.maxConnectionsPerUser (user_connections.lua). */
  String userConnections(String user) {
    return prefix + ":u:{" + user + "}:c";
  }

  private String tagged(String channel, String suffix) {
    return prefix + ":{" + channel + "}:" + suffix;
  }
}
