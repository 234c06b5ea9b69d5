package dev.oomlens.report.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.Layer;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.kernel.KillerLogParser;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The post-mortem's sections from real reports and hand-built findings, so each rule of the
 * renderer (which fixes are proposed, which are fallbacks, what is quoted, which labels the queries
 * get) is checked apart from what the analyzers happen to say.
 */
class MarkdownReportTest {
  private static final Path AKS =
      Evidence.CORPUS.resolve("015-jpaztech-aks-5.15-burstable-pod-cgv2.log");
  private static final String POD_UID = "479f327f-a27b-4eda-8523-90bdabcf0a27";

  private static List<OomReport> aksReports() {
    return Evidence.of(AKS, Optional.empty(), List.of()).reports();
  }

  private static final Fix RAISE =
      new Fix(
          Layer.CONTAINER_LIMIT,
          "Raise the limit to 750Mi.",
          Optional.of("resources:\n  limits:\n    memory: \"750Mi\"\n"));
  private static final Fix LOOK = new Fix(Layer.APPLICATION, "Find what grew.", Optional.empty());
  private static final Fix SWAP =
      new Fix(Layer.KERNEL_SWAP, "Turn zram on.", Optional.of("zramSwap.enable = true;\n"));
  private static final Fix RESERVE =
      new Fix(
          Layer.NODE,
          "Reserve memory for the system.",
          Optional.of("# /var/lib/kubelet/config.yaml\nsystemReserved:\n  memory: 1Gi\n"));

  private static Finding finding(
      String code, Severity severity, List<SourceLine> evidence, Fix... fixes) {
    return new Finding(
        code,
        severity,
        Confidence.HIGH,
        code + " summary",
        code + " reasoning.",
        evidence,
        List.of(fixes));
  }

  private static List<Finding> handBuilt(OomReport r) {
    return List.of(
        finding("TIGHT-LIMIT", Severity.MEDIUM, List.of(r.lines().get(0)), RAISE, RESERVE),
        finding("MEMCG-LIMIT", Severity.HIGH, r.lines().subList(0, 2), RAISE, LOOK),
        finding("NO-SWAP", Severity.LOW, List.of(), SWAP));
  }

  private static String section(String markdown, String heading) {
    int start = markdown.indexOf("## " + heading + "\n");
    assertThat(start).as("section %s", heading).isNotNegative();
    int end = markdown.indexOf("\n## ", start + 3);
    return markdown.substring(start, end < 0 ? markdown.length() : end + 1);
  }

  @Test
  void render_sections_inSeed000Order() {
    List<OomReport> reports = aksReports();
    String md = Evidence.markdown(reports, handBuilt(reports.get(0)), Optional.empty(), List.of());
    List<String> headings = md.lines().filter(l -> l.startsWith("## ")).toList();
    assertThat(headings)
        .containsExactly(
            "## Background",
            "## Root cause",
            "## Fix applied or proposed",
            "## Timeline",
            "## Hosts affected",
            "## Metrics to monitor",
            "## Verification steps",
            "## Success criteria",
            "## Fallback options");
    assertThat(md)
        .startsWith(
            "# Post-mortem: OOM kill of stress-ng-vm on "
                + "aks-ubuntu-26835060-vmss000000, 2025-12-13\n");
  }

  @Test
  void render_rootCause_isTheHighestFindingWithItsQuotedLines() {
    List<OomReport> reports = aksReports();
    OomReport r = reports.get(0);
    String md = Evidence.markdown(reports, handBuilt(r), Optional.empty(), List.of());
    String root = section(md, "Root cause");
    assertThat(root)
        .contains("### MEMCG-LIMIT: MEMCG-LIMIT summary\n")
        .contains("Severity high, confidence high, about #1.")
        .contains(
            "From `015-jpaztech-aks-5.15-burstable-pod-cgv2.log`, lines 1, 2:\n\n```text\n"
                + r.lines().get(0).text()
                + "\n"
                + r.lines().get(1).text()
                + "\n```\n")
        .doesNotContain("### TIGHT-LIMIT")
        .contains(
            "### Also found\n\n- **TIGHT-LIMIT** (medium, about #1): TIGHT-LIMIT summary\n"
                + "- **NO-SWAP** (low, about the host): NO-SWAP summary\n");
  }

