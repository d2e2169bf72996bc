package io.switchboard.metrics;

import java.util.HashMap;
import java.util.Map;

/** A scrape of /metrics, parsed: {@code name{labels}} as printed, to its value. */
public final class PrometheusText {
  private final Map<String, Double> samples = new HashMap<>();

  public PrometheusText(String text) {
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
  }

  /** The sample's value; 0 when it is absent (a labelled counter not yet incremented). */
  public double value(String series) {
    return samples.getOrDefault(series, 0.0);
  }

  public boolean has(String series) {
    return samples.containsKey(series);
  }

  /** Every sample whose printed name starts with {@code prefix} (a meter and its labels). */
  public Map<String, Double> matching(String prefix) {
    Map<String, Double> found = new HashMap<>();
    samples.forEach((series, value) -> {
      if (series.startsWith(prefix)) {
        found.put(series, value);
      }
    });
    return found;
  }
}
