package io.switchboard.cluster;

import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.DefaultNodeExtension;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.instance.impl.NodeExtension;
import com.hazelcast.internal.cluster.impl.JoinMessage;
import com.hazelcast.internal.cluster.impl.JoinRequest;
import java.security.GeneralSecurityException;
import javax.net.ssl.X509TrustManager;

/**
 * Refuses a join request without a valid {@link MemberProof}. Hazelcast's open-source edition
 * has no public hook for this: {@code NodeExtension.validateJoinRequest} is internal API, called
 * on the cluster's master for every join request; a refusal makes the joiner shut itself down
 * ("Before join check failed"). {@code ClusterSecurityTest} fails the day an upgrade stops calling
 * it: an uncertified member would join.
 */
final class CertifiedJoins extends DefaultNodeContext {
  private final String clusterName;
  private final X509TrustManager trust;

  CertifiedJoins(String clusterName, X509TrustManager trust) {
    this.clusterName = clusterName;
    this.trust = trust;
  }

  @Override
  public NodeExtension createNodeExtension(Node node) {
    return new DefaultNodeExtension(node) {
      @Override
      public void validateJoinRequest(JoinMessage message) {
        super.validateJoinRequest(message);
        if (message instanceof JoinRequest request) {
          try {
            MemberProof.verify(request.getAttributes(), clusterName, trust);
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                "switchboard: member " + message.getAddress() + " may not join: " + e.getMessage(),
                e);
          }
        }
      }
    };
  }
}