  @Test
  void render_fixes_rootFindingsByLayerThenTheRestAsFallbacks() {
    List<OomReport> reports = aksReports();
    String md = Evidence.markdown(reports, handBuilt(reports.get(0)), Optional.empty(), List.of());
    String fix = section(md, "Fix applied or proposed");
    assertThat(fix)
        .contains("### #1: memory cgroup `/kubepods.slice/")
        .contains(
            "**MEMCG-LIMIT**, Container limit: Raise the limit to 750Mi.\n\n"
                + "```yaml\nresources:\n  limits:\n    memory: \"750Mi\"\n```\n")
        .contains("**MEMCG-LIMIT**, Application: Find what grew.\n")
        .doesNotContain("zram")
        .doesNotContain("Reserve memory");
    String fallback = section(md, "Fallback options");
    // The raise is proposed already; the lower findings add the node reservation and zram, each
    // under what it is for: the incident, and the host.
    assertThat(fallback)
        .doesNotContain("Raise the limit")
        .contains(
            "**TIGHT-LIMIT**, Node and kubelet: Reserve memory for the system.\n\n"
                + "```yaml\n# /var/lib/kubelet/config.yaml\nsystemReserved:\n")
        .contains(
            "### The host and the evidence as a whole\n\n**NO-SWAP**, Kernel and swap:"
                + " Turn zram on.\n\n```nix\nzramSwap.enable = true;\n```\n");
    assertThat(fallback.indexOf("TIGHT-LIMIT")).isLessThan(fallback.indexOf("NO-SWAP"));
  }

  @Test
  void render_findingsInAnyOrder_giveTheSameBytes() {
    List<OomReport> reports = aksReports();
    List<Finding> findings = new ArrayList<>(handBuilt(reports.get(0)));
    String first = Evidence.markdown(reports, findings, Optional.empty(), List.of());
    Random random = new Random(7);
    for (int i = 0; i < 5; i++) {
      Collections.shuffle(findings, random);
      assertThat(Evidence.markdown(reports, findings, Optional.empty(), List.of()))
          .isEqualTo(first);
    }
  }

  @Test
  void render_metrics_carryThePodUidAndTheHostFromTheEvidence() {
    List<OomReport> reports = aksReports();
    List<Finding> memcgOnly = handBuilt(reports.get(0)).subList(0, 2);
    String md = Evidence.markdown(reports, memcgOnly, Optional.empty(), List.of());
    String metrics = section(md, "Metrics to monitor");
    assertThat(metrics)
        .contains(
            "increase(node_vmstat_oom_kill{instance=~\"aks-ubuntu-26835060-vmss000000"
                + "(:[0-9]+)?\"}[1h])")
        .contains(
            "container_memory_working_set_bytes{id=~\".*pod479f327f[-_]a27b[-_]4eda[-_]"
                + "8523[-_]90bdabcf0a27.*\", container!=\"\", container!=\"POD\"}")
        .contains(
            "kube_pod_container_status_last_terminated_reason{uid=\""
                + POD_UID
                + "\", reason=\"OOMKilled\"}")
        // a memory cgroup kill does not make the host's RAM or swap a metric to watch
        .doesNotContain("node_memory_MemAvailable_bytes")
        .doesNotContain("node_memory_SwapTotal_bytes");
    assertThat(section(md, "Success criteria"))
        .contains("- No OOM kill of `stress-ng-vm` on the affected hosts for 7 days")
        .contains(
            "increase(node_vmstat_oom_kill{instance=~\"aks-ubuntu-26835060-vmss000000"
                + "(:[0-9]+)?\"}[7d]) == 0");
    assertThat(section(md, "Verification steps")).contains("@.metadata.uid==\"" + POD_UID + "\"");
  }

  @Test
  void render_noSwapFinding_addsSwapMetricsAndCriterion() {
    List<OomReport> reports = aksReports();
    String md = Evidence.markdown(reports, handBuilt(reports.get(0)), Optional.empty(), List.of());
    assertThat(section(md, "Metrics to monitor"))
        .contains("node_memory_SwapTotal_bytes{instance=~\"aks-ubuntu-26835060-vmss000000");
    assertThat(section(md, "Success criteria"))
        .contains("- Every affected host has swap:")
        .contains(
            "node_memory_SwapTotal_bytes{instance=~\"aks-ubuntu-26835060-vmss000000"
                + "(:[0-9]+)?\"} > 0");
  }

