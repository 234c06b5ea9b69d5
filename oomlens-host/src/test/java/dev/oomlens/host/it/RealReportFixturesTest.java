package dev.oomlens.host.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Workload;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reports saved from this project's real-kernel tests (Linux 6.18, cgroup v1; see {@code
 * kmsg/SOURCE.md}), read by the core reader: runs anywhere, no root needed. Expected values were
 * read off the files by hand.
 */
class RealReportFixturesTest {
  private static final String KERNEL = "6.18.44-fc-v595";

  private record Read(List<OomReport> reports, List<Problem> problems) {}

  private static Read read(String fixture) throws IOException {
    List<OomReport> reports = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    try (InputStream in = RealReportFixturesTest.class.getResourceAsStream("/kmsg/" + fixture)) {
      new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 11, 23)))
          .read(
              fixture,
              in,
              new KernelLogSink() {
                @Override
                public void report(OomReport report) {
                  reports.add(report);
                }

                @Override
                public void allocFailure(AllocFailure failure) {}

                @Override
                public void problem(Problem problem) {
                  problems.add(problem);
                }
              });
    }
    return new Read(reports, problems);
  }

  @Test
  void read_burstableContainer() throws IOException {
    Read read = read("containerd-burstable-container.kmsg");

    assertThat(read.problems()).isEmpty();
    OomReport r = read.reports().get(0);
    assertThat(read.reports()).hasSize(1);
    String path =
        "/kubepods/burstable/podf0b98980-f31e-4774-a068-732a858a9f41/"
            + "a6c2818ac0cc01ddc9bc66c8ef141870c0cb257f135eb18988c1e985f5c8a412";
    assertThat(r.complete()).isTrue();
    assertThat(r.kernel()).contains(KERNEL);
    assertThat(r.constraint()).contains(Constraint.CONSTRAINT_MEMCG);
    assertThat(r.oomMemcg()).contains(path);
    assertThat(r.taskMemcg()).contains(path);
    assertThat(r.time().monotonicSeconds()).isPresent();
    assertThat(r.trigger().orElseThrow().comm()).isEqualTo("stress-hog");
    assertThat(r.trigger().orElseThrow().pid()).hasValue(21624);
    assertThat(r.trigger().orElseThrow().oomScoreAdj()).hasValue(937);
    MemcgState memcg = r.memcg().orElseThrow();
    assertThat(memcg.usageBytes()).isEqualTo(32768 * 1024L);
    assertThat(memcg.limitBytes()).isEqualTo(32768 * 1024L);
    assertThat(memcg.failcnt()).hasValue(20);
    assertThat(memcg.memswUsageBytes()).hasValue(32768 * 1024L);
    assertThat(memcg.memswLimitBytes()).hasValue(9007199254740988L * 1024);
    assertThat(memcg.kmemUsageBytes()).hasValue(132 * 1024L);
    assertThat(memcg.swapUsageBytes()).isEmpty();
    assertThat(memcg.statCgroup()).contains(path);
    assertThat(memcg.stat())
        .containsEntry("rss", 33304576L)
        .containsEntry("shmem", 0L)
        .containsEntry("hierarchical_memory_limit", 33554432L)
        .containsEntry("total_rss", 33304576L);
    assertThat(r.tasks())
        .extracting(TaskRow::pid, TaskRow::rssBytes, TaskRow::oomScoreAdj, TaskRow::comm)
        .containsExactly(tuple(21624L, 8504L * 4096, 937, "stress-hog"));
    assertThat(r.tasks().get(0).rssAnonBytes()).hasValue(8096 * 4096L);
    assertThat(r.victim().orElseThrow().pid()).isEqualTo(21624);
    assertThat(r.victim().orElseThrow().anonRssBytes()).hasValue(32384 * 1024L);
    assertThat(r.victim().orElseThrow().fileRssBytes()).hasValue(1632 * 1024L);
    assertThat(r.victim().orElseThrow().pgtablesBytes()).hasValue(112 * 1024L);
    assertThat(r.victim().orElseThrow().oomScoreAdj()).hasValue(937);
    assertThat(r.workload().kind()).isEqualTo(Workload.Kind.CONTAINER);
    assertThat(r.workload().podUid()).contains("f0b98980-f31e-4774-a068-732a858a9f41");
    assertThat(r.workload().qosClass()).contains(Workload.QosClass.Burstable);
  }

  @Test
  void read_podLimit_victimIsNotTheTrigger() throws IOException {
    Read read = read("pod-limit-idle-victim.kmsg");

    assertThat(read.problems()).isEmpty();
    assertThat(read.reports()).hasSize(1);
    OomReport r = read.reports().get(0);
    String pod = "/kubepods/burstable/pod54a9226b-38bc-4c56-8ee2-fd0163edb05a";
    assertThat(r.oomMemcg()).contains(pod);
    assertThat(r.taskMemcg())
        .contains(pod + "/6291c1385030529af2fbc78c4067e3df6cecd059d3c10c5a87b643f223f0ac53");
    assertThat(r.trigger().orElseThrow().comm()).isEqualTo("grower");
    assertThat(r.trigger().orElseThrow().pid()).hasValue(722);
    assertThat(r.victim().orElseThrow().comm()).isEqualTo("idle-holder");
    assertThat(r.victim().orElseThrow().pid()).isEqualTo(719);
    assertThat(r.victim().orElseThrow().oomScoreAdj()).hasValue(1000);
    assertThat(r.tasks())
        .extracting(TaskRow::pid, TaskRow::comm, TaskRow::oomScoreAdj)
        .containsExactly(tuple(719L, "idle-holder", 1000), tuple(722L, "grower", 500));
    MemcgState memcg = r.memcg().orElseThrow();
    assertThat(memcg.limitBytes()).isEqualTo(49152 * 1024L);
    assertThat(memcg.statCgroup()).contains(pod);
    assertThat(memcg.stat()).containsEntry("rss", 0L).containsEntry("total_rss", 50049024L);
    assertThat(r.workload().containerId())
        .contains("6291c1385030529af2fbc78c4067e3df6cecd059d3c10c5a87b643f223f0ac53");
  }

  @Test
  void read_tmpfsFilledCgroup_shmemIsTheCgroupsNotTheVictims() throws IOException {
    Read read = read("guaranteed-tmpfs-shmem.kmsg");

    assertThat(read.problems()).isEmpty();
    OomReport r = read.reports().get(0);
    assertThat(r.memcg().orElseThrow().stat())
        .containsEntry("shmem", 16777216L)
        .containsEntry("cache", 16777216L)
        .containsEntry("rss", 8175616L);
    assertThat(r.victim().orElseThrow().shmemRssBytes()).hasValue(0);
    assertThat(r.victim().orElseThrow().anonRssBytes()).hasValue(7936 * 1024L);
    assertThat(r.workload().qosClass()).contains(Workload.QosClass.Guaranteed);
  }

  @Test
  void read_systemdService() throws IOException {
    Read read = read("systemd-service.kmsg");

    assertThat(read.problems()).isEmpty();
    OomReport r = read.reports().get(0);
    assertThat(r.taskMemcg()).contains("/system.slice/oomlens-test-21299.service");
    assertThat(r.workload().kind()).isEqualTo(Workload.Kind.SYSTEMD_UNIT);
    assertThat(r.workload().unit()).contains("oomlens-test-21299.service");
    assertThat(r.victim().orElseThrow().anonRssBytes()).hasValue(16256 * 1024L);
  }

  @Test
  void read_twoKillsInARow_areTwoReports() throws IOException {
    Read read = read("pod-limit-two-kills.kmsg");

    assertThat(read.problems()).isEmpty();
    assertThat(read.reports())
        .extracting(r -> r.victim().orElseThrow().pid())
        .containsExactly(9006L, 9010L);
    assertThat(read.reports())
        .extracting(r -> r.trigger().orElseThrow().pid().getAsLong())
        .containsExactly(9010L, 9010L);
    assertThat(read.reports())
        .extracting(r -> r.memcg().orElseThrow().failcnt().getAsLong())
        .containsExactly(78L, 152L);
    assertThat(read.reports()).allMatch(OomReport::complete);
  }
}
