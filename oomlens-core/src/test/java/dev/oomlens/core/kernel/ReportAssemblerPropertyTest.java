package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.ReportTestLines.assemble;
import static dev.oomlens.core.kernel.ReportTestLines.onHost;
import static dev.oomlens.core.kernel.ReportTestLines.renumbered;
import static dev.oomlens.core.kernel.ReportTestLines.resource;
import static dev.oomlens.core.kernel.ReportTestLines.unframed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Trigger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Damaged input never makes the assembler throw or invent: corpus reports are truncated,
 * duplicated, interleaved with another host's lines and sprayed with noise, and a report the damage
 * did not touch comes out as it does alone.
 */
class ReportAssemblerPropertyTest {
  private static final String[] FILES = {
    "001-oomanalyser-rhel7-3.10-host.log",
    "003-ubuntu-3.13-docker-java-memcg-v1.log",
    "004-jasei-fedora-4.8-docker-systemd-memcg.log",
    "006-icloudnative-k3s-4.15-cgroupfs-burstable-dmesgT.log",
    "008-panic-on-oom-arm64-5.4.log",
    "009-lkml-cpuset-movable-node-5.8-docker.log",
    "010-martins3-openeuler-5.10-host.log",
    "011-lkml-hyperv-5.13-vmemmap-alloc-failure.log",
    "013-oomanalyser-ubuntu-5.13-sysrq-host.log",
    "015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
    "018-oomanalyser-arch-6.1-host.log",
    "020-ubuntu-6.8-host-journal-priority-filtered.log",
    "023-lstoakes-5.10-next-qemu-host-lines-cut-at-159.log",
    "026-cadvisor-fixture-3.13-memcg-v1-mem2.log",
    "027-cadvisor-fixture-3.13-gce-host.log"
  };
  private static final String FILE = "p.log";
  private static final String NOISE = "()[]:,=#012 \u0000\uFFFD\u00e9oomillfailure0123456789-kBxyz";

  private static final List<List<LogLine>> CORPUS = new ArrayList<>();

  static {
    for (String f : FILES) {
      CORPUS.add(unframed(FILE, resource("corpus/" + f)));
    }
  }

  @Test
  void accept_damagedNeighbour_untouchedReportIdentical() {
    qt().withExamples(150)
        .forAll(
            integers().between(0, FILES.length - 1),
            integers().between(0, FILES.length - 1),
            integers().between(0, 2),
            longs().all())
        .assuming((a, b, mode, seed) -> !a.equals(b) && !FILES[a].contains("alloc-failure"))
        .checkAssert(
            (a, b, mode, seed) -> {
              Random random = new Random(seed);
              List<LogLine> clean = CORPUS.get(a);
              List<LogLine> damaged = damage(CORPUS.get(b), random);
              List<LogLine> input = new ArrayList<>();
              switch (mode) {
                case 0 -> {
                  input.addAll(clean);
                  input.addAll(damaged);
                }
                case 1 -> {
                  input.addAll(damaged);
                  input.addAll(filler(2100));
                  input.addAll(clean);
                }
                default -> input.addAll(interleave(clean, onHost(damaged, "other"), random));
              }
              ReportTestLines.Collected alone = assemble(renumbered(clean, FILE, 1));
              ReportTestLines.Collected mixed = assemble(renumbered(input, FILE, 1));
              assertThat(mixed.problems)
                  .noneMatch(p -> p.message().startsWith("could not assemble"));
              List<String> expected = alone.reports.stream().map(this::normalized).toList();
              List<String> actual =
                  mixed.reports.stream()
                      .filter(r -> r.host().isEmpty())
                      .map(this::normalized)
                      .toList();
              if (mode == 1) {
                assertThat(actual).endsWith(expected.toArray(String[]::new));
              } else {
                assertThat(actual).startsWith(expected.toArray(String[]::new));
              }
            });
  }

  @Test
  void accept_anyDamage_neverThrows() {
    qt().withExamples(300)
        .forAll(integers().between(0, FILES.length - 1), longs().all())
        .checkAssert(
            (b, seed) -> {
              Random random = new Random(seed);
              List<LogLine> damaged = damage(damage(CORPUS.get(b), random), random);
              ReportTestLines.Collected out = assemble(renumbered(damaged, FILE, 1));
              assertThat(out.problems).noneMatch(p -> p.message().startsWith("could not assemble"));
              ReportTestLines.Collected all =
                  ReportTestLines.assembleAll(renumbered(damaged, FILE, 1));
              assertThat(all.problems).noneMatch(p -> p.message().startsWith("could not assemble"));
            });
  }

