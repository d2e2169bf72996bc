package io.switchboard.fuzz;

import io.switchboard.protocol.InboundJson;
import io.switchboard.testing.Bytes;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded hostile input: values that break one rule each (README "Inbound JSON": depth, numbers,
 * duplicates, surrogates, UTF-8, NUL; sizes around each limit), byte-level mutations of valid
 * requests, and garbage. The same seed gives the same inputs, so a failure is reproduced with
 * {@code -Dfuzz.seed=<seed>}.
 */
final class Mutator {
  private final SplittableRandom random;

  Mutator(SplittableRandom random) {
    this.random = random;
  }

  int below(int bound) {
    return random.nextInt(bound);
  }

  boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  /** A JSON value (as text, possibly not JSON) that is hostile in one way, or a valid one. */
  String value() {
    switch (below(14)) {
      case 0:
        return nested(depthAroundTheLimit());
      case 1:
        return "[".repeat(1 + below(4000));
      case 2:
        return number();
      case 3:
        return pick(STRINGS);
      case 4:
        return "{\"k\":1,\"" + pick(List.of("k", "K", "k ", "\\u006b")) + "\":2}";
      case 5:
        return "\"" + "x".repeat(below(3000)) + "\"";
      case 6:
        return pick(LITERALS);
      case 7:
        return new String(garbage(1 + below(40)), StandardCharsets.ISO_8859_1);
      case 8:
        return "{\"text\":" + pick(STRINGS) + "}";
      case 9:
        return "{\"text\":\"hi\",\"n\":" + number() + "}";
      case 10:
        return nestedObjects(depthAroundTheLimit());
      default:
        return pick(VALID);
    }
  }

  /** Depths at and around the limit, far past it, and small ones. */
  int depthAroundTheLimit() {
    int max = InboundJson.MAX_DEPTH;
    return pick(
        List.of(1, 2, 10, max - 4, max - 3, max - 2, max - 1, max, max + 1, 100, 1000, 2000));
  }

  static String nested(int depth) {
    return "[".repeat(depth) + "1" + "]".repeat(depth);
  }

  static String nestedObjects(int depth) {
    return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
  }

  String number() {
    switch (below(8)) {
      case 0:
        return "9".repeat(90 + below(20));
      case 1:
        return "1e" + pick(List.of("308", "309", "400", "-400", "99999", "999999999999"));
      case 2:
        return "-" + "1".repeat(1 + below(120)) + "." + "2".repeat(below(30));
      case 3:
        return pick(List.of(
            "01",
            "-0",
            "1.",
            ".5",
            "+1",
            "0x10",
            "1e",
            "--1",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "4.9e-324",
            "2e-324",
            "9007199254740993"));
      case 4:
        return String.valueOf(random.nextLong());
      case 5:
        return String.valueOf(random.nextDouble() * Math.pow(10, below(600) - 300));
      default:
        return String.valueOf(below(1000));
    }
  }

  private static final List<String> STRINGS = List.of(
      "\"\\ud800\"",
      "\"\\udc00\"",
      "\"a\\ud83d\"",
      "\"\\udc00\\ud800\"",
      "\"\\ud83d\\ude00\"",
      "\"\\u0000\"",
      "\"a\\u0000b\"",
      "\"\u0000\"",
      "\"\t\"",
      "\"\\x41\"",
      "\"\\u12\"",
      "\"\\uZZZZ\"",
      "\"\\\"",
      "\"\u00e9\u20ac\ud83d\ude00\"",
      "\"\ufeff\"",
      "\"\ud800\"",
      "\"\u2028\u2029\"",
      "\"unterminated");

  private static final List<String> LITERALS = List.of(
      "NaN",
      "Infinity",
      "-Infinity",
      "null",
      "true",
      "false",
      "nul",
      "tru",
      "undefined",
      "'single'",
      "/* c */ 1",
      "1 // c",
      "[1,]",
      "{,}",
      "{\"a\" 1}",
      "{\"a\":1,}",
      "[1 2]",
      "{} {}",
      "\ufeff{}",
      "");

