package io.switchboard.hub;

import io.switchboard.auth.Principal;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.config.Sections.LimitsConfig;
import io.switchboard.limits.ChannelCreations;
import io.vertx.core.Future;
import io.switchboard.limits.TokenBucket;
import java.util.HashSet;
import java.util.Set;

/**
 * One client connection, WebSocket or SSE. Owned and touched only by its hub's event loop. Kept
 * small on purpose: an idle connection should cost a few kilobytes at most.
 */
public final class Session {
  private final String id;
  private final Transport transport;
  private final long openedAtMs;
  private final Set<String> channels = new HashSet<>(4);
  private Principal principal;
  private long lastSeenMs;
  private boolean closed;
  // authentication state, see Authenticator
  private boolean welcomed;
  private VerifiedToken token;
  private long authTimer = -1;
  private long expiryTimer = -1;
  private String countedUser;
  private ChannelCreations newChannels;
  private Future<Boolean> userSlot;
  // limits.readsPerSecond: made on the first history or presence read, as most connections make none
  private TokenBucket reads;

  public Session(String id, Principal principal, Transport transport, long nowMs) {
    this.id = id;
    this.principal = principal;
    this.transport = transport;
    this.openedAtMs = nowMs;
    this.lastSeenMs = nowMs;
  }

  public String id() {
    return id;
  }

  public Principal principal() {
    return principal;
  }

  public void principal(Principal principal) {
    this.principal = principal;
  }

  public String user() {
    return principal.user();
  }

  public Transport transport() {
    return transport;
  }

  public long openedAtMs() {
    return openedAtMs;
  }

  /** Which of {@code slices} heartbeat ticks pings this session; spread by the opening time. */
  int heartbeatSlice(int slices) {
    return (int) Long.remainderUnsigned(openedAtMs, slices);
  }

  public long lastSeenMs() {
    return lastSeenMs;
  }

  /** Any frame counts as a sign of life (PROTOCOL.md section 5). */
  public void seen(long nowMs) {
    lastSeenMs = nowMs;
  }

  public boolean closed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }

  /** Whether the connection may be used: anonymous access, or a good token (PROTOCOL.md §3). */
  public boolean welcomed() {
    return welcomed;
  }

  void markWelcomed() {
    welcomed = true;
  }

  /** The token the session authenticated with, or null. */
  public VerifiedToken token() {
    return token;
  }

  void token(VerifiedToken token) {
    this.token = token;
    this.principal = token.principal();
  }

  /** The user this session counts against limits.maxConnectionsPerUser, or null. */
  String countedUser() {
    return countedUser;
  }

  void countedUser(String user) {
    countedUser = user;
  }

  /** The taking of the counted user's slot (true: taken), or null before it started. */
  Future<Boolean> userSlot() {
    return userSlot;
  }

  void userSlot(Future<Boolean> slot) {
    userSlot = slot;
  }

  public TokenBucket reads() {
    return reads;
  }

  public void reads(TokenBucket bucket) {
    reads = bucket;
  }

  long authTimer() {
    return authTimer;
  }

  void authTimer(long id) {
    authTimer = id;
  }

  long expiryTimer() {
    return expiryTimer;
  }

  void expiryTimer(long id) {
    expiryTimer = id;
  }

  /**
   * This connection's budget of new channels (limits.newChannelsPerSecond), made with its first
   * publish: most connections never publish, and an idle one should stay small.
   */
  public ChannelCreations newChannels(LimitsConfig limits) {
    if (newChannels == null) {
      newChannels = ChannelCreations.perConnection(limits.newChannelsPerSecond(),
          limits.newChannelsBurst());
    }
    return newChannels;
  }

  /** Channels subscribed or being subscribed to. */
  Set<String> channels() {
    return channels;
  }

  public boolean subscribedTo(String channel) {
    return channels.contains(channel);
  }

  public int subscriptionCount() {
    return channels.size();
  }
}
