package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.TaskRow;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TaskTableParserTest {
  private static final SourceLine SRC = new SourceLine("t", 1, "row");

  private static TaskTableParser.Row row(String header, String row) {
    Optional<TaskTableParser.Layout> layout =
        header == null ? Optional.empty() : TaskTableParser.header(header);
    TaskTableParser.RowResult r = TaskTableParser.row(row, layout, SRC);
    assertThat(r).isInstanceOf(TaskTableParser.Parsed.class);
    return ((TaskTableParser.Parsed) r).row();
  }

  @Test
  void row_3x_nrPtes() {
    // corpus 026 (3.13): uid wider than its field
    TaskTableParser.Row r =
        row(
            "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
            "[13536] 275858 13536  8389663      343   16267  8324326             0 memorymonster");
    assertThat(r.pid()).isEqualTo(13536);
    assertThat(r.uid()).hasValue(275858);
    assertThat(r.tgid()).hasValue(13536);
    assertThat(r.totalVmPages()).isEqualTo(8389663);
    assertThat(r.rssPages()).isEqualTo(343);
    assertThat(r.nrPtesPages()).hasValue(16267);
    assertThat(r.nrPmdsPages()).isEmpty();
    assertThat(r.pgtablesBytes()).isEmpty();
    assertThat(r.swapents()).hasValue(8324326);
    assertThat(r.oomScoreAdj()).isZero();
    assertThat(r.comm()).isEqualTo("memorymonster");
  }

  @Test
  void row_40to413_nrPmds() {
    // corpus 004 (4.8)
    TaskTableParser.Row r =
        row(
            "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
            "[12906]     0 12906   526155   239002    1031       5   284061             0 stress");
    assertThat(r.nrPtesPages()).hasValue(1031);
    assertThat(r.nrPmdsPages()).hasValue(5);
    assertThat(r.swapents()).hasValue(284061);
  }

  @Test
  void row_414plus_pgtablesBytes_widePid() {
    // corpus 006 (4.15), 015 (5.15: pid wider than %7d brackets keep), 010 (negative adj)
    TaskTableParser.Row r =
        row(
            "[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            "[25160]     0 25160      256        1    28672        0          -998 pause");
    assertThat(r.pgtablesBytes()).hasValue(28672);
    assertThat(r.oomScoreAdj()).isEqualTo(-998);
    TaskTableParser.Row wide =
        row(
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            "[1586608] 1001240000 1586608   276111   118439  1015808        0          1000 stress-ng-vm");
    assertThat(wide.pid()).isEqualTo(1586608);
    assertThat(wide.uid()).hasValue(1001240000L);
    assertThat(wide.comm()).isEqualTo("stress-ng-vm");
  }

  @Test
  void row_68plus_rssSplit_nameWithSpaces() {
    // Ubuntu 6.8 dump_task(): rss_anon rss_file rss_shmem columns
    TaskTableParser.Row r =
        row(
            "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem"
                + " pgtables_bytes swapents oom_score_adj name",
            "[   4242]   107  4242  1313472   524800   520000     4000       800  4591616        0"
                + "          -997 CPU 1/KVM");
    assertThat(r.rssPages()).isEqualTo(524800);
    assertThat(r.rssAnonPages()).hasValue(520000);
    assertThat(r.rssFilePages()).hasValue(4000);
    assertThat(r.rssShmemPages()).hasValue(800);
    assertThat(r.pgtablesBytes()).hasValue(4591616);
    assertThat(r.oomScoreAdj()).isEqualTo(-997);
    assertThat(r.comm()).isEqualTo("CPU 1/KVM");
  }

  @Test
  void row_nameHoldingLineTerminators_isRead() {
    for (String comm : new String[] {"a\rb", "a\u0085b", "a\u2028b"}) {
      TaskTableParser.Row r =
          row(
              "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
              "[   4242]   107  4242  1313472   524800  4591616        0          -997 " + comm);
      assertThat(r.comm()).as("comm %s", comm.codePoints().boxed().toList()).isEqualTo(comm);
    }
  }

  @Test
  void toTaskRow_pagesToBytesAtThePageSize() {
    TaskRow r =
        row(
                "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
                "[13536] 275858 13536  8389663      343   16267  8324326             0 memorymonster")
            .toTaskRow(4096, UnaryOperator.identity());
    assertThat(r.totalVmBytes()).isEqualTo(8389663L * 4096);
    assertThat(r.rssBytes()).isEqualTo(343L * 4096);
    assertThat(r.nrPtesBytes()).hasValue(16267L * 4096);
    assertThat(r.swapBytes()).hasValue(8324326L * 4096);
    assertThat(r.pgtablesBytes()).isEmpty();
    assertThat(
            row(
                    "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj"
                        + " name",
                    "[    116]     0   116     2296     2193    53248        0             0"
                        + " nix-daemon")
                .toTaskRow(65536, UnaryOperator.identity())
                .pgtablesBytes())
        .hasValue(53248);
  }

  @Test
  void row_withoutHeader_guessesLayout() {
    // corpus 027 rows (3.13) and 010 rows (5.10), read without their header
    TaskTableParser.Row old =
        row(
            null,
            "[ 1532]  1020  1532   410347   398810     788        0             0"
                + " badsysprogram");
    assertThat(old.nrPtesPages()).hasValue(788);
    TaskTableParser.Row recent =
        row(
            null,
            "[   5532]     0  5532  2884233  2793370 22437888        0        " + "     0 a.out");
    assertThat(recent.pgtablesBytes()).hasValue(22437888);
    TaskTableParser.Row mid =
        row(
            null,
            "[12906]     0 12906   526155   239002    1031       5   284061     "
                + "        0 stress");
    assertThat(mid.nrPmdsPages()).hasValue(5);
  }

  @Test
  void row_malformedNumber_isMalformed() {
    Optional<TaskTableParser.Layout> layout =
        TaskTableParser.header(
            "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name");
    TaskTableParser.RowResult r =
        TaskTableParser.row(
            "[ 1532]  1020  1532   41o347   398810     788        0             0 bad",
            layout,
            SRC);
    assertThat(r).isInstanceOf(TaskTableParser.Malformed.class);
    assertThat(((TaskTableParser.Malformed) r).message()).contains("total_vm").contains("41o347");
  }

  @Test
  void row_cutShort_isCut() {
    Optional<TaskTableParser.Layout> layout =
        TaskTableParser.header(
            "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name");
    assertThat(TaskTableParser.row("[ 1532]  1020  1532   410347   3988", layout, SRC))
        .isInstanceOf(TaskTableParser.Cut.class);
    assertThat(
            TaskTableParser.row(
                "[ 1532]  1020  1532   410347   398810     788        0       " + "      0",
                layout,
                SRC))
        .isInstanceOf(TaskTableParser.Cut.class);
  }

  @Test
  void headerAndRowShapes() {
    assertThat(TaskTableParser.isTitle("Tasks state (memory values in pages):")).isTrue();
    assertThat(
            TaskTableParser.header(
                    "[ pid ]   uid  tgid total_vm      rss cpu oom_adj" + " oom_score_adj name")
                .orElseThrow()
                .numericColumns())
        .isEqualTo(7);
    assertThat(TaskTableParser.looksLikeRow("[<ffffffff81720d86>] dump_stack+0x45/0x56")).isFalse();
    assertThat(TaskTableParser.looksLikeRow("[  390]     0   390    39012 x")).isTrue();
  }
}
