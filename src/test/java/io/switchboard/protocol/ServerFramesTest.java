package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The frames spliced by hand read exactly as the JsonObject encoding they replaced. */
class ServerFramesTest {
  static Stream<Arguments> users() {
    return Stream.of(
        Arguments.of("anonymous", ""),
        Arguments.of("plain", "42"),
        Arguments.of("quotes and backslashes", "a\"b\\c"),
        Arguments.of("control characters", "tab\there\nnul\u0000"),
        Arguments.of("non-ASCII and a slash", "jürgen/東京 😀"),
        Arguments.of("no user", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("users")
  void welcomeIsTheJsonObjectEncoding(String name, String user) {
    JsonObject expected = new JsonObject()
        .put("type", "welcome")
        .put("session", "n-1a2b-3c")
        .put("user", user)
        .put("node", "node \"7\"")
        .put("heartbeat", 25000L);
    assertEquals(expected.encode(), ServerFrames.welcome("n-1a2b-3c", user, "node \"7\"", 25000));
  }

  static Stream<Arguments> acks() {
    return Stream.of(
        Arguments.of("subscribe", 1L, "chat:lobby", "12-3f9c", true),
        Arguments.of("subscribe without since", 7L, "news", "0-ab", null),
        Arguments.of("not recovered", -3L, "a_b-c:d.e@f/g=h", "5-x", false),
        Arguments.of("unsubscribe, no id", null, "x", null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acks")
  void ackIsTheJsonObjectEncoding(
      String name, Long id, String channel, String offset, Boolean recovered) {
    JsonObject expected = new JsonObject().put("type", "ack");
    if (id != null) {
      expected.put("id", id);
    }
    expected.put("channel", channel);
    if (offset != null) {
      expected.put("offset", offset);
    }
    if (recovered != null) {
      expected.put("recovered", recovered);
    }
    assertEquals(expected.encode(), ServerFrames.ack(id, channel, offset, recovered));
  }
}
