package dev.oomlens.core.verify;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.SeriesWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of checking a fix's criteria over a window: per criterion, passed or the series (so
 * the hosts) that fail it with their values; and the hosts that reported no data at all.
 *
 * @param hostLabel the label that names a host ({@code instance} unless the file says otherwise)
 * @param silentHosts hosts the file names that sent no sample in the window: each fails
 */
public record Verification(
    Instant from,
    Instant to,
    Duration step,
    String hostLabel,
    List<String> hosts,
    List<Result> results,
    List<String> silentHosts) {
  public Verification {
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    requireNonNull(step, "step");
    requireNonNull(hostLabel, "hostLabel");
    hosts = List.copyOf(hosts);
    results = List.copyOf(results);
    silentHosts = List.copyOf(silentHosts);
  }

  /**
   * One criterion's outcome.
   *
   * @param offending the series it returned, each with its labels and values (thinned to at most
   *     {@link #MAX_VALUES}, the highest kept)
   */
  public record Result(Criterion criterion, List<SeriesWindow> offending) {
    public static final int MAX_VALUES = 20;

    public Result {
      requireNonNull(criterion, "criterion");
      offending = List.copyOf(offending);
    }

    public boolean passed() {
      return offending.isEmpty();
    }
  }

  /**
   * The hosts named in the file that {@code r} found nothing wrong with and that sent data: the
   * hosts it passed on.
   */
  public List<String> passedHosts(Result r) {
    java.util.Set<String> failed = new java.util.HashSet<>(silentHosts);
    r.offending().forEach(w -> failed.add(hostOf(w)));
    return hosts.stream().filter(h -> !failed.contains(h)).toList();
  }

  /** True when every criterion passed and every host sent data. */
  public boolean passed() {
    return silentHosts.isEmpty() && results.stream().allMatch(Result::passed);
  }

  /** The host a series is about: its host label, without a {@code :port}. */
  public String hostOf(SeriesWindow w) {
    String v = w.labels().getOrDefault(hostLabel, "");
    int colon = v.lastIndexOf(':');
    return colon > 0 && v.substring(colon + 1).matches("[0-9]+") ? v.substring(0, colon) : v;
  }
}
