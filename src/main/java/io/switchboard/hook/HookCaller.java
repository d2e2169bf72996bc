package io.switchboard.hook;

import io.vertx.core.json.JsonObject;

/**
 * Who a hook is asked about: the connection's user and token claims, its transport and address.
 *
 * @param user the user id ({@code ""} for an anonymous connection)
 * @param claims the verified token's claims, or an empty object without a token
 * @param transport {@code "ws"} or {@code "sse"}
 * @param address the client's IP address as the node sees it (a proxy's, behind one)
 * @param session the connection's id
 */
public record HookCaller(
    String user, JsonObject claims, String transport, String address, String session) {

  JsonObject toJson() {
    return new JsonObject()
        .put("user", user)
        .put("claims", claims == null ? new JsonObject() : claims)
        .put("transport", transport)
        .put("client", new JsonObject().put("address", address).put("session", session));
  }
}
