package io.switchboard.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceFactory;
import io.switchboard.config.ClusterConfig;
import io.switchboard.config.ClusterConfig.TlsConfig;
import io.switchboard.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.File;
import java.io.FileNotFoundException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Vert.x clustered with Hazelcast from the {@code cluster} section: the Hazelcast member
 * (name, address, TCP/IP join with the listed members, multicast off, no phoning home; or the
 * operator's XML/YAML file), and the event bus (address, mutual TLS). Blocking: for Main's thread.
 */
public final class ClusterStart {
  private static final Logger log = LoggerFactory.getLogger(ClusterStart.class);
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private final ClusterConfig config;
  private final Config hazelcast;
  private final EventBusOptions eventBus;
  private final X509TrustManager trust;
  // set by Main's thread at start, read by the members gauge on any thread
  private volatile HazelcastInstance instance;

  private ClusterStart(
      ClusterConfig config, Config hazelcast, EventBusOptions eventBus, X509TrustManager trust) {
    this.config = config;
    this.hazelcast = hazelcast;
    this.eventBus = eventBus;
    this.trust = trust;
  }

  /**
   * Builds the member's configuration and reads its TLS files through {@code files}; a file that is
   * not a PEM key, certificate or CA is a {@link ConfigException} naming its key.
   */
  public static ClusterStart prepare(Vertx files, ClusterConfig config) {
    Config hazelcast = hazelcastConfig(config);
    EventBusOptions eventBus = new EventBusOptions()
        .setHost(config.host())
        .setPort(config.eventBusPort())
        .setClusterPublicHost(config.host());
    TlsConfig tls = config.tls();
    if (tls == null) {
      return new ClusterStart(config, hazelcast, eventBus, null);
    }
    PemKeyCertOptions keyCert =
        new PemKeyCertOptions().setKeyPath(tls.keyFile()).setCertPath(tls.certFile());
    PemTrustOptions ca = new PemTrustOptions().addCertPath(tls.caFile());
    // the peer must present a certificate the CA signed: an untrusted process cannot talk to the
    // event bus at all, in either direction
    eventBus
        .setSsl(true)
        .setKeyCertOptions(keyCert)
        .setTrustOptions(ca)
        .setClientAuth(ClientAuth.REQUIRED);
    X509TrustManager trust = trustManager(files, ca, tls);
    try {
      proof(files, keyCert, config).forEach(hazelcast.getMemberAttributeConfig()::setAttribute);
    } catch (Exception e) {
      throw new ConfigException(List.of("cluster.tls.keyFile / certFile: cannot sign with "
          + tls.keyFile() + " and " + tls.certFile() + ": " + e.getMessage()));
    }
    return new ClusterStart(config, hazelcast, eventBus, trust);
  }

  private static X509TrustManager trustManager(Vertx files, PemTrustOptions ca, TlsConfig tls) {
    try {
      for (TrustManager manager : ca.getTrustManagerFactory(files).getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
    } catch (Exception e) {
      throw new ConfigException(List.of(
          "cluster.tls.caFile: " + tls.caFile() + " holds no PEM certificate: " + e.getMessage()));
    }
    throw new ConfigException(
        List.of("cluster.tls.caFile: " + tls.caFile() + " holds no PEM certificate"));
  }

  private static Map<String, String> proof(
      Vertx files, PemKeyCertOptions keyCert, ClusterConfig config) throws Exception {
    X509KeyManager keys = (X509KeyManager) keyCert.getKeyManagerFactory(files).getKeyManagers()[0];
    KeyStore store = keyCert.loadKeyStore(files);
    String alias = store.aliases().nextElement();
    PrivateKey key = keys.getPrivateKey(alias);
    X509Certificate[] chain = keys.getCertificateChain(alias);
    if (key == null || chain == null || chain.length == 0) {
      throw new GeneralSecurityException("no key and certificate");
    }
    return MemberProof.attributes(config.name(), key, chain[0]);
  }

  private static Config hazelcastConfig(ClusterConfig config) {
    Config hazelcast;
    if (config.configFile() != null) {
      try {
        hazelcast = Config.loadFromFile(new File(config.configFile()));
      } catch (FileNotFoundException | RuntimeException e) {
        throw new ConfigException(List.of("cluster.configFile: " + config.configFile()
            + " is not a Hazelcast XML or YAML configuration: " + e.getMessage()));
      }
      // the structures Vert.x keeps its registrations in, unless the file tunes them itself
      Config defaults = ConfigUtil.loadConfig();
      defaults.getMultiMapConfigs().forEach(hazelcast.getMultiMapConfigs()::putIfAbsent);
      defaults.getMapConfigs().forEach(hazelcast.getMapConfigs()::putIfAbsent);
    } else {
      hazelcast = ConfigUtil.loadConfig();
      hazelcast.setClusterName(config.name());
      NetworkConfig network = hazelcast.getNetworkConfig();
      // the address is the configured one, never the next free port: members list each other
      network.setPort(config.port()).setPortAutoIncrement(false);
      JoinConfig join = network.getJoin();
      join.getMulticastConfig().setEnabled(false);
      join.getAutoDetectionConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(config.members());
      hazelcast.setProperty("hazelcast.local.localAddress", config.host());
      hazelcast.setProperty("hazelcast.socket.bind.any", "false");
      // members that start together still find each other: the default waits 5 s per start
      hazelcast.setProperty("hazelcast.wait.seconds.before.join", "1");
      hazelcast.setProperty("hazelcast.max.wait.seconds.before.join", "5");
    }
    // vertx-hazelcast reads this member's Vert.x node id from here when handed an instance
    hazelcast
        .getMemberAttributeConfig()
        .setAttribute(VERTX_NODE_ID, UUID.randomUUID().toString());
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.logging.type", "slf4j");
    // Main leaves the cluster after closing Vert.x; Hazelcast's own hook would leave first
    hazelcast.setProperty("hazelcast.shutdownhook.enabled", "false");
    return hazelcast;
  }

  /** The event bus's options, to be set on the node's {@code VertxOptions}. */
  public EventBusOptions eventBusOptions() {
    return eventBus;
  }

  /**
   * Joins the cluster and builds the clustered Vert.x; blocks until both are done. With TLS, this
   * member refuses joins without a valid {@link MemberProof} while it is the cluster's master.
   */
  public Vertx start(VertxBuilder builder) {
    instance = trust == null
        ? HazelcastInstanceFactory.newHazelcastInstance(hazelcast)
        : HazelcastInstanceFactory.newHazelcastInstance(
            hazelcast, null, new CertifiedJoins(hazelcast.getClusterName(), trust));
    instance.getCluster().addMembershipListener(new MembershipLog());
    try {
      return builder
          .withClusterManager(new HazelcastClusterManager(instance))
          .buildClustered()
          .await();
    } catch (RuntimeException e) {
      instance.shutdown();
      throw e;
    }
  }

  /** Members of the cluster, this one included; 0 before {@link #start} or after leaving. */
  public int members() {
    HazelcastInstance running = instance;
    return running == null || !running.getLifecycleService().isRunning()
        ? 0
        : running.getCluster().getMembers().size();
  }

  /** Leaves the cluster; after Vert.x is closed (its registrations are taken out first). */
  public void leave() {
    if (instance != null) {
      instance.shutdown();
    }
  }

  /**
   * Logs membership. Only the master checks a joiner's proof: a member that joined through a
   * master that does not check (a service started first) is reported here, by every node.
   */
  private final class MembershipLog implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      log.atInfo()
          .addKeyValue("member", event.getMember().getAddress())
          .addKeyValue("members", event.getMembers().size())
          .log("cluster member joined");
      if (trust != null) {
        try {
          MemberProof.verify(event.getMember().getAttributes(), config.name(), trust);
        } catch (GeneralSecurityException e) {
          log.atError()
              .addKeyValue("member", event.getMember().getAddress())
              .log(
                  "a member without a valid certificate joined through a master that does not"
                      + " check (start Switchboard nodes before services): {}",
                  e.getMessage());
        }
      }
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      log.atInfo()
          .addKeyValue("member", event.getMember().getAddress())
          .addKeyValue("members", event.getMembers().size())
          .log("cluster member left");
    }
  }
}
