package io.switchboard.broker.redis;

import io.switchboard.auth.RevocationList;
import io.switchboard.auth.RevocationStore;
import io.switchboard.auth.VerifiedToken;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Revocations every node sees, in one hash per user (revocations.lua, {@link RedisKeys}), written
 * by the nodes that disconnect and read at every token verification. Untils are wall-clock times
 * of the writing node: nodes' clocks are assumed in step within seconds, revocations last hours.
 *
 * <p>A verification never waits for a Redis that is unreachable: it is answered "not revoked
 * here", and the node's own {@link RevocationList} (fed by its disconnects and by those of other
 * nodes it heard of) decides alone; a command that fails or times out does the same.
 */
public final class RedisRevocations implements RevocationStore {
  private static final LuaScript REVOCATIONS = LuaScript.load("revocations.lua");

  private final RedisBroker broker;
  private final RedisClients clients;
  private final RedisKeys keys;
  private final Fallback fallback;

  public RedisRevocations(RedisBroker broker) {
    this.broker = broker;
    this.clients = broker.clients();
    this.keys = broker.keys();
    this.fallback = new Fallback(
        "revocation checks use this node's own list", broker.stats().revocationFallbacks);
  }

  @Override
  public Future<Void> revokeUser(String user, long revokedAtSec, long untilMs) {
    return write(
        user,
        List.of(
            "user",
            String.valueOf(System.currentTimeMillis()),
            String.valueOf(revokedAtSec),
            String.valueOf(untilMs)));
  }

  @Override
  public Future<Void> revokeTokens(String user, List<VerifiedToken> tokens, long nowMs) {
    if (tokens.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> args = new ArrayList<>(2 + 2 * tokens.size());
    args.add("tokens");
    args.add(String.valueOf(nowMs));
    for (VerifiedToken token : tokens) {
      args.add(token.fingerprint());
      args.add(String.valueOf(RevocationList.revokedUntilMs(token, nowMs)));
    }
    return write(user, args);
  }

  private Future<Void> write(String user, List<String> args) {
    if (!broker.reachable()) {
      return Future.failedFuture("Redis is unreachable");
    }
    return CallerContext.bind(REVOCATIONS
        .call(clients.commands(), List.of(keys.revocations(user)), args)
        .timeout(broker.timeoutMs(), TimeUnit.MILLISECONDS)
        .mapEmpty());
  }

  @Override
  public Future<Boolean> isRevoked(VerifiedToken token, long nowMs) {
    if (!broker.reachable()) {
      fallback.used(null);
      return Future.succeededFuture(false);
    }
    Future<Boolean> read = clients
        .commands()
        .send(Request.cmd(Command.HMGET)
            .arg(keys.revocations(token.principal().user()))
            .arg("u")
            .arg("t:" + token.fingerprint()))
        .timeout(broker.timeoutMs(), TimeUnit.MILLISECONDS)
        .map(reply -> {
          fallback.recovered();
          return covers(reply, token, nowMs);
        })
        .otherwise(err -> {
          fallback.used(err);
          return false;
        });
    return CallerContext.bind(read);
  }

  /** HMGET u t:{fingerprint}: entries whose until has passed are ignored (see revocations.lua). */
  private static boolean covers(Response reply, VerifiedToken token, long nowMs) {
    Response tokenUntil = reply.get(1);
    if (tokenUntil != null && tokenUntil.toLong() > nowMs) {
      return true;
    }
    Response user = reply.get(0);
    if (user == null) {
      return false;
    }
    String[] fields = user.toString().split(" ");
    return fields.length == 2
        && Long.parseLong(fields[1]) > nowMs
        && RevocationList.issuedBefore(token, Long.parseLong(fields[0]));
  }
}
