package io.switchboard.broker;

import java.util.List;

/**
 * @param publications oldest first
 * @param top the channel's current position (what the next subscriber's ack carries)
 * @param reachesSince true when nothing after {@code since} was lost: same epoch and still in the
 *     retained history (always true without {@code since})
 */
public record HistoryPage(
    List<Publication> publications, StreamPosition top, boolean reachesSince) {}
