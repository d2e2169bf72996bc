package io.switchboard.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.switchboard.broker.ChannelEvent;
import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding what travels on a channel's pub/sub channel: every payload is one of three kinds. */
class PubSubMessageTest {

  private static PubSubMessage decode(String payload) {
    return PubSubMessage.decode("chat:room", payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void publicationWithPublisher() {
    PubSubMessage message = decode("m 7 0badcafe 1700000000000 5\nalice{\"x\":1}");
    assertEquals(
        new PubSubMessage.Published(new Publication(
            "chat:room", new StreamPosition(7, "0badcafe"), 1700000000000L, "alice", "{\"x\":1}")),
        message);
  }

  @Test
  void publicationWithoutPublisher() {
    PubSubMessage message = decode("m 1 0badcafe 5 -1\n[1,2]");
    assertEquals(
        new PubSubMessage.Published(
            new Publication("chat:room", new StreamPosition(1, "0badcafe"), 5, null, "[1,2]")),
        message);
  }

  @Test
  void eventRoundTrips() {
    ChannelEvent leave = new ChannelEvent("chat:room", ChannelEvent.Kind.LEAVE, "bob smith");
    assertEquals(new PubSubMessage.Event(leave), decode(PubSubMessage.encode(leave)));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("empty", ""),
        Arguments.of("no space after the kind", "mx"),
        Arguments.of("unknown kind", "x 1 2 3 4\n"),
        Arguments.of("unknown event", "e wave bob"),
        Arguments.of("no header line", "m 1 e 5 -1"),
        Arguments.of("three header fields", "m 1 e 5\n{}"),
        Arguments.of("offset not a number", "m one e 5 -1\n{}"),
        Arguments.of("publisher past the end", "m 1 e 5 99\nab"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void unreadablePayloadIsMalformed(String name, String payload) {
    assertInstanceOf(PubSubMessage.Malformed.class, decode(payload));
  }
}
