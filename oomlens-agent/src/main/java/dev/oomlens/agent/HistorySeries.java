package dev.oomlens.agent;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.Series;
import dev.oomlens.core.source.EvidenceSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/*
 * What `oomlens watch` keeps of each cgroup's memory, one point a minute (usage and limit, only
 * for cgroups with a limit), read as series: usage is the working set the limit meets, the limit
 * the limit. The workload is the cgroup's path, given as cAdvisor's `id` label (one container life
 * per cgroup) and as the profile's name. So `size` and `doctor` judge the shapes of this host's
 * cgroups without a Prometheus. The history is only read here.
 */

/** The agent's stored downsampled usage of each cgroup, as memory profiles. */
public final class HistorySeries implements EvidenceSource {
  private final History history;
  private final Instant from;
  private final Instant to;

  /** The points of {@code history} in {@code [from, to]}. */
  public HistorySeries(History history, Instant from, Instant to) {
    this.history = requireNonNull(history, "history");
    this.from = requireNonNull(from, "from");
    this.to = requireNonNull(to, "to");
  }

  /** How the input is named: the history file and "samples". */
  public String name() {
    return history.file() + " samples";
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    List<MemoryProfile> profiles = new ArrayList<>();
    long[] samples = {0};
    try {
      history.samples(
          from,
          to,
          c -> {
            Map<String, String> labels = Map.of("id", c.cgroup());
            double[] usage = new double[c.atMillis().length];
            double[] limit = new double[c.atMillis().length];
            for (int i = 0; i < usage.length; i++) {
              usage[i] = c.usageBytes()[i];
              limit[i] = c.limitBytes()[i];
            }
            MemoryProfile p = new MemoryProfile(MemoryProfile.Id.of(Map.of(), c.cgroup()));
            String query = history.file() + " " + c.cgroup();
            p.add(new Series(Series.Role.WORKING_SET, query, labels, c.atMillis(), usage));
            p.add(new Series(Series.Role.LIMIT, query, labels, c.atMillis(), limit));
            samples[0] += usage.length;
            profiles.add(p);
          });
    } catch (IllegalStateException e) {
      evidence.input(
          new Input(
              name(),
              Input.Kind.SERIES,
              0,
              List.of(new Problem(name(), 0, e.getMessage(), Problem.Kind.UNREADABLE))));
      return;
    }
    profiles.forEach(evidence::memory);
    // A history whose agent sampled no cgroup with a limit adds nothing to say it was read.
    if (samples[0] > 0) {
      evidence.input(new Input(name(), Input.Kind.SERIES, samples[0], List.of()));
    }
  }
}
