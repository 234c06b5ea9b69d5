package dev.oomlens.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A window of a time series a finding relied on: the query that selected it, the series' labels,
 * the window and the samples in it.
 *
 * @param query as sent (PromQL, or the name of a saved series file)
 * @param labels of the one series, sorted by name
 * @param samples in time order, inside {@code [from, to]}
 */
public record SeriesWindow(
    String query, Map<String, String> labels, Instant from, Instant to, List<Sample> samples)
    implements Citation {
  /** One value of the series at one time. */
  public record Sample(Instant time, double value) {
    public Sample {
      requireNonNull(time, "time");
    }
  }

  public SeriesWindow {
    requireNonNull(query, "query");
    labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("window ends before it starts: " + from + ".." + to);
    }
    samples = List.copyOf(samples);
  }

  @Override
  public String describe() {
    StringBuilder s = new StringBuilder(query);
    if (!labels.isEmpty()) {
      s.append(' ').append(labels);
    }
    s.append(" from ")
        .append(from)
        .append(" to ")
        .append(to)
        .append(": ")
        .append(samples.size())
        .append(samples.size() == 1 ? " sample" : " samples");
    return s.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
