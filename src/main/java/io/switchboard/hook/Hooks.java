package io.switchboard.hook;

import io.switchboard.config.HooksConfig;
import io.switchboard.config.HooksConfig.FailurePolicy;
import io.switchboard.config.HooksConfig.HookTarget;
import io.switchboard.config.NamespaceConfig;
import io.switchboard.config.SwitchboardConfig;
import io.switchboard.hub.WarningThrottle;
import io.switchboard.metrics.SwitchboardMetrics;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.SwitchboardException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application hooks of a node: asks the back end configured for a connect, a subscribe or a
 * client's publish, and turns its answer, or its silence, into the request's fate. Node-wide and
 * called from every event loop; each call completes on its caller's loop, within
 * {@code hooks.timeoutMs}.
 *
 * <p>Every method fails only with a {@link SwitchboardException}: the hook's refusal (its code,
 * {@code forbidden} by default), or {@code unavailable} when the hook gave no usable answer and
 * {@code hooks.onFailure} is {@code deny}. With {@code allow}, such a call succeeds as if the hook
 * had allowed the request unchanged. Without a hook configured, each succeeds at once.
 */
public final class Hooks {
  private static final Logger log = LoggerFactory.getLogger(Hooks.class);
  /** A hook pool's connections at most; more requests queue for one (still within timeoutMs). */
  private static final int MAX_HTTP_CONNECTIONS = 256;

  /** What a connect hook decided beyond "allowed": a new user id and extra info, or nulls. */
  public record Admission(String user, JsonObject info) {
    public static final Admission UNCHANGED = new Admission(null, null);
  }

  private final HooksConfig config;
  private final Map<HookTarget, HookBackend> backends;
  private final WebClient http;
  private final SwitchboardMetrics metrics;
  private final boolean anyPublishHook;
  // node-wide by design (hooks.maxInFlight bounds the node): every event loop counts here
  private final AtomicInteger inFlight = new AtomicInteger();
  // a hook outage fails every call at once: one line per interval says so
  private final WarningThrottle trouble = new WarningThrottle(5_000);

  private Hooks(
      HooksConfig config,
      Map<HookTarget, HookBackend> backends,
      WebClient http,
      SwitchboardMetrics metrics,
      boolean anyPublishHook) {
    this.config = config;
    this.backends = backends;
    this.http = http;
    this.metrics = metrics;
    this.anyPublishHook = anyPublishHook;
    metrics.gauge(
        "switchboard_hook_in_flight",
        "Hook calls waiting for their answer on this node (bounded by hooks.maxInFlight)",
        inFlight::get);
  }