  /**
   * A paste: a corpus file cut at both ends and with lines dropped in between (the kill line, the
   * summary, whatever a console dropped), with no text altered. Whatever reports come out hold only
   * facts the whole file holds: no victim, trigger, cgroup or usage is made up.
   */
  @Test
  void accept_pasteCutAnywhere_neverInventsAFact() {
    qt().withExamples(300)
        .forAll(integers().between(0, FILES.length - 1), longs().all())
        .checkAssert(
            (f, seed) -> {
              Random random = new Random(seed);
              List<LogLine> whole = CORPUS.get(f);
              List<LogLine> cut = new ArrayList<>(whole);
              int from = random.nextInt(cut.size());
              int to = from + 1 + random.nextInt(cut.size() - from);
              cut = new ArrayList<>(cut.subList(from, to));
              for (int k = random.nextInt(4); k > 0 && !cut.isEmpty(); k--) {
                int at = random.nextInt(cut.size());
                cut.subList(at, Math.min(cut.size(), at + 1 + random.nextInt(3))).clear();
              }
              Facts truth = Facts.of(whole);
              for (ReportTestLines.Collected out :
                  List.of(
                      assemble(renumbered(cut, FILE, 1)),
                      ReportTestLines.assembleAll(renumbered(cut, FILE, 1)))) {
                assertThat(out.problems)
                    .noneMatch(p -> p.message().startsWith("could not assemble"));
                for (OomReport r : out.reports) {
                  truth.check(r);
                }
              }
            });
  }

  /**
   * A trigger line wrapped at any column from its fields to its oom_score_adj value, the tail on a
   * line of its own with no framing: the report reads the trigger whole, as if never wrapped.
   */
  @Test
  void accept_triggerWrappedAnywhere_readWhole() {
    qt().withExamples(200)
        .forAll(integers().between(0, FILES.length - 1), longs().all())
        .assuming((f, seed) -> wrappable(CORPUS.get(f)) >= 0)
        .checkAssert(
            (f, seed) -> {
              List<LogLine> lines = CORPUS.get(f);
              int at = wrappable(lines);
              LogLine t = lines.get(at);
              String m = t.message();
              int from = m.indexOf(" invoked oom-killer:") + " invoked oom-killer:".length();
              int to = m.indexOf("oom_score_adj=") + "oom_score_adj=".length();
              int column = from + new Random(seed).nextInt(to - from + 1);
              List<LogLine> wrapped = new ArrayList<>(lines.subList(0, at));
              wrapped.add(
                  ReportTestLines.line(
                      t.source(), t.host(), t.time(), m.substring(0, column).strip()));
              wrapped.add(
                  ReportTestLines.line(
                      new SourceLine(FILE, 1, "tail"),
                      Optional.empty(),
                      LogTime.UNKNOWN,
                      m.substring(column).strip()));
              wrapped.addAll(lines.subList(at + 1, lines.size()));
              OomReport expected = withTrigger(assemble(renumbered(lines, FILE, 1)).reports);
              OomReport actual = withTrigger(assemble(renumbered(wrapped, FILE, 1)).reports);
              Trigger e = expected.trigger().orElseThrow();
              Trigger a = actual.trigger().orElseThrow();
              assertThat(List.of(a.comm(), a.gfpMask(), a.order(), a.oomScoreAdj()))
                  .as("wrapped at column %d of %s", column, m)
                  .isEqualTo(List.of(e.comm(), e.gfpMask(), e.order(), e.oomScoreAdj()));
              assertThat(actual.victim().map(v -> v.pid()))
                  .isEqualTo(expected.victim().map(v -> v.pid()));
            });
  }

  private static OomReport withTrigger(List<OomReport> reports) {
    return reports.stream().filter(r -> r.trigger().isPresent()).findFirst().orElseThrow();
  }

  /** The index of the first trigger line that prints every field, or -1. */
  private static int wrappable(List<LogLine> lines) {
    for (int i = 0; i < lines.size(); i++) {
      String m = lines.get(i).message();
      if (m.contains(" invoked oom-killer: gfp_mask=")
          && m.contains(", order=")
          && m.matches(".*oom_score_adj=-?\\d+$")) {
        return i;
      }
    }
    return -1;
  }

