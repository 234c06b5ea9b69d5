package dev.oomlens.report.markdown;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.kernel.KillerLogParser;
import dev.oomlens.core.model.SourceLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden tests: the post-mortem draft of every real kernel log of the corpus and of the QEMU lab
 * (reader, incidents and the rule engine's findings, as {@code doctor} runs them) must give exactly
 * {@code golden-markdown/<name>.md}. {@code -Dgolden.update=true} rewrites the files, for a
 * reviewer to read in the diff.
 */
class MarkdownGoldenTest {
  static final Path GOLDEN = Path.of("src", "test", "resources", "golden-markdown");

  static List<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(Evidence.CORPUS)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void render_corpusLog_matchesGolden(Path log) throws IOException {
    Evidence e = Evidence.of(log, Optional.empty(), List.of());
    String name = "corpus-" + log.getFileName().toString().substring(0, 3) + ".md";
    assertGolden(name, e);
  }

  /** The QEMU lab's scenarios; host-wide ones with the /proc files captured after the kill. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "cgv2-container-limit",
        "cgv2-kube-pod-oom-group",
        "cgv2-memory-high-throttle",
        "cgv2-oom-group",
        "host-oom-no-swap",
        "host-oom-zram",
        "sysrq-oom",
        "thrashing"
      })
  void render_vmlabScenario_matchesGolden(String scenario) throws IOException {
    Path proc = Evidence.HOSTS.resolve("vmlab-" + scenario).resolve("after-kill").resolve("proc");
    Optional<HostSnapshot> host =
        Files.isDirectory(proc)
            ? Optional.of(Evidence.snapshot(proc, "vmlab-" + scenario, "6.1.0-56-cloud-amd64"))
            : Optional.empty();
    Evidence e =
        Evidence.of(Evidence.VMLAB.resolve(scenario).resolve("dmesg.log"), host, List.of());
    assertGolden("vmlab-" + scenario + ".md", e);
  }

  /** systemd-oomd and earlyoom acting, no kernel report: a timeline of userspace kills. */
  @Test
  void render_userspaceKillersOnly_matchesGolden() throws IOException {
    String journal =
        """
        Dec 17 10:04:41 laptop systemd-oomd[588]: Killed /user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-f6518140-41fe-4a13-b828-55c5b8738fb8.scope due to memory pressure for /user.slice/user-1000.slice/user@1000.service being 57.97% > 50.00% for > 20s with reclaim activity
        Dec 17 10:04:42 laptop systemd[1565]: vte-spawn-f6518140-41fe-4a13-b828-55c5b8738fb8.scope: systemd-oomd killed 3 process(es) in this unit.
        Dec 17 10:09:23 laptop earlyoom[904]: mem avail:  1200 of 17518 MiB ( 6.85%), swap free: 13345 of 47119 MiB (28.32%)
        Dec 17 10:09:23 laptop earlyoom[904]: low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%
        Dec 17 10:09:23 laptop earlyoom[904]: sending SIGTERM to process 211447 uid 1000 "simple": badness 999, VmRSS 6318 MiB
        Dec 17 10:09:26 laptop earlyoom[904]: escalating to SIGKILL after 2.8 seconds
        """;
    List<KillerEvent> killers = KillerLogParser.parse(journal, "journal.txt", Evidence.OPTIONS);
    assertThat(killers).hasSize(4);
    Evidence e = Evidence.withFindings(List.of(), List.of(), Optional.empty(), killers);
    assertGolden("journal-userspace-killers.md", e);
  }

  /** Every line a finding quotes is a line of its input, as it stands there. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void render_quotedEvidence_isInTheInput(Path log) throws IOException {
    Evidence e = Evidence.of(log, Optional.empty(), List.of());
    String markdown = e.markdown();
    List<String> input = Files.readAllLines(log, UTF_8);
    for (Finding f : e.findings()) {
      for (SourceLine line :
          f.logLines().stream().limit(MarkdownReport.MAX_QUOTED_LINES).toList()) {
        assertThat(input.get((int) line.line() - 1)).isEqualTo(line.text());
        if (e.findings().indexOf(f) == 0) {
          assertThat(markdown).contains(line.text());
        }
      }
    }
  }

  static void assertGolden(String name, Evidence e) throws IOException {
    String actual = e.markdown();
    assertThat(actual).isEqualTo(e.markdown());
    Path golden = GOLDEN.resolve(name);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, actual, UTF_8);
    }
    assertThat(golden).as("golden file (create it with -Dgolden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(golden, UTF_8));
  }
}
