package dev.oomlens.core.rules.analyzers;

import static dev.oomlens.core.rules.Sizes.human;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.LimitChange;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RuleInfo;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.MemoryShape;
import dev.oomlens.core.series.Sizing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/*
 * What the series rules share: the profiles of one shape, the window they cite (the working set's
 * highest value per bucket, thinned to at most 60 points so a finding stays readable), the sizes
 * oomlens size would propose (so a finding's fix and `size` never disagree) and their snippet.
 */

/** Helpers of the rules that read memory over time. */
final class SeriesFacts {
  static final int CITED_POINTS = 60;

  private SeriesFacts() {}

  /** The profiles whose shape is {@code shape}, with their shapes. */
  static List<MemoryShapeOf> ofShape(EvidenceSet evidence, MemoryShape.Shape shape) {
    List<MemoryShapeOf> out = new ArrayList<>();
    for (MemoryProfile p : evidence.memory()) {
      MemoryShape s = p.shape();
      if (s.shape() == shape) {
        out.add(new MemoryShapeOf(p, s));
      }
    }
    return out;
  }

  /** A profile and its shape. */
  record MemoryShapeOf(MemoryProfile profile, MemoryShape shape) {
    String name() {
      return profile.id().name();
    }

    Sizing.Recommendation ours() {
      return Sizing.of(profile).ours();
    }
  }

  /**
   * The window of the working set a finding relied on: the highest value per bucket, or the lowest
   * ({@code lowest}, what the leak test fits).
   */
  static SeriesWindow window(MemoryProfile p, boolean lowest) {
    double[][] c = p.chart();
    int n = c[0].length;
    int step = Math.max(1, (n + CITED_POINTS - 1) / CITED_POINTS);
    List<SeriesWindow.Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i += step) {
      double v = lowest ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
      for (int j = i; j < Math.min(n, i + step); j++) {
        v = lowest ? Math.min(v, c[1][j]) : Math.max(v, c[2][j]);
      }
      samples.add(new SeriesWindow.Sample(Instant.ofEpochMilli((long) (c[0][i] * 1000)), v));
    }
    Instant from = p.from().orElse(Instant.EPOCH);
    Instant to = p.to().orElse(from);
    List<SeriesWindow.Sample> inside =
        samples.stream().filter(s -> !s.time().isBefore(from) && !s.time().isAfter(to)).toList();
    return new SeriesWindow(p.query(), p.labels(), from, to, inside);
  }

  /** The fix that sets the sizes oomlens size proposes, when they set a limit. */
  static Optional<Fix> sizeFix(MemoryShapeOf m, String action) {
    Sizing.Recommendation r = m.ours();
    if (r.limitBytes().isEmpty() || r.requestBytes().isEmpty()) {
      return Optional.empty();
    }
    long limit = r.limitBytes().getAsLong();
    return Optional.of(
        new Fix(
            Layer.CONTAINER_LIMIT,
            action + " (" + r.why() + ").",
            Optional.of(LimitSnippet.kubernetes(r.requestBytes().getAsLong(), limit)),
            Optional.of(
                new LimitChange(
                    m.name(), LimitChange.Knob.MEMORY, m.shape().limitBytes(), limit))));
  }

  /** The finding of one workload's shape, citing the window of its highest values. */
  static Finding finding(
      RuleInfo info,
      Severity severity,
      Confidence confidence,
      MemoryShapeOf m,
      String summary,
      String reasoning,
      List<Fix> fixes) {
    return new Finding(
        info.code(),
        severity,
        confidence,
        summary,
        reasoning,
        List.of(window(m.profile(), false)),
        fixes);
  }

  /** {@code p50 300.0 MiB, p95 310.0 MiB, peak 640.0 MiB, limit 512.0 MiB}. */
  static String levels(MemoryShape s) {
    String out =
        "p50 "
            + human(s.p50Bytes())
            + ", p95 "
            + human(s.p95Bytes())
            + ", peak "
            + human(s.peakBytes());
    if (s.limitBytes().isPresent()) {
      out += ", limit " + human(s.limitBytes().getAsLong());
    }
    return out;
  }

  /** {@code 7.0 days of 20160 samples}. */
  static String span(MemoryShape s) {
    return LeakAnalyzer.duration(s.span().toSeconds()) + " (" + s.samples() + " samples)";
  }

  static String percent(double part, double whole) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * part / whole);
  }
}
