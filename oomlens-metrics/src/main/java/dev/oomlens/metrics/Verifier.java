package dev.oomlens.metrics;

import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.series.Series;
import dev.oomlens.core.verify.Criterion;
import dev.oomlens.core.verify.Verification;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/*
 * Each criterion is one range query over the window; every series it returns is an offender (a
 * criterion is written as the condition of an alert). A host named in the file that sent no `up`
 * sample in the window fails on its own: a host that reports nothing would otherwise pass every
 * criterion. Values of an offender are thinned to the highest MAX_VALUES, in time order, so a week
 * of a failing host stays readable.
 */

/** Checks a criteria file against a Prometheus-compatible server. */
public final class Verifier {
  private final PrometheusClient client;

  public Verifier(PrometheusClient client) {
    this.client = client;
  }

  /**
   * Runs every criterion over {@code [file.since, until]}.
   *
   * @throws PrometheusClient.QueryFailed when a query fails: no verdict is given on partial data
   */
  public Verification verify(CriteriaFile file, Instant until, Duration step)
      throws PrometheusClient.QueryFailed {
    Instant from = file.since();
    List<Verification.Result> results = new ArrayList<>();
    for (Criterion c : file.criteria()) {
      List<SeriesWindow> offending = new ArrayList<>();
      Map<Map<String, String>, List<SeriesWindow.Sample>> bySeries = new LinkedHashMap<>();
      client.queryRange(
          c.expr(),
          from,
          until,
          step,
          l -> Series.Role.WORKING_SET,
          s -> {
            List<SeriesWindow.Sample> samples =
                bySeries.computeIfAbsent(s.labels(), k -> new ArrayList<>());
            for (int i = 0; i < s.size(); i++) {
              samples.add(
                  new SeriesWindow.Sample(Instant.ofEpochMilli(s.epochMillis()[i]), s.values()[i]));
            }
          });
      bySeries.forEach(
          (labels, samples) ->
              offending.add(
                  new SeriesWindow(
                      c.expr(),
                      labels,
                      samples.getFirst().time(),
                      samples.getLast().time(),
                      thin(samples))));
      results.add(new Verification.Result(c, offending));
    }
    Set<String> reporting = new LinkedHashSet<>();
    Verification probe =
        new Verification(from, until, step, file.hostLabel(), file.hosts(), List.of(), List.of());
    if (!file.hosts().isEmpty()) {
      client.queryRange(
          "max by (" + file.hostLabel() + ") (up)",
          from,
          until,
          step,
          l -> Series.Role.WORKING_SET,
          s -> {
            if (s.size() > 0) {
              reporting.add(
                  probe.hostOf(new SeriesWindow("up", s.labels(), from, until, List.of())));
            }
          });
    }
    List<String> silent = file.hosts().stream().filter(h -> !reporting.contains(h)).toList();
    return new Verification(from, until, step, file.hostLabel(), file.hosts(), results, silent);
  }

  private static List<SeriesWindow.Sample> thin(List<SeriesWindow.Sample> all) {
    if (all.size() <= Verification.Result.MAX_VALUES) {
      return all;
    }
    return all.stream()
        .sorted(Comparator.comparingDouble(SeriesWindow.Sample::value).reversed())
        .limit(Verification.Result.MAX_VALUES)
        .sorted(Comparator.comparing(SeriesWindow.Sample::time))
        .toList();
  }
}
