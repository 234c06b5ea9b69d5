package dev.oomlens.cli;

import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.metrics.PrometheusHosts;
import dev.oomlens.metrics.PrometheusMemory;
import dev.oomlens.metrics.SeriesFiles;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --series}, {@code --prometheus} and its authentication, {@code --step}, {@code
 * --namespace}: where memory over time is read from.
 */
final class SeriesOptions {
  static final Duration DEFAULT_WINDOW = Duration.ofDays(7);

  @Option(
      names = "--series",
      paramLabel = "FILE",
      arity = "1..*",
      description =
          "Memory over time from files: a saved query_range JSON answer, CSV"
              + " (time,series,value) or an RSS log (HH:MM:SS RSS: N kB); node_exporter's"
              + " node_memory_* and node_pressure_memory_* series in them are the hosts'.")
  List<String> series = new ArrayList<>();

  @Mixin PrometheusOptions server;

  @Option(
      names = "--step",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = StepConverter.class,
      description = "Resolution of the working set from --prometheus. Default: ${DEFAULT-VALUE}.")
  Duration step = Duration.ofSeconds(30);

  @Option(
      names = "--namespace",
      paramLabel = "NAME",
      description = "Only the containers of this Kubernetes namespace (--prometheus).")
  String namespace;

  boolean any() {
    return !series.isEmpty() || server.prometheus != null;
  }

  /**
   * The series sources the options name, over {@code [from, to]} (from defaults to 7 days before
   * to): the containers' memory only, as size wants it.
   */
  List<EvidenceSource> sources(Optional<Instant> from, Instant to, Clock clock) throws IOException {
    return sources(from, to, clock, false);
  }

  /**
   * As {@link #sources(Optional, Instant, Clock)}, and with {@code hosts} node_exporter's series of
   * each host from --prometheus too (a diagnosis reads them; files give them whenever they hold
   * them).
   */
  List<EvidenceSource> sources(Optional<Instant> from, Instant to, Clock clock, boolean hosts)
      throws IOException {
    List<EvidenceSource> out = new ArrayList<>();
    if (!series.isEmpty()) {
      out.add(new SeriesFiles(series, LocalDate.now(clock)));
    }
    if (server.prometheus != null) {
      out.add(
          new PrometheusMemory(
              server.client(),
              from.orElse(to.minus(DEFAULT_WINDOW)),
              to,
              step,
              Optional.ofNullable(namespace)));
      if (hosts) {
        out.add(
            new PrometheusHosts(server.client(), from.orElse(to.minus(DEFAULT_WINDOW)), to, step));
      }
    }
    return out;
  }

  /** A step such as 30s, 1m, 5m. */
  static final class StepConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)([smh])").matcher(value);
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected a step such as 30s," + " 1m or 5m, not '" + value + "'");
      }
      long v = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(v);
        case "m" -> Duration.ofMinutes(v);
        default -> Duration.ofHours(v);
      };
    }
  }
}
