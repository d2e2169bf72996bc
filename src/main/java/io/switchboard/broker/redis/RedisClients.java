package io.switchboard.broker.redis;

import io.switchboard.config.Sections.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis clients of one node, built from {@code broker.redis}: a pooled client for commands
 * (scripts, reads, PUBLISH) and the clients the pub/sub link connects through. In a Cluster,
 * PUBLISH reaches the subscribers of every node, so the link subscribes on any one node and moves
 * to the next one when it fails.
 */
final class RedisClients {
  // Publishes of every event loop share the pool; a Redis pause must queue them, not refuse them
  private static final int POOL_SIZE = 8;
  private static final int POOL_WAITING = 100_000;
  private static final int PIPELINED_PER_CONNECTION = 100_000;

  private final Redis commands;
  private final List<Redis> pubSub;

  private RedisClients(Redis commands, List<Redis> pubSub) {
    this.commands = commands;
    this.pubSub = pubSub;
  }

  static RedisClients create(Vertx vertx, RedisConfig config) {
    RedisOptions commandOptions = base(config).setMaxPoolSize(POOL_SIZE);
    List<Redis> pubSub = new ArrayList<>();
    switch (config.mode()) {
      case STANDALONE -> {
        commandOptions
            .setType(RedisClientType.STANDALONE)
            .setConnectionString(config.endpoints().get(0));
        pubSub.add(Redis.createClient(
            vertx,
            base(config)
                .setType(RedisClientType.STANDALONE)
                .setConnectionString(config.endpoints().get(0))));
      }
      case SENTINEL -> {
        commandOptions
            .setType(RedisClientType.SENTINEL)
            .setEndpoints(config.endpoints())
            .setMasterName(config.masterName())
            .setRole(RedisRole.MASTER);
        pubSub.add(Redis.createClient(
            vertx,
            base(config)
                .setType(RedisClientType.SENTINEL)
                .setEndpoints(config.endpoints())
                .setMasterName(config.masterName())
                .setRole(RedisRole.MASTER)));
      }
      case CLUSTER -> {
        commandOptions.setType(RedisClientType.CLUSTER).setEndpoints(config.endpoints());
        for (String endpoint : config.endpoints()) {
          pubSub.add(Redis.createClient(
              vertx,
              base(config).setType(RedisClientType.STANDALONE).setConnectionString(endpoint)));
        }
      }
      default -> throw new IllegalArgumentException("unknown Redis mode " + config.mode());
    }
    return new RedisClients(Redis.createClient(vertx, commandOptions), pubSub);
  }

  private static RedisOptions base(RedisConfig config) {
    RedisOptions options = new RedisOptions()
        .setMaxPoolWaiting(POOL_WAITING)
        .setMaxWaitingHandlers(PIPELINED_PER_CONNECTION);
    if (config.password() != null) {
      options.setPassword(config.password());
    }
    if (config.tlsCaFile() != null) {
      // rediss:// URLs upgrade to TLS with these trust options; hostnames are verified
      options.setNetClientOptions(new NetClientOptions()
          .setTrustOptions(new PemTrustOptions().addCertPath(config.tlsCaFile()))
          .setHostnameVerificationAlgorithm("HTTPS"));
    }
    return options;
  }

  Redis commands() {
    return commands;
  }

  List<Redis> pubSubEndpoints() {
    return pubSub;
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    closing.add(commands.close());
    pubSub.forEach(client -> closing.add(client.close()));
    return Future.join(closing).mapEmpty();
  }
}