  private static final List<String> VALID = List.of(
      "1",
      "\"hi\"",
      "{\"text\":\"hi\"}",
      "[1,2,3]",
      "{\"nested\":{\"x\":[true,null,1.5]}}",
      "{\"text\":\"\\u00e9\\ud83d\\ude00\"}");

  /** Random bytes, often not UTF-8. */
  byte[] garbage(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    return bytes;
  }

  /** Sequences that are not UTF-8 (or are, where the row says so). */
  static final List<byte[]> BAD_UTF8 = List.of(
      new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xFF},
      new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0x80},
      new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, new byte[] {(byte) 0xF8, (byte) 0x88});

  /** One to three byte-level changes of {@code valid}. */
  Buffer mutateBytes(Buffer valid) {
    byte[] bytes = valid.getBytes();
    int changes = 1 + below(3);
    for (int i = 0; i < changes; i++) {
      bytes = mutateOnce(bytes);
    }
    return Buffer.buffer(bytes);
  }

  private byte[] mutateOnce(byte[] bytes) {
    int at = bytes.length == 0 ? 0 : below(bytes.length);
    switch (below(8)) {
      case 0: // replace a byte
        if (bytes.length > 0) {
          bytes[at] = (byte) random.nextInt(256);
        }
        return bytes;
      case 1: // flip a bit
        if (bytes.length > 0) {
          bytes[at] ^= (byte) (1 << below(8));
        }
        return bytes;
      case 2: // truncate
        return Arrays.copyOf(bytes, at);
      case 3: // insert garbage
        return splice(bytes, at, 0, garbage(1 + below(8)));
      case 4: // insert a sequence that is not UTF-8
        return splice(bytes, at, 0, pick(BAD_UTF8));
      case 5: // delete a range
        return splice(bytes, at, Math.min(bytes.length - at, 1 + below(10)), new byte[0]);
      case 6: // repeat a range
        int length = Math.min(bytes.length - at, 1 + below(20));
        return splice(bytes, at, 0, Arrays.copyOfRange(bytes, at, at + length));
      default: // insert a structural character
        return splice(bytes, at, 0, new byte[] {(byte) "[]{}\",:\\\u0000".charAt(below(9))});
    }
  }

  private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
    byte[] out = new byte[bytes.length - remove + insert.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
    return out;
  }

  /**
   * A hostile variant of a request built by {@code template} from a (data) value: a hostile
   * value, a byte-level mutation of a valid request, or garbage.
   */
  Buffer variant(Function<String, String> template) {
    int kind = below(10);
    if (kind < 5) {
      return utf8(template.apply(value()));
    }
    if (kind < 9) {
      return mutateBytes(utf8(template.apply(pick(VALID))));
    }
    return chance(50) ? Buffer.buffer(garbage(below(200))) : utf8(pick(LITERALS));
  }

  /** A channel name: valid, hostile, or JSON that is not a string. */
  String channelJson(String valid) {
    switch (below(12)) {
      case 0:
        return "\"" + "c".repeat(254 + below(4)) + "\"";
      case 1:
        return pick(List.of(
            "\"\"",
            "\"a b\"",
            "\"caf\u00e9\"",
            "\"a\\u0000\"",
            "\"a\\n\"",
            "\"../x\"",
            "\"%2e%2e\"",
            "\"nope:x\"",
            "\"user:someone\"",
            "\"feed:fz\"",
            "\"\\ud800\"",
            "\"chat:\"",
            "\":\"",
            "\"tree:fz\""));
      case 2:
        return pick(List.of("1", "null", "[]", "{}", "true", "1e400"));
      default:
        return "\"" + valid + "\"";
    }
  }

  static Buffer utf8(String text) {
    return Bytes.utf8(text);
  }
}