  /** What the whole input says, to hold the reports of a part of it against. */
  private record Facts(
      Set<Long> victims, Set<Long> triggerPids, Set<String> cgroups, Set<Long> usagesBytes) {
    static Facts of(List<LogLine> lines) {
      Set<Long> victims = new HashSet<>();
      Set<Long> pids = new HashSet<>();
      Set<String> cgroups = new HashSet<>();
      Set<Long> usages = new HashSet<>();
      for (OomReport r : ReportTestLines.assembleAll(renumbered(lines, FILE, 1)).reports) {
        r.victim().ifPresent(v -> victims.add(v.pid()));
        r.trigger()
            .flatMap(t -> t.pid().isPresent() ? Optional.of(t.pid().getAsLong()) : Optional.empty())
            .ifPresent(pids::add);
        r.oomMemcg().ifPresent(cgroups::add);
        r.taskMemcg().ifPresent(cgroups::add);
        r.memcg().ifPresent(m -> usages.add(m.usageBytes()));
        r.memcg().flatMap(m -> m.statCgroup()).ifPresent(cgroups::add);
        r.memcg().ifPresent(m -> cgroups.addAll(m.statByCgroup().keySet()));
      }
      // A reaper's line names the victim of a kill whose kill line is gone.
      for (LogLine l : lines) {
        Matcher m = REAPED.matcher(l.message());
        if (m.find()) {
          victims.add(Long.parseLong(m.group(1)));
        }
      }
      return new Facts(victims, pids, cgroups, usages);
    }

    void check(OomReport r) {
      r.victim().ifPresent(v -> assertThat(victims).as("victim").contains(v.pid()));
      r.trigger()
          .ifPresent(
              t -> t.pid().ifPresent(p -> assertThat(triggerPids).as("trigger pid").contains(p)));
      r.oomMemcg().ifPresent(c -> assertThat(cgroups).as("oom_memcg").contains(c));
      r.taskMemcg().ifPresent(c -> assertThat(cgroups).as("task_memcg").contains(c));
      r.memcg().ifPresent(m -> assertThat(usagesBytes).as("usage").contains(m.usageBytes()));
    }
  }

  private static final Pattern REAPED =
      Pattern.compile("oom_reaper: (?:reaped process |unable to reap pid:)(\\d+) ");

  /** The report with its line numbers taken out, so that it compares across positions. */
  private String normalized(OomReport r) {
    return r.toString()
        .replaceAll("p\\.log:\\d+: ", "p.log:#: ")
        .replaceAll("firstLine=\\d+, lastLine=\\d+", "lines=#");
  }

  private static List<LogLine> damage(List<LogLine> lines, Random random) {
    List<LogLine> out = new ArrayList<>(lines);
    int ops = 1 + random.nextInt(4);
    for (int op = 0; op < ops && !out.isEmpty(); op++) {
      int n = out.size();
      int i = random.nextInt(n);
      int j = i + random.nextInt(n - i + 1);
      switch (random.nextInt(5)) {
        case 0 -> out = new ArrayList<>(out.subList(0, i));
        case 1 -> out = new ArrayList<>(out.subList(i, n));
        case 2 -> out.subList(i, j).clear();
        case 3 -> out.addAll(j, new ArrayList<>(out.subList(i, j)));
        default -> {
          for (int k = 0; k < 1 + random.nextInt(5); k++) {
            int at = random.nextInt(out.size());
            out.set(at, noisy(out.get(at), random));
          }
        }
      }
    }
    return out;
  }

  private static LogLine noisy(LogLine l, Random random) {
    StringBuilder m = new StringBuilder(l.message());
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = m.isEmpty() ? 0 : random.nextInt(m.length() + 1);
      switch (random.nextInt(3)) {
        case 0 -> m.insert(at, NOISE.charAt(random.nextInt(NOISE.length())));
        case 1 -> m.setLength(Math.min(m.length(), at));
        default -> {
          if (at < m.length()) {
            m.setCharAt(at, NOISE.charAt(random.nextInt(NOISE.length())));
          }
        }
      }
    }
    return new LogLine(
        l.source(), l.framing(), l.host(), l.tag(), l.time(), l.continuation(), m.toString());
  }

  /** Interleaves whole physical lines: the logical lines of one physical line stay together. */
  private static List<LogLine> interleave(List<LogLine> a, List<LogLine> b, Random random) {
    List<List<LogLine>> ga = physical(a);
    List<List<LogLine>> gb = physical(b);
    List<LogLine> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < ga.size() || j < gb.size()) {
      if (j >= gb.size() || (i < ga.size() && random.nextBoolean())) {
        out.addAll(ga.get(i++));
      } else {
        out.addAll(gb.get(j++));
      }
    }
    return out;
  }

  private static List<List<LogLine>> physical(List<LogLine> lines) {
    List<List<LogLine>> out = new ArrayList<>();
    for (LogLine l : lines) {
      if (out.isEmpty() || !out.getLast().getFirst().source().equals(l.source())) {
        out.add(new ArrayList<>());
      }
      out.getLast().add(l);
    }
    return out;
  }

  private static List<LogLine> filler(int count) {
    List<LogLine> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      out.add(
          ReportTestLines.line(
              new SourceLine(FILE, 1, "f" + k),
              Optional.empty(),
              LogTime.UNKNOWN,
              "EXT4-fs (sda1): mounted filesystem " + k));
    }
    return out;
  }
}
