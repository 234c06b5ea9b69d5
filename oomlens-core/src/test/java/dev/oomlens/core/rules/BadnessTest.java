package dev.oomlens.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Victim;
import org.junit.jupiter.api.Test;

class BadnessTest {

  @Test
  void of_rhel7GlobalReport_reproducesTheKernelsPrintedScore() {
    OomReport r = RealInputs.first("corpus/001-oomanalyser-rhel7-3.10-host.log");
    Badness b = Badness.of(r).orElseThrow();
    Badness.Score top = b.top().orElseThrow();
    assertThat(top.row().comm()).isEqualTo("mysqld");
    assertThat(b.victimRank()).hasValue(1);
    // "Kill process 6576 (mysqld) score 651": points * 1000 / totalpages, totalpages = managed
    // RAM + swap
    assertThat(b.printedScore(top))
        .isEqualTo(
            r.victim()
                .flatMap(
                    v ->
                        v.score().isPresent()
                            ? java.util.Optional.of(v.score().getAsLong())
                            : java.util.Optional.empty())
                .orElseThrow());
    assertThat(b.printedScore(top)).isEqualTo(651);
    assertThat(b.next(r).orElseThrow().row().comm()).isEqualTo("java");
  }

  @Test
  void of_memcgV1Report_scalesByTheLimitAndMatchesThePrintedScore() {
    OomReport r = RealInputs.first("corpus/003-ubuntu-3.13-docker-java-memcg-v1.log");
    Badness b = Badness.of(r).orElseThrow();
    assertThat(b.totalPages()).isEqualTo(131072 / 4);
    Badness.Score java = b.top().orElseThrow();
    assertThat(java.row().pid()).isEqualTo(7493);
    assertThat(java.basePages()).isEqualTo(35660 + 206);
    assertThat(b.printedScore(java)).isEqualTo(1094);
    // the victim, pid 7537, is a thread of 7493 and not a row of the table
    assertThat(b.victimRank()).isEmpty();
  }

  @Test
  void of_podLimitIdleVictim_adjMakesTheIdleTaskRankFirst() {
    OomReport r = RealInputs.first("kmsg/pod-limit-idle-victim.kmsg");
    Badness b = Badness.of(r).orElseThrow();
    assertThat(b.totalPages()).isEqualTo(12288);
    Badness.Score idle = b.victim(r).orElseThrow();
    // 5376 rss + 90112 / 4096 page tables; 1000 * (12288 / 1000)
    assertThat(idle.basePages()).isEqualTo(5376 + 22);
    assertThat(idle.adjPages()).isEqualTo(12000);
    assertThat(b.victimRank()).hasValue(1);
    Badness.Score next = b.next(r).orElseThrow();
    assertThat(next.row().comm()).isEqualTo("grower");
    assertThat(next.points()).isEqualTo(9181 + 29 + 500 * 12);
  }

  @Test
  void of_minus1000Task_isNeverRanked() {
    OomReport r =
        new ReportBuilder("hand-built")
            .trigger("a", 1, 0, 0)
            .memcg("/x", "/x", 4096, 4096)
            .task(1, 900, 0, -1000, "protected")
            .task(2, 100, 0, 0, "small")
            .victim(2, "small", 400, 0)
            .build();
    Badness b = Badness.of(r).orElseThrow();
    assertThat(b.top().orElseThrow().row().comm()).isEqualTo("small");
    assertThat(b.ranking().getLast().eligible()).isFalse();
    assertThat(b.victimRank()).hasValue(1);
  }

  @Test
  void of_tie_laterRowWins() {
    OomReport r =
        new ReportBuilder("hand-built")
            .memcg("/x", "/x", 4096, 4096)
            .task(1, 100, 0, 0, "first")
            .task(2, 100, 0, 0, "second")
            .build();
    assertThat(Badness.of(r).orElseThrow().top().orElseThrow().row().comm()).isEqualTo("second");
  }

  @Test
  void of_noTaskTable_isEmpty() {
    OomReport r = RealInputs.first("corpus/020-ubuntu-6.8-host-journal-priority-filtered.log");
    assertThat(r.tasks()).isEmpty();
    assertThat(Badness.of(r)).isEmpty();
    assertThat(r.victim().map(Victim::comm)).hasValue("uvicorn");
  }
}
