package io.switchboard.config;

import java.util.List;

/** A config that cannot be used; each problem names its key, e.g. {@code http.port: must be ...}. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("; ", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
