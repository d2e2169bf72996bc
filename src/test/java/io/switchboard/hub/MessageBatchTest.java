package io.switchboard.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.switchboard.broker.Publication;
import io.switchboard.broker.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one "what is new to this reader" filter of recovery catch-ups and live batches. */
class MessageBatchTest {

  private static MessageBatch batch(String... positions) {
    List<OutboundMessage> messages = new ArrayList<>();
    for (String position : positions) {
      messages.add(
          new OutboundMessage(new Publication("c", StreamPosition.parse(position), 1, null, "{}")));
    }
    return new MessageBatch(messages);
  }

  private static List<String> offsets(MessageBatch batch) {
    return batch == null
        ? null
        : batch.messages().stream().map(OutboundMessage::offset).toList();
  }

  static Stream<Arguments> filters() {
    return Stream.of(
        // name, seen, batch, expected (null: nothing new)
        Arguments.of(
            "after what was seen", "2-e1", List.of("3-e1", "4-e1"), List.of("3-e1", "4-e1")),
        Arguments.of("seen part dropped", "3-e1", List.of("2-e1", "3-e1", "4-e1"), List.of("4-e1")),
        Arguments.of("all seen", "4-e1", List.of("3-e1", "4-e1"), null),
        Arguments.of(
            "history and buffer overlap",
            "1-e1",
            List.of("2-e1", "3-e1", "3-e1", "4-e1"),
            List.of("2-e1", "3-e1", "4-e1")),
        Arguments.of(
            "a new epoch is new", "9-e1", List.of("1-e2", "2-e2"), List.of("1-e2", "2-e2")),
        Arguments.of("nothing seen yet", null, List.of("1-e1"), List.of("1-e1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("filters")
  void keepsOnlyWhatIsNewSince(
      String name, String seen, List<String> positions, List<String> expected) {
    MessageBatch batch = batch(positions.toArray(String[]::new));
    assertEquals(expected, offsets(batch.newSince(StreamPosition.parse(seen))));
  }

  @Test
  void anAllNewBatchIsNotCopied() {
    MessageBatch batch = batch("5-e1", "6-e1");
    assertSame(batch, batch.newSince(StreamPosition.parse("4-e1")));
  }

  @Test
  void anEmptyBatchHasNothingNew() {
    assertNull(batch().newSince(null));
  }
}
