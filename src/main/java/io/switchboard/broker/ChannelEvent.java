package io.switchboard.broker;

/** A join or leave of a user in a channel; not part of the history and without an offset. */
public record ChannelEvent(String channel, Kind kind, String user) {
  public enum Kind {
    JOIN("join"),
    LEAVE("leave");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }
}
