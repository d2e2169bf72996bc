package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.jackson.HybridJacksonPool;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The one way JSON from outside enters the node: WebSocket frames, HTTP bodies, event-bus
 * requests and Redis inbox entries all go through here, so one hostile document gets the same
 * answer wherever it is sent. Stricter than {@code Json.decodeValue}, which allows comments and
 * keeps the last of duplicate keys:
 *
 * <ul>
 *   <li>bytes must be UTF-8 as RFC 3629 defines it: overlong forms, encoded surrogates and code
 *       points above U+10FFFF are refused, not replaced (Jackson's own byte decoder lets them
 *       through, so bytes are decoded by the JDK's strict decoder first);</li>
 *   <li>at most {@link #MAX_DEPTH} nested arrays and objects: far below the depth at which our
 *       recursive code (vertx-json-schema with a recursive namespace schema, Vert.x's tree
 *       builder and encoder) would overflow a thread's stack, which is about 1500;</li>
 *   <li>numbers of at most {@link #MAX_NUMBER_LENGTH} digits, and none whose value does not fit a
 *       double ({@code 1e400} would be re-encoded as the string "Infinity");</li>
 *   <li>no duplicate keys: parsers disagree on which one wins, so a proxy and this node could read
 *       two different messages from one text;</li>
 *   <li>no unpaired surrogate escapes ({@code "\ud800"}): they cannot be encoded as UTF-8, so the
 *       message subscribers got would differ from the one that was checked;</li>
 *   <li>strict RFC 8259 otherwise: no comments, no NaN, no raw control characters (a raw NUL
 *       byte included) in strings, nothing after the value. An escaped NUL ({@code \u0000}) is
 *       an ordinary character of a string and is passed on escaped.</li>
 * </ul>
 *
 * <p>Everything refused is {@code bad_request}. Sizes are checked before decoding: by the transport
 * (WebSocket frame, HTTP body) or here ({@code too_large}). Thread-safe: the factory is configured
 * once.
 */
public final class InboundJson {
  /** Nesting depth of arrays and objects, counting the outermost one (the frame or body). */
  public static final int MAX_DEPTH = 64;
  /** Digits of one number: integer, fraction and exponent digits together, as Jackson counts. */
  public static final int MAX_NUMBER_LENGTH = 100;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxNumberLength(MAX_NUMBER_LENGTH)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // for reparse(): NaN written bare, so the decoder refuses it, rather than as the string "NaN"
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .streamWriteConstraints(
          StreamWriteConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .recyclerPool(HybridJacksonPool.getInstance())
      .build();

  private InboundJson() {}

  /**
   * The value of a JSON text: a JsonObject, JsonArray, String, Number, Boolean or null.
   *
   * @param what names the input in the error message ("frame", "request body")
   * @throws SwitchboardException {@code bad_request} saying what is wrong
   */
  public static Object decode(String text, String what) {
    try {
      return JacksonCodec.fromParser(new CheckedParser(FACTORY.createParser(text)), Object.class);
    } catch (DecodeException e) {
      throw new SwitchboardException(
          ErrorCode.BAD_REQUEST, what + " is not valid JSON: " + reason(e));
    } catch (IOException e) {
      // createParser over a String does no I/O; kept apart from parse errors all the same
      throw new SwitchboardException(ErrorCode.BAD_REQUEST, what + " is not valid JSON");
    }
  }

  /** {@link #decode(String, String)} of UTF-8 bytes, refusing any that are not strictly UTF-8. */
  public static Object decode(Buffer bytes, String what) {
    return decode(utf8(bytes, what), what);
  }

  /**
   * For entry points without a transport limit of their own (event bus, Redis inbox): also
   * {@code too_large} over {@code limits.maxBodyBytes} bytes of UTF-8 ({@code maxBytes}, 0: none).
   */
  public static Object decode(Buffer bytes, String what, int maxBytes) {
    checkSize(bytes.length(), what, maxBytes);
    return decode(bytes, what);
  }

  /** As {@link #decode(Buffer, String, int)}, for text from Java senders. */
  public static Object decode(String text, String what, int maxBytes) {
    // a char is one to three UTF-8 bytes, so only long texts need encoding to be measured
    if (maxBytes > 0 && text.length() > maxBytes / 3) {
      checkSize(
          text.length() > maxBytes ? text.length() : text.getBytes(StandardCharsets.UTF_8).length,
          what,
          maxBytes);
    }
    return decode(text, what);
  }

  private static void checkSize(int bytes, String what, int maxBytes) {
    if (maxBytes > 0 && bytes > maxBytes) {
      throw new SwitchboardException(
          ErrorCode.TOO_LARGE,
          what + " is larger than limits.maxBodyBytes (" + maxBytes + " bytes)");
    }
  }

  /**
   * A value built in Java (an event-bus JsonObject) held to the same rules as a JSON text: written
   * out and decoded again, so values JSON has no form for (NaN, a Java object) or that a text
   * could not carry (a lone surrogate, 5000 levels) are refused as they would be from a client.
   */
  public static Object reparse(Object value, String what) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      JacksonCodec.encodeJson(value, generator);
    } catch (EncodeException | IOException e) {
      throw new SwitchboardException(
          ErrorCode.BAD_REQUEST,
          what + " is not JSON: " + abbreviated(String.valueOf(e.getMessage()), 200));
    }
    return decode(out.toString(), what);
  }

  /** The text of strictly UTF-8 bytes, or {@code bad_request}. */
  public static String utf8(Buffer bytes, String what) {
    try {
      // newDecoder() reports malformed input instead of replacing it, as String's constructor does
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(ByteBuffer.wrap(bytes.getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SwitchboardException(ErrorCode.BAD_REQUEST, what + " is not valid UTF-8");
    }
  }

  /** Jackson's own words without its location suffix and pointers into its API. */
  private static String reason(DecodeException e) {
    String message = e.getCause() instanceof JsonProcessingException jackson
        ? jackson.getOriginalMessage()
        : e.getMessage();
    if (message == null) {
      return "unreadable";
    }
    return abbreviated(message.replaceAll(", from `[^`]*`", "").replace('\n', ' '), 200);
  }

  private static String abbreviated(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  /**
   * Adds the checks Jackson has no feature for to the values Vert.x's tree builder
   * ({@link JacksonCodec#fromParser}) reads: it takes keys from {@code nextFieldName}, strings from
   * {@code getText} and numbers from {@code getNumberValue}. InboundJsonTest fails if a Vert.x
   * upgrade reads them another way and a check no longer runs.
   */
  private static final class CheckedParser extends JsonParserDelegate {
    CheckedParser(JsonParser parser) {
      super(parser);
    }

    @Override
    public String nextFieldName() throws IOException {
      return checked(delegate.nextFieldName());
    }

    @Override
    public String getText() throws IOException {
      String text = delegate.getText();
      return delegate.currentToken() == JsonToken.VALUE_STRING ? checked(text) : text;
    }

    @Override
    public Number getNumberValue() throws IOException {
      Number number = delegate.getNumberValue();
      if (number instanceof Double d && d.isInfinite()) {
        throw new JsonParseException(
            this,
            "number " + abbreviated(delegate.getText(), 24)
                + " is out of range (beyond +-1.7976931348623157e308)");
      }
      return number;
    }

    private String checked(String text) throws JsonParseException {
      if (text != null) {
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1))) {
            i++;
          } else if (Character.isSurrogate(c)) {
            throw new JsonParseException(
                this, "unpaired surrogate \\u" + Integer.toHexString(c) + " in a string");
          }
        }
      }
      return text;
    }
  }
}