  @Test
  void render_hostNameWithDots_isARegexInThePromqlString() {
    HostSnapshot host =
        new HostSnapshot(
            Optional.of("ns2.example.org"),
            Optional.of("6.12.0"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            List.of(),
            List.of());
    String md = Evidence.markdown(List.of(), List.of(), Optional.of(host), List.of());
    assertThat(md)
        .startsWith("# Post-mortem: No OOM kill found on ns2.example.org\n")
        .contains(
            "node_memory_MemAvailable_bytes{instance=~\"ns2\\\\.example\\\\.org" + "(:[0-9]+)?\"}");
  }

  @Test
  void render_nothing_isAShortDraftThatSaysSo() {
    String md = Evidence.markdown(List.of(), List.of(), Optional.empty(), List.of());
    assertThat(md)
        .startsWith("# Post-mortem: No OOM kill found\n")
        .contains(
            "The evidence holds no report of the kernel's OOM killer and no record of a"
                + " userspace killer.")
        .contains("No rule found a root cause")
        .contains("Nothing to watch")
        .doesNotContain("```");
  }

  @Test
  void render_evidenceHoldingBackticks_getsALongerFence() {
    List<OomReport> reports = aksReports();
    SourceLine odd = new SourceLine("odd.log", 3, "comm=```weird``` invoked oom-killer");
    String md =
        Evidence.markdown(
            reports,
            List.of(finding("MEMCG-LIMIT", Severity.HIGH, List.of(odd))),
            Optional.empty(),
            List.of());
    assertThat(md).contains("````text\ncomm=```weird``` invoked oom-killer\n````\n");
  }

  @Test
  void render_timeline_kernelAndUserspaceEventsInTimeOrder() {
    List<KillerEvent> killers =
        KillerLogParser.parse(
            "Dec 13 07:20:00 aks-ubuntu-26835060-vmss000000 earlyoom[904]: sending SIGKILL to"
                + " process 4242 uid 0 \"hog\": badness 900, VmRSS 300 MiB\n"
                + "Dec 13 07:30:00 aks-ubuntu-26835060-vmss000000 systemd[1]: app.service: Failed"
                + " with result 'oom-kill'.\n",
            "syslog",
            Evidence.OPTIONS);
    assertThat(killers).hasSize(2);
    String timeline =
        section(Evidence.markdown(aksReports(), List.of(), Optional.empty(), killers), "Timeline");
    List<String> rows = timeline.lines().filter(l -> l.startsWith("| 2025")).toList();
    assertThat(rows).hasSize(4);
    assertThat(rows.get(0)).startsWith("| 2025-12-13 07:20:00 | earlyoom: killed `hog`");
    assertThat(rows.get(1))
        .startsWith(
            "| 2025-12-13 07:23:21 | `stress-ng-vm` (pid 716580)" + " invoked the OOM killer");
    assertThat(rows.get(2)).startsWith("| 2025-12-13 07:23:21 | Kernel killed `stress-ng-vm`");
    assertThat(rows.get(3)).startsWith("| 2025-12-13 07:30:00 | systemd-unit-result:");
  }

  @Test
  void render_textFromTheEvidence_cannotBreakTheMarkup() {
    assertThat(Markdown.text("<defunct> *x* [y] oom_score_adj"))
        .isEqualTo("\\<defunct\\> \\*x\\* \\[y\\] oom_score_adj".replace("\\>", ">"));
    assertThat(Markdown.text("# heading? > quote?")).isEqualTo("\\# heading? > quote?");
    assertThat(Markdown.cell("a | b\nc")).isEqualTo("a \\| b\\u{a}c");
    assertThat(Markdown.code("a`b")).isEqualTo("``a`b``");
    assertThat(Markdown.code("`x")).isEqualTo("`` `x ``");
  }

  @Test
  void text_emphasisEntitiesMathAndLineBreaks_escaped() {
    assertThat(Markdown.text("oom_score_adj _x_ ~y~ &#x202e; $z$ a\n# h\u202e"))
        .isEqualTo("oom_score_adj \\_x\\_ \\~y\\~ \\&#x202e; \\$z\\$ a\\u{a}# h\\u{202e}");
    assertThat(Markdown.text("- item")).isEqualTo("\\- item");
    assertThat(Markdown.text("+ item")).isEqualTo("\\+ item");
  }

  @Test
  void code_emptyPaddedOrMultiLine_staysOneSpanShowingItAll() {
    assertThat(Markdown.code("")).isEqualTo("` `");
    assertThat(Markdown.code(" x ")).isEqualTo("`  x  `");
    assertThat(Markdown.code("a\nb\u001b")).isEqualTo("`a\\u{a}b\\u{1b}`");
    assertThat(Markdown.cell(Markdown.code("a\\|b"))).isEqualTo("`a\\\\|b`");
  }
}
