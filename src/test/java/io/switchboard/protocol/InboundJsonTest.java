package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.switchboard.testing.Bytes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules for JSON from outside (README "Inbound JSON"), one row per hostile shape. Each row is
 * decoded from bytes (HTTP bodies, bus buffers, inbox entries) and, where the bytes are UTF-8,
 * from text (WebSocket frames, bus strings), since both paths must answer alike.
 */
class InboundJsonTest {
  private static final int MAX = InboundJson.MAX_DEPTH;

  private static Buffer bytes(String text) {
    return Bytes.utf8(text);
  }

  private static Buffer bytes(String before, int[] raw, String after) {
    return Bytes.of(before, raw, after);
  }

  static String arrays(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  static String objects(int depth) {
    return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
  }

  /** name, input, null when refused (else the value it decodes to), a word of the message. */
  static Stream<Arguments> rows() {
    return Stream.of(
        // nesting: the 500 was a few thousand '['
        arguments("arrays nested to the limit", bytes(arrays(MAX)), ok(), null),
        arguments("arrays nested one over the limit", bytes(arrays(MAX + 1)), null, "depth"),
        arguments("objects nested to the limit", bytes(objects(MAX)), ok(), null),
        arguments("objects nested one over the limit", bytes(objects(MAX + 1)), null, "depth"),
        arguments("5000 unclosed '['", bytes("[".repeat(5000)), null, "depth"),
        arguments("50000 nested arrays", bytes(arrays(50_000)), null, "depth"),
        // numbers
        // Jackson counts the digits of a number (integer, fraction and exponent together)
        arguments(
            "100-digit integer",
            bytes("[" + "9".repeat(100) + "]"),
            new JsonArray().add(new BigInteger("9".repeat(100))),
            null),
        arguments("101-digit integer", bytes("[" + "9".repeat(101) + "]"), null, "Number"),
        arguments("fraction of 100 digits", bytes("[-1." + "1".repeat(99) + "]"), ok(), null),
        arguments("fraction of 101 digits", bytes("[1." + "1".repeat(100) + "]"), null, "Number"),
        arguments(
            "exponent digits count too", bytes("[1." + "1".repeat(98) + "e10]"), null, "Number"),
        arguments("largest double", bytes("1.7976931348623157e308"), Double.MAX_VALUE, null),
        arguments("1e309 overflows a double", bytes("1e309"), null, "out of range"),
        arguments("-1e400 overflows a double", bytes("-1e400"), null, "out of range"),
        arguments("huge exponent", bytes("1e99999999999999999999"), null, "out of range"),
        arguments("overflow inside data", bytes("{\"data\":[1,2,1e400]}"), null, "out of range"),
        arguments("1e-400 rounds to zero, as in JavaScript", bytes("1e-400"), 0.0, null),
        arguments("NaN", bytes("NaN"), null, "NaN"),
        arguments("Infinity", bytes("[Infinity]"), null, "Infinity"),
        arguments("leading zero", bytes("01"), null, "Leading zero"),
        // duplicate keys
        arguments(
            "duplicate top-level key",
            bytes("{\"channel\":\"a\",\"channel\":\"b\"}"),
            null,
            "Duplicate field 'channel'"),
        arguments(
            "duplicate nested key",
            bytes("{\"data\":{\"x\":1,\"y\":2,\"x\":3}}"),
            null,
            "Duplicate field 'x'"),
        arguments("same key in sibling objects", bytes("[{\"x\":1},{\"x\":2}]"), ok(), null),
        arguments("keys differing only in case", bytes("{\"x\":1,\"X\":2}"), ok(), null),
        // surrogates
        arguments("lone high surrogate escape", bytes("[\"\\ud800\"]"), null, "surrogate"),
        arguments("lone low surrogate escape", bytes("[\"a\\udc00b\"]"), null, "surrogate"),
        arguments("reversed surrogate pair", bytes("[\"\\udc00\\ud800\"]"), null, "surrogate"),
        arguments("high surrogate at the end", bytes("[\"ab\\ud83d\"]"), null, "surrogate"),
        arguments("lone surrogate in a key", bytes("{\"\\ud800\":1}"), null, "surrogate"),
        arguments(
            "escaped surrogate pair",
            bytes("[\"\\ud83d\\ude00\"]"),
            new JsonArray().add("\ud83d\ude00"),
            null),
        arguments(
            "raw 4-byte UTF-8 emoji",
            bytes("[\"\ud83d\ude00\"]"),
            new JsonArray().add("\ud83d\ude00"),
            null),
        // UTF-8 bytes
        arguments(
            "encoded surrogate (CESU-8)",
            bytes("[\"", new int[] {0xED, 0xA0, 0x80}, "\"]"),
            null,
            "UTF-8"),
        arguments("overlong NUL", bytes("[\"", new int[] {0xC0, 0x80}, "\"]"), null, "UTF-8"),
        arguments(
            "overlong slash", bytes("[\"", new int[] {0xE0, 0x80, 0xAF}, "\"]"), null, "UTF-8"),
        arguments(
            "code point above U+10FFFF",
            bytes("[\"", new int[] {0xF4, 0x90, 0x80, 0x80}, "\"]"),
            null,
            "UTF-8"),
        arguments("byte 0xFF", bytes("[\"", new int[] {0xFF}, "\"]"), null, "UTF-8"),
        arguments("truncated sequence", bytes("[\"", new int[] {0xE2, 0x82}, "\"]"), null, "UTF-8"),
        arguments("continuation byte alone", bytes("[\"", new int[] {0x80}, "\"]"), null, "UTF-8"),
        arguments(
            "invalid byte outside strings", bytes("[1", new int[] {0xFE}, "]"), null, "UTF-8"),
        arguments(
            "UTF-8 byte order mark",
            bytes("", new int[] {0xEF, 0xBB, 0xBF}, "{}"),
            null,
            "valid JSON"),
        arguments(
            "UTF-16",
            Buffer.buffer("{\"a\":1}".getBytes(StandardCharsets.UTF_16BE)),
            null,
            "valid JSON"),
        arguments(
            "UTF-32",
            Buffer.buffer("{\"a\":1}".getBytes(Charset.forName("UTF-32"))),
            null,
            "valid JSON"),
        // NUL and control characters
        arguments("raw NUL in a string", bytes("[\"a", new int[] {0}, "b\"]"), null, "CTRL-CHAR"),
        arguments("raw NUL after the value", bytes("{}", new int[] {0}, ""), null, "valid JSON"),
        arguments("raw tab in a string", bytes("[\"a\tb\"]"), null, "CTRL-CHAR"),
        arguments(
            "escaped NUL is a character",
            bytes("[\"a\\u0000b\"]"),
            new JsonArray().add("a\u0000b"),
            null),
        arguments(
            "escaped NUL in a key",
            bytes("{\"a\\u0000\":1}"),
            new JsonObject().put("a\u0000", 1),
            null),
        // not JSON
        arguments("empty", bytes(""), null, "valid JSON"),
        arguments("whitespace only", bytes("  \n"), null, "valid JSON"),
        arguments("comment", bytes("{/* hi */\"a\":1}"), null, "comment"),
        arguments("line comment", bytes("{\"a\":1} // hi"), null, "comment"),
        arguments("single quotes", bytes("{'a':1}"), null, "'"),
        arguments("unquoted key", bytes("{a:1}"), null, "a"),
        arguments("trailing comma", bytes("[1,]"), null, "valid JSON"),
        arguments("two values", bytes("{}{}"), null, "trailing"),
        arguments("trailing garbage", bytes("{} x"), null, "valid JSON"),
        arguments("truncated", bytes("{\"a\":[1,2"), null, "valid JSON"),
        // any JSON value is decoded; the entry points say which they accept
        arguments("a string", bytes("\"hi\""), "hi", null),
        arguments("null", bytes("null"), null, null),
        arguments("long key", bytes("{\"" + "k".repeat(40_000) + "\":1}"), ok(), null));
  }

  /** Marks rows that decode; the value is not compared. */
  private static Object ok() {
    return OK;
  }

  private static final Object OK = new Object();

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decodesOrRefusesWithBadRequest(
      String name, Buffer input, Object expected, String messageWord) {
    check(expected, messageWord, () -> InboundJson.decode(input, "body"));
    if (Bytes.isUtf8(input)) {
      String text = input.toString(StandardCharsets.UTF_8);
      check(expected, messageWord, () -> InboundJson.decode(text, "body"));
    }
  }

  private static void check(Object expected, String messageWord, Supplier<Object> decode) {
    if (messageWord == null) {
      Object value = decode.get();
      if (expected != OK) {
        assertEquals(expected, value);
      }
      return;
    }
    SwitchboardException e = assertThrows(SwitchboardException.class, decode::get);
    assertEquals(ErrorCode.BAD_REQUEST, e.code(), e.getMessage());
    assertTrue(e.getMessage().startsWith("body is not valid "), e.getMessage());
    assertTrue(e.getMessage().contains(messageWord), e.getMessage());
    assertTrue(e.getMessage().length() < 300, e.getMessage());
  }
}