  /** One back end per configured target; one HTTP pool for all the node's hook URLs. */
  public static Hooks create(Vertx vertx, SwitchboardConfig node, SwitchboardMetrics metrics) {
    HooksConfig config = node.hooks();
    Map<HookTarget, HookTarget> targets = new HashMap<>();
    add(targets, config.connect());
    for (NamespaceConfig ns : node.namespaces().values()) {
      add(targets, ns.hooks().subscribe());
      add(targets, ns.hooks().publish());
    }
    boolean anyHttp = targets.keySet().stream().anyMatch(t -> t.kind() == HookTarget.Kind.HTTP);
    WebClient http = anyHttp
        ? WebClient.create(
            vertx,
            new WebClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setUserAgent("switchboard-hooks")
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeoutMs())),
            new PoolOptions()
                .setHttp1MaxSize(Math.min(MAX_HTTP_CONNECTIONS, config.maxInFlight()))
                .setMaxWaitQueueSize(config.maxInFlight()))
        : null;
    Map<HookTarget, HookBackend> backends = new HashMap<>();
    for (HookTarget target : targets.keySet()) {
      backends.put(
          target,
          target.kind() == HookTarget.Kind.BUS
              ? new BusHookBackend(vertx.eventBus(), target.address(), config.timeoutMs())
              : new HttpHookBackend(http, target.address(), config.timeoutMs()));
    }
    boolean anyPublishHook =
        node.namespaces().values().stream().anyMatch(ns -> ns.hooks().publish() != null);
    return new Hooks(config, Map.copyOf(backends), http, metrics, anyPublishHook);
  }

  private static void add(Map<HookTarget, HookTarget> targets, HookTarget target) {
    if (target != null) {
      targets.put(target, target);
    }
  }

  /** Whether any hook is configured: only then do sessions keep their token's claims. */
  public boolean askAny() {
    return !backends.isEmpty();
  }

  /** Whether connections wait for the connect hook before their welcome. */
  public boolean asksOnConnect() {
    return config.connect() != null;
  }

  /** Whether any namespace has a publish hook: without one, client publishes skip every check. */
  public boolean asksOnAnyPublish() {
    return anyPublishHook;
  }

  /** Whether a client's publishes to {@code ns} wait for its publish hook. */
  public boolean asksOnPublish(NamespaceConfig ns) {
    return ns.hooks().publish() != null;
  }

  /** May this connection be welcomed, and as whom? */
  public Future<Admission> connect(HookCaller caller) {
    if (config.connect() == null) {
      return Future.succeededFuture(Admission.UNCHANGED);
    }
    return ask("connect", config.connect(), caller.toJson().put("hook", "connect"))
        .map(allowed -> allowed.user() == null && allowed.info() == null
            ? Admission.UNCHANGED
            : new Admission(allowed.user(), allowed.info()));
  }

  /** May the caller subscribe to {@code channel} (of namespace {@code ns})? */
  public Future<Void> subscribe(NamespaceConfig ns, HookCaller caller, String channel) {
    HookTarget target = ns.hooks().subscribe();
    if (target == null) {
      return Future.succeededFuture();
    }
    return ask(
            "subscribe", target, caller.toJson().put("hook", "subscribe").put("channel", channel))
        .mapEmpty();
  }

  /** May the caller publish {@code data} to {@code channel}; completes with the data to publish. */
  public Future<Object> publish(
      NamespaceConfig ns, HookCaller caller, String channel, Object data) {
    HookTarget target = ns.hooks().publish();
    if (target == null) {
      return Future.succeededFuture(data);
    }
    JsonObject request =
        caller.toJson().put("hook", "publish").put("channel", channel).put("data", data);
    return ask("publish", target, request)
        .map(allowed -> allowed.replacesData() ? allowed.data() : data);
  }

  private Future<HookAnswer.Allowed> ask(String hook, HookTarget target, JsonObject request) {
    long started = System.nanoTime();
    if (inFlight.incrementAndGet() > config.maxInFlight()) {
      inFlight.decrementAndGet();
      return failed(
          hook,
          target,
          HookOutcome.OVERLOADED,
          started,
          "over hooks.maxInFlight (" + config.maxInFlight() + ")");
    }
    Future<JsonObject> answer = backends.get(target).ask(request);
    answer.onComplete(ar -> inFlight.decrementAndGet());
    return answer
        // the back end's own timeouts close its request; this one bounds the whole call
        .timeout(config.timeoutMs(), TimeUnit.MILLISECONDS)
        .map(HookAnswer::read)
        .transform(ar -> {
          if (ar.failed()) {
            Throwable err = ar.cause();
            boolean late = err instanceof HookTimeout || err instanceof TimeoutException;
            return failed(
                hook,
                target,
                late ? HookOutcome.TIMEOUT : HookOutcome.FAILED,
                started,
                late
                    ? "no answer within hooks.timeoutMs (" + config.timeoutMs() + ")"
                    : err.toString());
          }
          if (ar.result() instanceof HookAnswer.Denied denied) {
            metrics.hookCall(hook, HookOutcome.DENY.label(), System.nanoTime() - started);
            return Future.failedFuture(denied.error());
          }
          HookAnswer.Allowed allowed = (HookAnswer.Allowed) ar.result();
          HookOutcome outcome = allowed.changes() ? HookOutcome.REPLACED : HookOutcome.ALLOW;
          metrics.hookCall(hook, outcome.label(), System.nanoTime() - started);
          return Future.succeededFuture(allowed);
        });
  }

  /** The failure policy, applied to a call that got no usable answer. */
  private Future<HookAnswer.Allowed> failed(
      String hook, HookTarget target, HookOutcome outcome, long started, String why) {
    metrics.hookCall(hook, outcome.label(), System.nanoTime() - started);
    trouble.warn(() -> log.atWarn()
        .addKeyValue("hook", hook)
        .addKeyValue("target", target)
        .addKeyValue("onFailure", config.onFailure().name().toLowerCase())
        .log("hook gave no answer: {}", why));
    if (config.onFailure() == FailurePolicy.ALLOW) {
      return Future.succeededFuture(HookAnswer.Allowed.PLAIN);
    }
    return Future.failedFuture(new SwitchboardException(
        ErrorCode.UNAVAILABLE, "the application's " + hook + " hook did not answer; retry later"));
  }

  /** Closes the HTTP pool; with the node. */
  public Future<Void> close() {
    if (http != null) {
      http.close();
    }
    return Future.succeededFuture();
  }
}
