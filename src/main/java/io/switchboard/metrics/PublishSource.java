package io.switchboard.metrics;

/** The path a publish came in by, the {@code path} label of the message counters. */
public enum PublishSource {
  WS("ws"),
  HTTP("http"),
  BATCH("batch"),
  BUS("bus"),
  INBOX("inbox");

  private final String label;

  PublishSource(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
