package dev.oomlens.report.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.Problem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TextReportWriterTest {

  private static String render(String input, Consumer<TextReportWriter> events) {
    StringWriter buffer = new StringWriter();
    TextReportWriter writer = new TextReportWriter(new PrintWriter(buffer));
    writer.beginInput(input);
    events.accept(writer);
    writer.endInput();
    return buffer.toString();
  }

  @Test
  void report_kubernetesPod_matchesGolden() {
    String text = render("/var/log/kern.log", w -> w.report(Fixtures.kubernetesPod()));
    Golden.assertMatches("kubernetes-pod-cgv2.txt", text);
    assertThat(text)
        .contains("hit its limit of 500.0 MiB (usage 500.0 MiB, failcnt 37)  (kern.log:31)")
        .contains("Kubernetes pod 479f327f-a27b-4eda-8523-90bdabcf0a27")
        .contains("QoS Burstable")
        .contains("anon 462.0 MiB, file 0.6 MiB, shmem 0.1 MiB, oom_score_adj 1000  (kern.log:81)")
        .doesNotContain("the trigger was not the victim");
  }

  @Test
  void report_hostWide_matchesGolden() {
    String text = render("/var/log/messages", w -> w.report(Fixtures.hostWide()));
    Golden.assertMatches("host-wide-rhel7.txt", text);
    assertThat(text)
        .contains(
            "the whole machine ran out: free 128.9 MiB of 32.0 GiB RAM, no swap  (messages:20)")
        .contains(
            "the trigger was not the victim: sed (pid 29481) asked for memory, mysqld (pid 6576) was killed")
        .contains("badness score 651");
  }

  @Test
  void report_hostWide_listsTopFiveTasksLargestFirst() {
    String text = render("messages", w -> w.report(Fixtures.hostWide()));
    assertThat(text).contains("of 7 in the table");
    assertThat(text.indexOf("mysqld  <- killed")).isLessThan(text.indexOf(" java "));
    assertThat(text)
        .contains("httpd")
        .contains("rsyslogd")
        .doesNotContain("crond")
        .doesNotContain("sshd");
  }

  @Test
  void report_sysrq_saysMemoryWasNotNecessarilyShort() {
    String text = render("dmesg.txt", w -> w.report(Fixtures.sysrq()));
    Golden.assertMatches("sysrq-manual.txt", text);
    assertThat(text)
        .contains("kworker/0:2 (pid 1143): manual OOM (SysRq-f): memory was not necessarily short")
        .contains(
            "no limit was hit: the OOM killer was invoked by hand (SysRq-f, order=-1),"
                + " memory was not necessarily short; the machine had free 5.7 GiB of 16.0 GiB RAM,"
                + " swap free 2.0 GiB of 2.0 GiB")
        .doesNotContain("the trigger was not the victim");
  }

  @Test
  void report_panicCutShort_saysIncompleteAndNothingKilled() {
    String text = render("console.log", w -> w.report(Fixtures.panicCutShort()));
    Golden.assertMatches("panic-cut-short.txt", text);
    assertThat(text)
        .contains("report cut short (incomplete)")
        .contains("Killed:     nothing: the kernel panicked instead of killing")
        .contains(
            "Panic:      Kernel panic - not syncing: Out of memory: system-wide panic_on_oom"
                + " is enabled  (console.log:40)");
  }

  @Test
  void report_dockerV1_addsUpStatBlocksAndNamesMemswLimit() {
    String text = render("syslog", w -> w.report(Fixtures.dockerMemsw()));
    Golden.assertMatches("docker-memsw-v1.txt", text);
    assertThat(text)
        .contains(
            "hit its memory+swap limit of 256.0 MiB (memory+swap usage 256.0 MiB, failcnt 1234;"
                + " memory alone 123.0 MiB of 128.0 MiB)")
        .contains("(2 cgroups added up): anon 112.0 MiB, file cache 12.0 MiB, shmem 1.0 MiB")
        .contains("Docker container aa0c055d742e")
        .contains("2015-01-22T10:01:02 (year assumed)");
  }

  @Test
  void report_kubevirtGroupKill_listsMembersAndReaperFailure() {
    String text = render("node.log", w -> w.report(Fixtures.kubevirtGroupKill()));
    Golden.assertMatches("kubevirt-group-kill.txt", text);
    assertThat(text)
        .contains("KubeVirt virt-launcher pod")
        .contains("was killed (memory.oom.group): 2 tasks  (node.log:44)")
        .contains("virtqemud (pid 50150): anon RSS 19.5 MiB  (node.log:47)")
        .contains("unable to reap")
        .contains("the trigger was not the victim: CPU 1/KVM (pid 50210)");
  }

  @Test
  void endInput_noReport_saysSoAndListsAllocFailureAndProblems() {
    String text =
        render(
            "hyperv.log",
            w -> {
              w.allocFailure(Fixtures.allocFailure());
              w.problem(new Problem("hyperv.log", 61, "Mem-Info counter line could not be read"));
            });
    Golden.assertMatches("alloc-failure-only.txt", text);
    assertThat(text)
        .contains(
            "Vmemmap alloc failure (not an OOM kill): kworker/0:3 (pid 4221) could not get"
                + " 512 contiguous pages (order 9, 2048 KiB)")
        .contains("No OOM-killer report in hyperv.log.")
        .contains("1 line of hyperv.log could not be read:\n  hyperv.log:61: Mem-Info");
  }

  @Test
  void endInput_manyProblems_listsTwentyAndCountsTheRest() {
    String text =
        render(
            "big.log",
            w -> {
              w.report(Fixtures.sysrq());
              for (int i = 1; i <= 23; i++) {
                w.problem(new Problem("big.log", i * 10L, "bad line " + i));
              }
            });
    assertThat(text)
        .contains("23 lines of big.log could not be read:")
        .contains("  big.log:200: bad line 20\n  ... and 3 more\n")
        .doesNotContain("bad line 21")
        .doesNotContain("No OOM-killer report");
  }

  @Test
  void endInput_cutShortWithoutReport_saysOnlyWhatCouldBeReadHeldNone() {
    String text =
        render(
            "kern.log.2.gz",
            w ->
                w.problem(
                    new Problem(
                        "kern.log.2.gz",
                        812,
                        "the gzip data is damaged or cut short",
                        Problem.Kind.DAMAGED)));
    assertThat(text)
        .isEqualTo(
            "No OOM-killer report in what could be read of kern.log.2.gz.\n\n"
                + "kern.log.2.gz could not be read whole:\n"
                + "  kern.log.2.gz:812: the gzip data is damaged or cut short\n");
  }

  @Test
  void endInput_notText_saysNothingOfReports() {
    String text =
        render(
            "/bin/ls",
            w ->
                w.problem(
                    new Problem(
                        "/bin/ls",
                        0,
                        "is an ELF binary (a program or library), not a log; not read",
                        Problem.Kind.NOT_TEXT)));
    assertThat(text)
        .isEqualTo(
            "/bin/ls could not be read:\n"
                + "  ls: is an ELF binary (a program or library), not a log; not read\n");
  }

  @Test
  void report_twoInputs_numbersReportsPerInputAndSeparatesBlocks() {
    StringWriter buffer = new StringWriter();
    TextReportWriter writer = new TextReportWriter(new PrintWriter(buffer));
    writer.beginInput("a.log");
    writer.report(Fixtures.sysrq());
    writer.report(Fixtures.sysrq());
    writer.endInput();
    writer.beginInput("b.log");
    writer.endInput();
    String text = buffer.toString();
    assertThat(text)
        .contains("OOM-killer report 1 in a.log")
        .contains("OOM-killer report 2 in a.log")
        .endsWith("\n\nNo OOM-killer report in b.log.\n");
  }

  @Test
  void units_formatWithOneDecimalInRootLocale() {
    assertThat(Units.mibFromKb(1536)).isEqualTo("1.5 MiB");
    assertThat(Units.mibFromBytes(484630528L)).isEqualTo("462.2 MiB");
    assertThat(Units.mibFromBytes(118439L * 4096)).isEqualTo("462.7 MiB");
    assertThat(Units.duration(36370.04)).isEqualTo("10h 06m");
    assertThat(Units.duration(90061.5)).isEqualTo("1d 01h");
    assertThat(Units.duration(59.9)).isEqualTo("59s");
  }
}
