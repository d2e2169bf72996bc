package io.switchboard.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testing.Await;
import io.switchboard.testing.RedisBrokerConfig;
import io.switchboard.testing.RedisServer;
import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** conf/grafana-dashboard.json queries only meters a node exports, so it cannot drift from them. */
@ExtendWith(VertxExtension.class)
class DashboardTest {
  private static final Pattern METER = Pattern.compile("switchboard_[a-z_]+");

  @Test
  void everySwitchboardMeterTheDashboardQueriesIsExported(Vertx vertx) throws Exception {
    String dashboard = Files.readString(Path.of("conf/grafana-dashboard.json"));
    new JsonObject(dashboard); // valid JSON
    Set<String> queried = new TreeSet<>();
    Matcher matcher = METER.matcher(dashboard);
    while (matcher.find()) {
      // a histogram is queried through its _bucket series
      queried.add(matcher.group().replaceFirst("_bucket$", ""));
    }
    assertTrue(queried.size() > 10, "the dashboard queries " + queried);
    try (RedisServer redis = RedisServer.start()) {
      // a publish hook, answered on the bus: the hook meters exist once a hook was asked
      Await.result(vertx
          .eventBus()
          .consumer("dashboard.hook", m -> m.reply(new JsonObject().put("allow", true)))
          .completion());
      TestNode node = TestNode.start(
          vertx,
          RedisBrokerConfig.config(redis.url())
              .put(
                  "namespaces",
                  new JsonObject()
                      .put(
                          "hooked",
                          new JsonObject()
                              .put(
                                  "hooks",
                                  new JsonObject().put("publish", "bus:dashboard.hook")))));
      try {
        // one of each labelled counter, so its series exists
        node.ws().publish("hooked:x", 1);
        node.ws().publish("nope:x", 1);
        node.ws().subscribe("d", "1-x");
        node.publish("d", 1);
        node.ws().close();
        // the server counts the close once it has seen it, a moment after the client's close
        Await.until(
            () -> node.get("/metrics").body().contains("\nswitchboard_closes_total"),
            "the close counted");
        String metrics = node.get("/metrics").body();
        for (String meter : queried) {
          assertTrue(
              metrics.contains("\n" + meter) || metrics.startsWith(meter),
              meter + " is queried by the dashboard but not exported");
        }
      } finally {
        node.close();
      }
    }
  }
}
