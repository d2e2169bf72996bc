package io.switchboard.hub;

import io.switchboard.auth.Principal;
import io.switchboard.auth.VerifiedToken;
import io.switchboard.hook.HookCaller;
import io.vertx.core.json.JsonObject;
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
  // who the session is, as the Authenticator decided
  private boolean welcomed;
  private VerifiedToken token;
  // the Authenticator's own state, opaque here; null until it needs one
  private Authenticator.State auth;
  // what the connect hook said: the user id in place of the token's, and extra info; else null
  private String hookUser;
  private JsonObject info;
  // the client's publishes waiting for a hook (ClientPublisher's, opaque here); null until one
  private ClientPublisher.Waiting waitingPublishes;

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
    this.principal = hookUser == null ? token.principal() : token.principal().as(hookUser);
  }

  /** The connect hook named the user: it replaces the token's for the session's lifetime. */
  void hookUser(String user) {
    this.hookUser = user;
    this.principal = principal.as(user);
  }

  /** The user id the session's credentials carry: the token's sub, not a hook's replacement. */
  String credentialUser() {
    return token == null ? principal.user() : token.principal().user();
  }

  /** Extra info the connect hook gave (shown in the welcome), or null. */
  public JsonObject info() {
    return info;
  }

  void info(JsonObject info) {
    this.info = info;
  }

  ClientPublisher.Waiting waitingPublishes() {
    return waitingPublishes;
  }

  void waitingPublishes(ClientPublisher.Waiting waiting) {
    this.waitingPublishes = waiting;
  }

  /** Who the session is, as application hooks are told. */
  public HookCaller caller() {
    return new HookCaller(
        principal.user(),
        token == null ? null : token.claims(),
        transport.kind(),
        transport.remoteAddress(),
        id);
  }

  Authenticator.State auth() {
    return auth;
  }

  void auth(Authenticator.State state) {
    auth = state;
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
