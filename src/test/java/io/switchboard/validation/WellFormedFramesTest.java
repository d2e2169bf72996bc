package io.switchboard.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.InboundJson;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shortcut past the schema validator says yes only where the schema does: every frame here
 * goes through both. The common frames must take the shortcut (or the profile's saving is gone);
 * the others must be left to the validator, which alone words the errors.
 */
class WellFormedFramesTest {
  private static final ProtocolSchema SCHEMA = ProtocolSchema.load();
  private static final String LONG_CHANNEL = "c".repeat(255);
  private static final String TOO_LONG_CHANNEL = "c".repeat(256);
  private static final String LONG_OFFSET = "o".repeat(200);

  static Stream<Arguments> plainlyValid() {
    return Stream.of(
        Arguments.of("subscribe", "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"chat:lobby\"}"),
        Arguments.of("subscribe without id", "{\"type\":\"subscribe\",\"channel\":\"news\"}"),
        Arguments.of(
            "subscribe with since",
            "{\"type\":\"subscribe\",\"id\":7,\"channel\":\"a_b-c:d.e@f/g=h\",\"since\":\"3-9f\"}"),
        Arguments.of(
            "subscribe, longest names",
            "{\"type\":\"subscribe\",\"channel\":\"" + LONG_CHANNEL + "\",\"since\":\""
                + LONG_OFFSET + "\"}"),
        Arguments.of(
            "subscribe, largest id",
            "{\"type\":\"subscribe\",\"id\":9007199254740991,\"channel\":\"x\"}"),
        Arguments.of(
            "subscribe, smallest id",
            "{\"type\":\"subscribe\",\"id\":-9007199254740991,\"channel\":\"x\"}"),
        Arguments.of("unsubscribe", "{\"type\":\"unsubscribe\",\"id\":2,\"channel\":\"x\"}"),
        Arguments.of(
            "publish",
            "{\"type\":\"publish\",\"id\":3,\"channel\":\"x\",\"data\":{\"text\":\"hi\"}}"),
        Arguments.of("publish a number", "{\"type\":\"publish\",\"channel\":\"x\",\"data\":1.5}"),
        Arguments.of("publish false", "{\"type\":\"publish\",\"channel\":\"x\",\"data\":false}"),
        Arguments.of(
            "history",
            "{\"type\":\"history\",\"id\":4,\"channel\":\"x\",\"since\":\"1\",\"limit\":1000}"),
        Arguments.of("presence", "{\"type\":\"presence\",\"id\":5,\"channel\":\"x\"}"),
        Arguments.of("auth", "{\"type\":\"auth\",\"id\":6,\"token\":\"a.b.c\"}"),
        Arguments.of("ping", "{\"type\":\"ping\",\"id\":8}"),
        Arguments.of("pong with id", "{\"type\":\"pong\",\"id\":9}"));
  }

  static Stream<Arguments> leftToTheSchema() {
    return Stream.of(
        // refused by the schema
        Arguments.of("unknown field", "{\"type\":\"subscribe\",\"channel\":\"x\",\"sinse\":\"1\"}"),
        Arguments.of("no channel", "{\"type\":\"subscribe\",\"id\":1}"),
        Arguments.of("channel null", "{\"type\":\"subscribe\",\"channel\":null}"),
        Arguments.of("since null", "{\"type\":\"subscribe\",\"channel\":\"x\",\"since\":null}"),
        Arguments.of("id null", "{\"type\":\"subscribe\",\"id\":null,\"channel\":\"x\"}"),
        Arguments.of("empty channel", "{\"type\":\"subscribe\",\"channel\":\"\"}"),
        Arguments.of(
            "channel too long",
            "{\"type\":\"subscribe\",\"channel\":\"" + TOO_LONG_CHANNEL + "\"}"),
        Arguments.of("channel with a space", "{\"type\":\"subscribe\",\"channel\":\"a b\"}"),
        Arguments.of(
            "channel with a non-ASCII letter", "{\"type\":\"subscribe\",\"channel\":\"é\"}"),
        Arguments.of("channel a number", "{\"type\":\"subscribe\",\"channel\":5}"),
        Arguments.of("empty since", "{\"type\":\"subscribe\",\"channel\":\"x\",\"since\":\"\"}"),
        Arguments.of(
            "since too long",
            "{\"type\":\"subscribe\",\"channel\":\"x\",\"since\":\"" + LONG_OFFSET + "o\"}"),
        Arguments.of("since a number", "{\"type\":\"subscribe\",\"channel\":\"x\",\"since\":3}"),
        Arguments.of(
            "id too large", "{\"type\":\"subscribe\",\"id\":9007199254740992,\"channel\":\"x\"}"),
        Arguments.of(
            "id huge", "{\"type\":\"subscribe\",\"id\":1" + "0".repeat(30) + ",\"channel\":\"x\"}"),
        Arguments.of("id a fraction", "{\"type\":\"subscribe\",\"id\":1.5,\"channel\":\"x\"}"),
        Arguments.of("id a string", "{\"type\":\"subscribe\",\"id\":\"1\",\"channel\":\"x\"}"),
        Arguments.of("publish without data", "{\"type\":\"publish\",\"channel\":\"x\"}"),
        Arguments.of("history limit 0", "{\"type\":\"history\",\"channel\":\"x\",\"limit\":0}"),
        Arguments.of(
            "history limit 1001", "{\"type\":\"history\",\"channel\":\"x\",\"limit\":1001}"),
        Arguments.of("history limit 2.5", "{\"type\":\"history\",\"channel\":\"x\",\"limit\":2.5}"),
        Arguments.of("auth, empty token", "{\"type\":\"auth\",\"token\":\"\"}"),
        Arguments.of("auth, no token", "{\"type\":\"auth\"}"),
        Arguments.of("ping with a field", "{\"type\":\"ping\",\"channel\":\"x\"}"),
        // accepted by the schema, but in a spelling the shortcut leaves to it
        Arguments.of("id written 1.0", "{\"type\":\"subscribe\",\"id\":1.0,\"channel\":\"x\"}"),
        Arguments.of("publish null", "{\"type\":\"publish\",\"channel\":\"x\",\"data\":null}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plainlyValid")
  void commonFramesTakeTheShortcut(String name, String text) {
    JsonObject frame = decode(text);
    String type = frame.getString("type");
    assertTrue(WellFormedFrames.plainlyValid(type, frame), "not taken: " + text);
    assertEquals(List.of(), SCHEMA.schemaErrors(type, frame), "the schema refuses it: " + text);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("leftToTheSchema")
  void othersAreLeftToTheValidator(String name, String text) {
    JsonObject frame = decode(text);
    String type = frame.getString("type");
    assertFalse(WellFormedFrames.plainlyValid(type, frame), "taken: " + text);
    // what the frame gets is what the validator says, shortcut or not
    assertEquals(SCHEMA.schemaErrors(type, frame), SCHEMA.validateClientFrame(type, frame));
  }

  private static JsonObject decode(String text) {
    return (JsonObject) InboundJson.decode(text, "frame");
  }
}
