package io.switchboard.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A "service" JVM of an application, as the README tells users to write one: vertx-core and
 * vertx-hazelcast only, no Switchboard classes. It joins the cluster described by a JSON file
 * (name, host, port, members, eventBusPort, tls, attributes) and then takes commands, one JSON
 * object per line on stdin, answering one JSON object per line on stdout:
 * <ul>
 *   <li>{@code {"op":"publish","id":1,"body":{...}}}: a request to {@code switchboard.publish};
 *       answers {@code {"id":1,"reply":{...}}} or {@code {"id":1,"failure":"code","status":400}}
 *   <li>{@code {"op":"consume","address":"..."}}: answers {@code {"consuming":"..."}} once
 *       registered cluster-wide, then {@code {"address":"...","body":{...}}} per message
 *   <li>{@code {"op":"hook","address":"...","answer":{...},"byText":{...},"delayMs":0}}: replies
 *       to every request on the address with {@code answer}, or with {@code byText}'s entry for the
 *       request's {@code data.text} when it has one (after {@code delayMs}), and prints each
 *       request as {@code {"address":"...","request":{...}}}; answers {@code {"hooking":"..."}}
 * </ul>
 * The first line is {@code {"ready":true}}, or {@code {"ready":false,"error":"..."}} before it
 * exits with 3 when it cannot join.
 */
public final class BusService {
  private static final PrintStream out = System.out;

  private BusService() {}

  public static void main(String[] args) throws Exception {
    JsonObject spec = new JsonObject(Files.readString(Path.of(args[0])));
    Vertx vertx;
    try {
      vertx = Vertx.builder()
          .with(new VertxOptions().setEventBusOptions(eventBus(spec)))
          .withClusterManager(new HazelcastClusterManager(hazelcast(spec)))
          .buildClustered()
          .await();
    } catch (Exception e) {
      print(new JsonObject().put("ready", false).put("error", String.valueOf(e)));
      System.exit(3);
      return;
    }
    print(new JsonObject().put("ready", true));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      JsonObject command = new JsonObject(line);
      vertx.runOnContext(v -> run(vertx, command));
    }
    vertx.close().await();
    System.exit(0);
  }

  private static void run(Vertx vertx, JsonObject command) {
    switch (command.getString("op")) {
      case "publish":
        vertx
            .eventBus()
            .request(
                "switchboard.publish",
                command.getJsonObject("body"),
                new DeliveryOptions().setSendTimeout(command.getLong("timeoutMs", 10_000L)))
            .onSuccess(reply -> print(
                new JsonObject().put("id", command.getValue("id")).put("reply", reply.body())))
            .onFailure(err -> print(new JsonObject()
                .put("id", command.getValue("id"))
                .put("failure", err.getMessage())
                .put("status", err instanceof ReplyException r ? r.failureCode() : -1)));
        break;
      case "consume": {
        String address = command.getString("address");
        vertx
            .eventBus()
            .consumer(
                address,
                message ->
                    print(new JsonObject().put("address", address).put("body", message.body())))
            .completion()
            .onSuccess(v -> print(new JsonObject().put("consuming", address)));
        break;
      }
      case "hook": {
        String address = command.getString("address");
        JsonObject fallback = command.getJsonObject("answer");
        JsonObject byText = command.getJsonObject("byText", new JsonObject());
        long delayMs = command.getLong("delayMs", 0L);
        vertx
            .eventBus()
            .<JsonObject>consumer(address, message -> {
              print(new JsonObject().put("address", address).put("request", message.body()));
              Object data = message.body().getValue("data");
              Object text = data instanceof JsonObject json ? json.getValue("text") : null;
              JsonObject answer = text instanceof String key && byText.containsKey(key)
                  ? byText.getJsonObject(key)
                  : fallback;
              if (delayMs > 0) {
                vertx.setTimer(delayMs, id -> message.reply(answer));
              } else {
                message.reply(answer);
              }
            })
            .completion()
            .onSuccess(v -> print(new JsonObject().put("hooking", address)));
        break;
      }
      default:
        print(new JsonObject().put("error", "unknown op " + command.getString("op")));
    }
  }

  private static synchronized void print(JsonObject line) {
    out.println(line.encode());
    out.flush();
  }

  /** As a user configures Hazelcast: vertx-hazelcast's defaults, then name, address, members. */
  private static Config hazelcast(JsonObject spec) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(spec.getString("name"));
    config.getNetworkConfig().setPort(spec.getInteger("port")).setPortAutoIncrement(false);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    spec.getJsonArray("members").forEach(m -> join.getTcpIpConfig().addMember((String) m));
    config.setProperty("hazelcast.local.localAddress", spec.getString("host"));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    // an intruder should give up quickly when nobody lets it in
    config.setProperty("hazelcast.max.join.seconds", "20");
    JsonObject attributes = spec.getJsonObject("attributes", new JsonObject());
    attributes.forEach(
        e -> config.getMemberAttributeConfig().setAttribute(e.getKey(), (String) e.getValue()));
    return config;
  }

  private static EventBusOptions eventBus(JsonObject spec) {
    EventBusOptions options = new EventBusOptions()
        .setHost(spec.getString("host"))
        .setClusterPublicHost(spec.getString("host"));
    JsonObject tls = spec.getJsonObject("tls");
    if (tls != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions()
              .setKeyPath(tls.getString("keyFile"))
              .setCertPath(tls.getString("certFile")))
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.getString("caFile")))
          .setClientAuth(ClientAuth.REQUIRED);
    }
    return options;
  }
}
