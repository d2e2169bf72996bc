package io.switchboard.plugin;

import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.switchboard.config.PluginsConfig;
import io.switchboard.config.PluginsConfig.VerticleConfig;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's verticles ({@code verticles} in the config): loaded from the jars of the
 * {@code plugins/} directory beside the config file, or from the class path, and deployed in the
 * listed order once the node serves. They reach the node through the event bus, as a verticle of
 * another JVM would ({@code switchboard.publish}, {@code switchboard.messages.*}). A class that
 * cannot be found is a {@link ConfigException}; one that fails to start, a {@link PluginFailure}.
 */
public final class PluginVerticles {
  private static final Logger log = LoggerFactory.getLogger(PluginVerticles.class);

  private final Vertx vertx;
  private final PluginsConfig config;
  // added to by the deployments' callbacks one after the other at start, read at close: the
  // start has completed (or failed) by then, and a synchronized list makes the writes visible
  private final List<String> deployments = Collections.synchronizedList(new ArrayList<>());

  public PluginVerticles(Vertx vertx, PluginsConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** Deploys every configured verticle, one after the other; fails on the first that fails. */
  public Future<Void> deploy() {
    if (config.verticles().isEmpty()) {
      return Future.succeededFuture();
    }
    // reading the plugin jars is blocking file I/O, once at start
    Future<List<Class<? extends Deployable>>> loaded = vertx.executeBlocking(this::load);
    return loaded.compose(classes -> {
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < classes.size(); i++) {
        int index = i;
        chain = chain.compose(v -> deploy(index, classes.get(index)));
      }
      return chain;
    });
  }

  private Future<Void> deploy(int index, Class<? extends Deployable> type) {
    VerticleConfig verticle = config.verticles().get(index);
    return vertx
        .deployVerticle(
            type,
            new DeploymentOptions()
                .setInstances(verticle.instances())
                .setConfig(verticle.config().copy())
                .setClassLoader(type.getClassLoader()))
        .recover(err -> Future.failedFuture(new PluginFailure(
            "verticle " + verticle.className() + " (verticles[" + index + "]) failed to start: "
                + ConfigLoader.rootMessage(err),
            err)))
        .map(id -> {
          deployments.add(id);
          log.atInfo()
              .addKeyValue("class", verticle.className())
              .addKeyValue("instances", verticle.instances())
              .log("verticle deployed");
          return null;
        });
  }

  private List<Class<? extends Deployable>> load() {
    List<Path> jars = jars(Path.of(config.dir()));
    ClassLoader loader = jars.isEmpty()
        ? PluginVerticles.class.getClassLoader()
        : new URLClassLoader("plugins", urls(jars), PluginVerticles.class.getClassLoader());
    List<String> problems = new ArrayList<>();
    List<Class<? extends Deployable>> classes = new ArrayList<>();
    for (int i = 0; i < config.verticles().size(); i++) {
      String name = config.verticles().get(i).className();
      String key = "verticles[" + i + "].class: ";
      try {
        Class<?> type = Class.forName(name, false, loader);
        if (!Deployable.class.isAssignableFrom(type)) {
          problems.add(key + name + " is not a verticle (it implements no"
              + " io.vertx.core.Deployable: extend VerticleBase or AbstractVerticle)");
        } else {
          classes.add(type.asSubclass(Deployable.class));
        }
      } catch (ClassNotFoundException | LinkageError e) {
        problems.add(key + name + " not found in " + config.dir() + " ("
            + (jars.isEmpty()
                ? "no jars"
                : jars.stream().map(p -> p.getFileName().toString()).toList())
            + ") or on the class path" + (e instanceof LinkageError ? ": " + e : ""));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return classes;
  }

  private static List<Path> jars(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".jar"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URL[] urls(List<Path> jars) {
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      }
    }
    return urls;
  }

  /** Undeploys them, last deployed first. */
  public Future<Void> undeploy() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.eventually(() -> vertx.undeploy(id));
    }
    return chain;
  }
}
