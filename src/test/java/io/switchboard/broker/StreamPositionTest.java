package io.switchboard.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The comparisons every "was it already sent?" and "is history still whole?" check relies on. */
class StreamPositionTest {

  private static StreamPosition at(long offset, String epoch) {
    return new StreamPosition(offset, epoch);
  }

  static Stream<Arguments> pairs() {
    StreamPosition a5 = at(5, "aaaaaaaa");
    return Stream.of(
        // name, position, other, isAfter, isAtOrBefore, isNewSince, follows
        Arguments.of("later offset, same epoch", at(6, "aaaaaaaa"), a5, true, false, true, true),
        Arguments.of("two later", at(7, "aaaaaaaa"), a5, true, false, true, false),
        Arguments.of("same position", at(5, "aaaaaaaa"), a5, false, true, false, false),
        Arguments.of("earlier offset", at(4, "aaaaaaaa"), a5, false, true, false, false),
        Arguments.of(
            "other epoch, higher offset", at(9, "bbbbbbbb"), a5, false, false, true, false),
        Arguments.of("other epoch, lower offset", at(1, "bbbbbbbb"), a5, false, false, true, false),
        Arguments.of("other epoch, next offset", at(6, "bbbbbbbb"), a5, false, false, true, false),
        Arguments.of("nothing seen yet", a5, null, false, false, true, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void comparesWithinOneEpochOnly(
      String name,
      StreamPosition position,
      StreamPosition other,
      boolean after,
      boolean atOrBefore,
      boolean newSince,
      boolean follows) {
    assertEquals(after, position.isAfter(other), "isAfter");
    assertEquals(atOrBefore, position.isAtOrBefore(other), "isAtOrBefore");
    assertEquals(newSince, position.isNewSince(other), "isNewSince");
    assertEquals(follows, position.follows(other), "follows");
  }

  static Stream<Arguments> recoveries() {
    StreamPosition top = at(10, "aaaaaaaa");
    return Stream.of(
        // name, since, top, oldest retained offset (0: none), recoverable
        Arguments.of("at the top, nothing retained", at(10, "aaaaaaaa"), top, 0L, true),
        Arguments.of("at the top, history retained", at(10, "aaaaaaaa"), top, 3L, true),
        Arguments.of("next offset is the oldest retained", at(6, "aaaaaaaa"), top, 7L, true),
        Arguments.of("well inside the retained history", at(6, "aaaaaaaa"), top, 2L, true),
        Arguments.of("next offset was trimmed", at(5, "aaaaaaaa"), top, 7L, false),
        Arguments.of("behind the top, nothing retained", at(9, "aaaaaaaa"), top, 0L, false),
        Arguments.of("past the top", at(11, "aaaaaaaa"), top, 1L, false),
        Arguments.of("another epoch", at(6, "bbbbbbbb"), top, 1L, false),
        Arguments.of("from the start of the stream", at(0, "aaaaaaaa"), top, 1L, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("recoveries")
  void recoverableOnlyWhenTheNextOffsetIsRetained(
      String name, StreamPosition since, StreamPosition top, long oldest, boolean expected) {
    assertEquals(expected, since.recoverableFrom(top, oldest));
  }

  @Test
  void parsesWhatItEncodes() {
    StreamPosition position = at(42, "0badcafe");
    assertEquals(position, StreamPosition.parse(position.encode()));
  }
}
