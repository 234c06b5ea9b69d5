package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.FactLines;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.RealInputs;
import dev.oomlens.core.rules.ReportBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CpusetMempolicyAnalyzerTest {
  private final CpusetMempolicyAnalyzer analyzer = new CpusetMempolicyAnalyzer();

  @Test
  void analyze_cpusetOnMovableOnlyNode_explainsTheUnusableZone() {
    assertThat(RealInputs.run(analyzer, "corpus/009-lkml-cpuset-movable-node-5.8-docker.log"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .isEqualTo("A cpuset confined the allocation to node(s) 4, which ran out");
              assertThat(f.reasoning())
                  .contains(
                      "130021408 kB of it was in ZONE_MOVABLE",
                      "no __GFP_MOVABLE",
                      "usable free was 0 kB",
                      "Killed: containerd (pid 4100)");
              assertThat(f.logLines()).extracting(l -> l.line()).contains(1L, 27L, 31L, 32L);
            });
  }

  @Test
  void analyze_globalOom_isSilent() {
    assertThat(RealInputs.run(analyzer, "corpus/018-oomanalyser-arch-6.1-host.log")).isEmpty();
  }

  @Test
  void analyze_globalOomOnNumaHost_isSilent() {
    // two NUMA nodes, both low: a host-wide OOM, no cpuset or policy
    assertThat(RealInputs.run(analyzer, "corpus/001-oomanalyser-rhel7-3.10-host.log")).isEmpty();
  }

  @Test
  void analyze_memoryPolicy_suggestsPreferredInsteadOfBind() {
    ReportBuilder b =
        new ReportBuilder("hand-built")
            .trigger("db", 9, 0, 0)
            .global(Map.of("free", 900000L), 4194304, 0, 0, 3600000, 20000, 25000, 30000);
    SourceLine policy =
        b.line(
            "oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=1,cpuset=/,"
                + "mems_allowed=0-1,global_oom,task=db,pid=9,uid=0");
    OomReport global = b.build();
    OomReport r =
        new OomReport(
            global.source(),
            global.host(),
            global.time(),
            global.kernel(),
            true,
            global.trigger(),
            java.util.Optional.of(dev.oomlens.core.model.Constraint.CONSTRAINT_MEMORY_POLICY),
            java.util.Optional.of(dev.oomlens.core.model.OomScope.MEMORY_POLICY),
            global.cpuset(),
            global.memsAllowed(),
            global.oomMemcg(),
            global.taskMemcg(),
            global.memcg(),
            global.hostMemory(),
            global.tasks(),
            global.victim(),
            global.groupKill(),
            global.reaped(),
            global.panic(),
            false,
            global.hardware(),
            global.workload(),
            global.lines().stream().filter(l -> !l.text().contains("CONSTRAINT_NONE")).toList(),
            Optional.of("1"),
            Optional.empty(),
            new FactLines(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(policy),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()),
            global.pageSizeBytes());
    assertThat(
            analyzer.analyze(
                EvidenceSet.builder().reports(List.of(r)).allocFailures(List.of()).build()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.summary())
                  .startsWith("A memory policy confined the allocation to node(s) 1");
              assertThat(f.fixes().getFirst().snippet().orElseThrow()).contains("--preferred=1");
            });
  }
}
