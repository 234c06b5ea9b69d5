package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.Framing;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tests of {@link LineFramer} on real lines of every framing.
 *
 * <p>Where a line is quoted from a corpus report, the comment names the report ({@code #010} is
 * {@code 010-martins3-openeuler-5.10-host.log}) and the line number. Framings no report in the
 * corpus uses are built from the kernel or tool's format string around the message text of a real
 * report, and say so.
 */
class LineFramerTest {
  private static final LocalDate REFERENCE = LocalDate.of(2024, 12, 31);

  static List<LogLine> frame(LocalDate reference, String... lines) {
    LineFramer framer = new LineFramer(new ReaderOptions(reference));
    List<LogLine> out = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      framer.frame(new SourceLine("test.log", i + 1, lines[i]), out::add);
    }
    return out;
  }

  static List<LogLine> frame(String... lines) {
    return frame(REFERENCE, lines);
  }

  /** What one framed line should read as; absent fields are null. */
  record Expected(
      Framing framing,
      String host,
      String tag,
      Double monotonic,
      String wallclock,
      boolean yearInferred,
      boolean continuation,
      String message) {
    static Expected of(Framing framing) {
      return new Expected(framing, null, null, null, null, false, false, null);
    }

    Expected host(String h) {
      return new Expected(
          framing, h, tag, monotonic, wallclock, yearInferred, continuation, message);
    }

    Expected tag(String t) {
      return new Expected(
          framing, host, t, monotonic, wallclock, yearInferred, continuation, message);
    }

    Expected mono(double m) {
      return new Expected(framing, host, tag, m, wallclock, yearInferred, continuation, message);
    }

    Expected wall(String w) {
      return new Expected(framing, host, tag, monotonic, w, false, continuation, message);
    }

    Expected wallInferred(String w) {
      return new Expected(framing, host, tag, monotonic, w, true, continuation, message);
    }

    Expected asContinuation() {
      return new Expected(framing, host, tag, monotonic, wallclock, yearInferred, true, message);
    }

    Expected message(String m) {
      return new Expected(framing, host, tag, monotonic, wallclock, yearInferred, continuation, m);
    }
  }

  static void assertLine(LogLine actual, Expected e) {
    assertThat(actual.framing()).as("framing").isEqualTo(e.framing());
    assertThat(actual.host()).as("host").isEqualTo(Optional.ofNullable(e.host()));
    assertThat(actual.tag()).as("tag").isEqualTo(Optional.ofNullable(e.tag()));
    assertThat(actual.time().monotonicSeconds())
        .as("monotonic")
        .isEqualTo(
            e.monotonic() == null ? OptionalDouble.empty() : OptionalDouble.of(e.monotonic()));
    assertThat(actual.time().wallclock())
        .as("wallclock")
        .isEqualTo(Optional.ofNullable(e.wallclock()));
    assertThat(actual.time().yearInferred()).as("yearInferred").isEqualTo(e.yearInferred());
    assertThat(actual.continuation()).as("continuation").isEqualTo(e.continuation());
    assertThat(actual.message()).as("message").isEqualTo(e.message());
  }

  static Stream<Arguments> realLines() {
    return Stream.of(
        // #003 line 1
        Arguments.of(
            "[16277.381314] java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0",
            Expected.of(Framing.DMESG)
                .mono(16277.381314)
                .message("java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0")),
        // #003 line 5: the kernel's own indentation after the separating space stays
        Arguments.of(
            "[16277.381328]  ffff881700834c00 ffff8817807bdc48 ffffffff81720d86 ffff8817f7f91800",
            Expected.of(Framing.DMESG)
                .mono(16277.381328)
                .message(" ffff881700834c00 ffff8817807bdc48 ffffffff81720d86 ffff8817f7f91800")),
        // #023 line 1: five-column seconds padded with spaces
        Arguments.of(
            "[   33.932118] stress-ng-brk invoked oom-killer: "
                + "gfp_mask=0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0, oom_score_adj=1000",
            Expected.of(Framing.DMESG)
                .mono(33.932118)
                .message(
                    "stress-ng-brk invoked oom-killer: "
                        + "gfp_mask=0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0, "
                        + "oom_score_adj=1000")),
        // CONFIG_PRINTK_CALLER prefix of the reference's framing table, message of #010 line 1
        Arguments.of(
            "[  244.946537][ T3106] Out of memory: Killed process 5515 (a.out) "
                + "total-vm:22022692kB, anon-rss:10875852kB, file-rss:1336kB, shmem-rss:0kB",
            Expected.of(Framing.DMESG)
                .mono(244.946537)
                .message(
                    "Out of memory: Killed process 5515 (a.out) total-vm:22022692kB, "
                        + "anon-rss:10875852kB, file-rss:1336kB, shmem-rss:0kB")),
        // print_caller() for a message printed in interrupt context on CPU 1, message of #010
        Arguments.of(
            "[  113.314803][    C1] oom_reaper: reaped process 5515 (a.out), now anon-rss:0kB, "
                + "file-rss:0kB, shmem-rss:0kB",
            Expected.of(Framing.DMESG)
                .mono(113.314803)
                .message(
                    "oom_reaper: reaped process 5515 (a.out), now anon-rss:0kB, "
                        + "file-rss:0kB, shmem-rss:0kB")),
        // dmesg -r and /proc/kmsg put the printk level in front: "<4>" + #023 line 1
        Arguments.of(
            "<4>[   33.932118] stress-ng-brk invoked oom-killer: order=0",
            Expected.of(Framing.DMESG)
                .mono(33.932118)
                .message("stress-ng-brk invoked oom-killer: order=0")),
        // #006 line 1
        Arguments.of(
            "[Sat Apr 27 22:56:09 2019] stress invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL),"
                + " nodemask=(null), order=0, oom_score_adj=939",
            Expected.of(Framing.DMESG_T)
                .wall("2019-04-27T22:56:09")
                .message(
                    "stress invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), "
                        + "nodemask=(null), order=0, oom_score_adj=939")),
        // dmesg --time-format=iso (util-linux): comma before the fraction, no host or tag
        Arguments.of(
            "2024-05-09T14:52:38,123456+02:00 Killed process 32308 (stress) total-vm:110644kB",
            Expected.of(Framing.DMESG_T)
                .wall("2024-05-09T14:52:38.123456+02:00")
                .message("Killed process 32308 (stress) total-vm:110644kB")),
        // dmesg -T, day of month padded by %e (reference's framing table)
        Arguments.of(
            "[Thu May  9 14:52:38 2024] Killed process 32308 (stress) total-vm:110644kB",
            Expected.of(Framing.DMESG_T)
                .wall("2024-05-09T14:52:38")
                .message("Killed process 32308 (stress) total-vm:110644kB")),
        // dmesg -T in a German locale (reference's framing table), message of #006 line 41
        Arguments.of(
            "[Di Aug 12 10:15:42 2025] Killed process 32308 (stress) total-vm:110644kB",
            Expected.of(Framing.DMESG_T)
                .wall("2025-08-12T10:15:42")
                .message("Killed process 32308 (stress) total-vm:110644kB")),
        // dmesg -T in a Japanese locale (reference's framing table): the month is "1月"
        Arguments.of(
            "[月  1月 26 09:03:11 2026] Killed process 32308 (stress) total-vm:110644kB",
            Expected.of(Framing.DMESG_T)
                .wall("2026-01-26T09:03:11")
                .message("Killed process 32308 (stress) total-vm:110644kB")),
        // dmesg -T in a French locale: recognised, but the month "août" is not read
        Arguments.of(
            "[mar. août 12 10:15:42 2025] Killed process 32308 (stress) total-vm:110644kB",
            Expected.of(Framing.DMESG_T)
                .message("Killed process 32308 (stress) total-vm:110644kB")),
        // util-linux 2.38 dmesg -x on a 6.18 kernel
        Arguments.of(
            "kern  :warn  : [    0.000000] [Firmware Bug]: TSC doesn't count with P0 frequency!",
            Expected.of(Framing.DMESG)
                .mono(0.0)
                .message("[Firmware Bug]: TSC doesn't count with P0 frequency!")),
        // util-linux 2.38 dmesg -Tx on a 6.18 kernel
        Arguments.of(
            "kern  :info  : [Mon Nov 23 16:54:31 2026] BIOS-provided physical RAM map:",
            Expected.of(Framing.DMESG_T)
                .wall("2026-11-23T16:54:31")
                .message("BIOS-provided physical RAM map:")),
        // /dev/kmsg of a 6.18 kernel
        Arguments.of(
            "4,344,453931144,-;stress-hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), "
                + "order=0, oom_score_adj=937",
            Expected.of(Framing.KMSG)
                .mono(453.931144)
                .message(
                    "stress-hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
                        + "oom_score_adj=937")),
        // /dev/kmsg of a 6.18 kernel: trailing space of the kernel's text dropped
        Arguments.of(
            "4,345,453931171,-;CPU: 0 UID: 0 PID: 6026 Comm: stress-hog Not tainted "
                + "6.18.44-fc-v595 #1 PREEMPT(none) ",
            Expected.of(Framing.KMSG)
                .mono(453.931171)
                .message(
                    "CPU: 0 UID: 0 PID: 6026 Comm: stress-hog Not tainted 6.18.44-fc-v595 "
                        + "#1 PREEMPT(none)")),
        // /dev/kmsg of a 6.18 kernel: a tab escaped as \x09
        Arguments.of(
            "6,90,241973,-;rcu: \\x09RCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=2.",
            Expected.of(Framing.KMSG)
                .mono(0.241973)
                .message("rcu: \tRCU restricting CPUs from NR_CPUS=256 to nr_cpu_ids=2.")),
        // dev-kmsg ABI: flag 'c' and a caller field, message of #010 line 38
        Arguments.of(
            "6,1023,130783726,c,caller=T5532;free:40346 free_pcp:62 free_cma:0",
            Expected.of(Framing.KMSG)
                .mono(130.783726)
                .asContinuation()
                .message("free:40346 free_pcp:62 free_cma:0")),
        // #004 line 1
        Arguments.of(
            "Dec 17 00:34:31 fanatica kernel: stress invoked oom-killer: "
                + "gfp_mask=0x24000c0(GFP_KERNEL), order=0, oom_score_adj=0",
            Expected.of(Framing.SYSLOG)
                .host("fanatica")
                .tag("kernel")
                .wallInferred("2024-12-17T00:34:31")
                .message(
                    "stress invoked oom-killer: gfp_mask=0x24000c0(GFP_KERNEL), order=0, "
                        + "oom_score_adj=0")),
        // #015 line 1: rsyslog keeps the kernel's timestamp
        Arguments.of(
            "Dec 13 07:23:21 aks-ubuntu-26835060-vmss000000 kernel: [36370.036951] stress-ng-vm "
                + "invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=1000",
            Expected.of(Framing.SYSLOG)
                .host("aks-ubuntu-26835060-vmss000000")
                .tag("kernel")
                .mono(36370.036951)
                .wallInferred("2024-12-13T07:23:21")
                .message(
                    "stress-ng-vm invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, "
                        + "oom_score_adj=1000")),
        // #020 line 5: journalctl short keeps the kernel's indentation
        Arguments.of(
            "Jun 17 20:58:23 source-server kernel:  <TASK>",
            Expected.of(Framing.SYSLOG)
                .host("source-server")
                .tag("kernel")
                .wallInferred("2024-06-17T20:58:23")
                .message(" <TASK>")),
        // reference's framing table: host missing, message of #020 line 69
        Arguments.of(
            "Mar 10 11:19:17  kernel: Out of memory: Killed process 3921 (uvicorn) "
                + "total-vm:9008816kB",
            Expected.of(Framing.SYSLOG)
                .tag("kernel")
                .wallInferred("2024-03-10T11:19:17")
                .message("Out of memory: Killed process 3921 (uvicorn) total-vm:9008816kB")),
        // journalctl short-precise, space-padded day, kernel timestamp (reference's table)
        Arguments.of(
            "Jul  3 21:21:11.123456 server kernel: [7601521.772315] Out of memory: Killed process "
                + "3921 (uvicorn)",
            Expected.of(Framing.SYSLOG)
                .host("server")
                .tag("kernel")
                .mono(7601521.772315)
                .wallInferred("2024-07-03T21:21:11.123456")
                .message("Out of memory: Killed process 3921 (uvicorn)")),
        // systemd's own line when a unit lost a process to the OOM killer
        Arguments.of(
            "Jun 17 20:59:24 source-server systemd[1]: user@1000.service: A process of this unit "
                + "has been killed by the OOM killer.",
            Expected.of(Framing.SYSLOG)
                .host("source-server")
                .tag("systemd")
                .wallInferred("2024-06-17T20:59:24")
                .message(
                    "user@1000.service: A process of this unit has been killed by the OOM "
                        + "killer.")),
        // RFC 3164 with its <PRI> (kern.warning), message of #004 line 1
        Arguments.of(
            "<4>Dec 17 00:34:31 fanatica kernel: stress invoked oom-killer: order=0",
            Expected.of(Framing.SYSLOG)
                .host("fanatica")
                .tag("kernel")
                .wallInferred("2024-12-17T00:34:31")
                .message("stress invoked oom-killer: order=0")),
        // journalctl -o short-iso (reference's framing table), message of #020 line 69
        Arguments.of(
            "2024-05-09T14:52:38+0000 host kernel: Out of memory: Killed process 3921 (uvicorn)",
            Expected.of(Framing.SYSLOG_ISO)
                .host("host")
                .tag("kernel")
                .wall("2024-05-09T14:52:38+00:00")
                .message("Out of memory: Killed process 3921 (uvicorn)")),
        // rsyslog RSYSLOG_FileFormat (reference's framing table), with imklog's kernel timestamp
        Arguments.of(
            "2024-05-09T14:52:38.123456+02:00 host kernel: [ 3981.080995] Out of memory: Killed "
                + "process 3921 (uvicorn)",
            Expected.of(Framing.SYSLOG_ISO)
                .host("host")
                .tag("kernel")
                .mono(3981.080995)
                .wall("2024-05-09T14:52:38.123456+02:00")
                .message("Out of memory: Killed process 3921 (uvicorn)")),
        // journalctl -o short-monotonic, message of #010 line 1
        Arguments.of(
            "[ 3981.080995] host kernel: Out of memory: Killed process 5515 (a.out)",
            Expected.of(Framing.JOURNAL_MONOTONIC)
                .host("host")
                .tag("kernel")
                .mono(3981.080995)
                .message("Out of memory: Killed process 5515 (a.out)")),
        // journalctl -o short-monotonic, a service with its pid
        Arguments.of(
            "[ 3981.090102] host systemd[1]: user@1000.service: A process of this unit has been "
                + "killed by the OOM killer.",
            Expected.of(Framing.JOURNAL_MONOTONIC)
                .host("host")
                .tag("systemd")
                .mono(3981.090102)
                .message(
                    "user@1000.service: A process of this unit has been killed by the OOM "
                        + "killer.")),
        // RFC 5424 (reference's framing table), message of #010 line 1
        Arguments.of(
            "<4>1 2024-05-09T14:52:38.123456+00:00 host kernel - - - Out of memory: Killed "
                + "process 5515 (a.out)",
            Expected.of(Framing.RFC5424)
                .host("host")
                .tag("kernel")
                .wall("2024-05-09T14:52:38.123456+00:00")
                .message("Out of memory: Killed process 5515 (a.out)")),
        // RFC 5424 with structured data holding an escaped ']' and nil hostname
        Arguments.of(
            "<3>1 2024-05-09T14:52:38Z - kernel - - [meta note=\"a\\]b\"][origin ip=\"10.0.0.1\"] "
                + "Out of memory: Killed process 5515 (a.out)",
            Expected.of(Framing.RFC5424)
                .tag("kernel")
                .wall("2024-05-09T14:52:38Z")
                .message("Out of memory: Killed process 5515 (a.out)")),
        // #001 line 1
        Arguments.of(
            "sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0",
            Expected.of(Framing.BARE)
                .message("sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0")),
        // #009 line 1: a quoted patch indents every line by two spaces
        Arguments.of(
            "  runc:[2:INIT] invoked oom-killer: gfp_mask=0x500cc2(GFP_HIGHUSER|__GFP_ACCOUNT), "
                + "order=0, oom_score_adj=0",
            Expected.of(Framing.BARE)
                .message(
                    "runc:[2:INIT] invoked oom-killer:"
                        + " gfp_mask=0x500cc2(GFP_HIGHUSER|__GFP_ACCOUNT), order=0,"
                        + " oom_score_adj=0")),
        // chat copy (reference's framing table), message of #004 line 31
        Arguments.of(
            "`- Dec 17 00:34:31 fanatica kernel: Killed process 12906 (stress) "
                + "total-vm:2104620kB`",
            Expected.of(Framing.SYSLOG)
                .host("fanatica")
                .tag("kernel")
                .wallInferred("2024-12-17T00:34:31")
                .message("Killed process 12906 (stress) total-vm:2104620kB")),
        // Markdown list item around #003 line 1
        Arguments.of(
            "- [16277.381314] java invoked oom-killer: order=0",
            Expected.of(Framing.DMESG)
                .mono(16277.381314)
                .message("java invoked oom-killer: order=0")),
        // a list item whose text has no framing stays as it was
        Arguments.of(
            "- java invoked oom-killer: order=0",
            Expected.of(Framing.BARE).message("- java invoked oom-killer: order=0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realLines")
  void frame_realLineOfEachFraming(String line, Expected expected) {
    List<LogLine> lines = frame(line);

    assertThat(lines).hasSize(1);
    assertLine(lines.get(0), expected);
    assertThat(lines.get(0).source().text()).isEqualTo(line);
  }

  @Test
  void frame_indentedLinesAfterDmesg_continueTheRecord() {
    // #010 lines 33-35
    List<LogLine> lines =
        frame(
            "[  130.783726] active_anon:285 inactive_anon:2820935 isolated_anon:0",
            "                active_file:28 inactive_file:59 isolated_file:0",
            "                unevictable:2873 dirty:29 writeback:0");

    assertThat(lines).hasSize(3);
    assertLine(
        lines.get(0),
        Expected.of(Framing.DMESG)
            .mono(130.783726)
            .message("active_anon:285 inactive_anon:2820935 isolated_anon:0"));
    assertLine(
        lines.get(1),
        Expected.of(Framing.DMESG)
            .mono(130.783726)
            .asContinuation()
            .message("active_file:28 inactive_file:59 isolated_file:0"));
    assertLine(
        lines.get(2),
        Expected.of(Framing.DMESG)
            .mono(130.783726)
            .asContinuation()
            .message("unevictable:2873 dirty:29 writeback:0"));
    assertThat(lines.get(2).source().line()).isEqualTo(3);
  }

  @Test
  void frame_indentedLineAfterSyslog_inheritsHostTagAndTime() {
    // journalctl short prints the later lines of a multi-line message indented
    List<LogLine> lines =
        frame(
            "Jun 17 20:58:49 source-server kernel: Mem-Info:",
            "                                      active_file:330 inactive_file:1865");

    assertLine(
        lines.get(1),
        Expected.of(Framing.SYSLOG)
            .host("source-server")
            .tag("kernel")
            .wallInferred("2024-06-17T20:58:49")
            .asContinuation()
            .message("active_file:330 inactive_file:1865"));
  }

  @Test
  void frame_indentedLineAfterBareLine_isBareAndNotContinuation() {
    // #001 lines 3-5
    List<LogLine> lines =
        frame(
            "CPU: 4 PID: 29481 Comm: sed Not tainted 3.10.0-514.6.1.el7.x86_64 #1",
            " ffff880182272f10 00000000021dcb0a ffff880418207938 ffffffff816861ac");

    assertLine(
        lines.get(1),
        Expected.of(Framing.BARE)
            .message("ffff880182272f10 00000000021dcb0a ffff880418207938 ffffffff816861ac"));
  }

  @Test
  void frame_rsyslogEscapedNewlines_splitIntoContinuationLines() {
    // #001 line 32
    List<LogLine> lines =
        frame(
            "active_anon:7355653 inactive_anon:660960 isolated_anon:0#012 active_file:1263 "
                + "inactive_file:1167 isolated_file:32#012 unevictable:0 dirty:4 writeback:0 "
                + "unstable:0#012 slab_reclaimable:27412 slab_unreclaimable:13708#012 mapped:4818 "
                + "shmem:87896 pagetables:25222 bounce:0#012 free:39513 free_pcp:2958 free_cma:0");

    assertThat(lines)
        .extracting(LogLine::message)
        .containsExactly(
            "active_anon:7355653 inactive_anon:660960 isolated_anon:0",
            "active_file:1263 inactive_file:1167 isolated_file:32",
            "unevictable:0 dirty:4 writeback:0 unstable:0",
            "slab_reclaimable:27412 slab_unreclaimable:13708",
            "mapped:4818 shmem:87896 pagetables:25222 bounce:0",
            "free:39513 free_pcp:2958 free_cma:0");
    assertThat(lines)
        .extracting(LogLine::continuation)
        .containsExactly(false, true, true, true, true, true);
    assertThat(lines).allSatisfy(l -> assertThat(l.source().line()).isEqualTo(1));
    assertThat(lines).allSatisfy(l -> assertThat(l.framing()).isEqualTo(Framing.BARE));
  }

  @Test
  void frame_rsyslogLineWithEscapes_keepsFramingOnEveryPiece() {
    // #001 line 32 as rsyslog writes it to /var/log/messages
    List<LogLine> lines =
        frame(
            "Feb  3 19:57:08 db7 kernel: Mem-Info:#012active_anon:7355653 "
                + "inactive_anon:660960#012 active_file:1263#011inactive_file:1167");

    assertThat(lines).hasSize(3);
    Expected framing =
        Expected.of(Framing.SYSLOG).host("db7").tag("kernel").wallInferred("2024-02-03T19:57:08");
    assertLine(lines.get(0), framing.message("Mem-Info:"));
    assertLine(
        lines.get(1), framing.asContinuation().message("active_anon:7355653 inactive_anon:660960"));
    assertLine(
        lines.get(2), framing.asContinuation().message("active_file:1263\tinactive_file:1167"));
  }

  @Test
  void frame_kmsgEscapedNewlines_splitIntoContinuationLines() {
    // dev-kmsg ABI: before 6.4 the memcg stats were one record with embedded newlines
    List<LogLine> lines =
        frame(
            "6,1021,3981080995,-;Memory cgroup stats for /kubepods.slice:\\x0aanon 28139520"
                + "\\x0afile 8192\\x0a");

    assertThat(lines)
        .extracting(LogLine::message)
        .containsExactly("Memory cgroup stats for /kubepods.slice:", "anon 28139520", "file 8192");
    assertThat(lines).extracting(LogLine::continuation).containsExactly(false, true, true);
    assertThat(lines)
        .allSatisfy(
            l -> {
              assertThat(l.framing()).isEqualTo(Framing.KMSG);
              assertThat(l.time().monotonicSeconds()).hasValue(3981.080995);
            });
  }

  @Test
  void frame_kmsgEscapedUtf8AndBackslash_areDecoded() {
    List<LogLine> lines = frame("6,7,8,-;caf\\xc3\\xa9 path C:\\x5cdir \\xff end \\xzz");

    assertThat(lines)
        .extracting(LogLine::message)
        .containsExactly("café path C:\\dir \uFFFD end \\xzz");
  }

  @Test
  void frame_kmsgDictionaryLines_emitNothing() {
    // /dev/kmsg of a 6.18 kernel
    List<LogLine> lines =
        frame(
            "6,193,297077,-;acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM "
                + "Segments MSI HPX-Type3]",
            " SUBSYSTEM=acpi",
            " DEVICE=+acpi:PNP0A08:00",
            "6,194,297077,-;acpi PNP0A08:00: PCIe port services disabled; not requesting _OSC "
                + "control");

    assertThat(lines).extracting(l -> l.source().line()).containsExactly(1L, 4L);
  }

  @Test
  void frame_dictionaryLookalikeAfterDmesg_isContinuation() {
    List<LogLine> lines = frame("[    1.000000] acpi PNP0A08:00: _OSC", " SUBSYSTEM=acpi");

    assertLine(
        lines.get(1),
        Expected.of(Framing.DMESG).mono(1.0).asContinuation().message("SUBSYSTEM=acpi"));
  }

  @Test
  void frame_emptyAndBlankLines_emitNothing() {
    assertThat(frame("", " ", "\t \t", "\r", "\0\0")).isEmpty();
  }

  @Test
  void frame_carriageReturnAtEnd_isStripped() {
    // #004 line 31 with a CRLF line end
    List<LogLine> lines =
        frame(
            "Dec 17 00:34:31 fanatica kernel: Killed process 12906 (stress) "
                + "total-vm:2104620kB\r");

    assertThat(lines.get(0).message())
        .isEqualTo("Killed process 12906 (stress) total-vm:2104620kB");
    assertThat(lines.get(0).source().text()).endsWith("\r");
  }

  @Test
  void frame_nulBytesBeforeAFraming_areSkipped() {
    // a syslog file after a crash: the unwritten tail of the block reads as NUL bytes
    List<LogLine> lines = frame("\0\0\0Dec 17 00:34:31 fanatica kernel: Killed process 12906");

    assertThat(lines.get(0).framing()).isEqualTo(Framing.SYSLOG);
    assertThat(lines.get(0).message()).isEqualTo("Killed process 12906");
  }

  @Test
  void frame_hundredKilobyteLine_isFramed() {
    String message = "x".repeat(100_000);
    List<LogLine> lines = frame("[    5.000001] " + message, message, " " + message);

    assertThat(lines)
        .extracting(LogLine::framing)
        .containsExactly(Framing.DMESG, Framing.BARE, Framing.BARE);
    assertThat(lines).allSatisfy(l -> assertThat(l.message()).isEqualTo(message));
  }

  @Test
  void frame_yearlessDate_takesLatestYearNotAfterReference() {
    LocalDate newYearsEve = LocalDate.of(2025, 12, 31);

    // one day of tolerance: a log written just after midnight UTC is not put a year back
    assertThat(wallclock(newYearsEve, "Jan  1 00:00:01 h kernel: x"))
        .hasValue("2026-01-01T00:00:01");
    assertThat(wallclock(newYearsEve, "Jan  2 00:00:01 h kernel: x"))
        .hasValue("2025-01-02T00:00:01");
    assertThat(wallclock(newYearsEve, "Dec 31 23:59:59 h kernel: x"))
        .hasValue("2025-12-31T23:59:59");
    assertThat(wallclock(LocalDate.of(2025, 3, 1), "Mar  3 10:00:00 h kernel: x"))
        .hasValue("2024-03-03T10:00:00");
    // 29 February goes back to the last leap year
    assertThat(wallclock(LocalDate.of(2027, 6, 1), "Feb 29 10:00:00 h kernel: x"))
        .hasValue("2024-02-29T10:00:00");
    // a date no year has keeps the framing but no wallclock
    List<LogLine> impossible = frame(newYearsEve, "Feb 30 10:00:00 h kernel: x");
    assertThat(impossible.get(0).framing()).isEqualTo(Framing.SYSLOG);
    assertThat(impossible.get(0).time().isKnown()).isFalse();
  }

  private static Optional<String> wallclock(LocalDate reference, String line) {
    return frame(reference, line).get(0).time().wallclock();
  }

  @Test
  void frame_dmesgMessageLikeJournalHeader_staysDmesg() {
    // a raw dmesg line whose text begins with "word word:" is not short-monotonic output
    List<LogLine> lines =
        frame(
            "[    5.123456] systemd[1]: Started Journal Service.",
            "[   12.000000] docker0: port 1(veth3c1) entered blocking state",
            "[   13.000000] Out of memory: Killed process 5515 (a.out)");

    assertThat(lines).extracting(LogLine::framing).containsOnly(Framing.DMESG);
    assertThat(lines.get(0).message()).isEqualTo("systemd[1]: Started Journal Service.");
  }

  @Test
  void frame_syslogDateWithoutTag_isBare() {
    List<LogLine> lines = frame("Dec 17 00:34:31 some free text without a tag");

    assertLine(
        lines.get(0),
        Expected.of(Framing.BARE).message("Dec 17 00:34:31 some free text without a tag"));
  }

  @Test
  void frame_bareLineBetweenRecords_endsContinuation() {
    List<LogLine> lines =
        frame("[    1.000000] Mem-Info:", "```", "  active_file:28 inactive_file:59");

    assertThat(lines.get(2).framing()).isEqualTo(Framing.BARE);
    assertThat(lines.get(2).continuation()).isFalse();
  }

  /**
   * Found by the property test: a tab-indented KEY=value after a kmsg record is text, not a
   * dictionary entry.
   */
  @Test
  void frame_tabIndentedKeyValueAfterKmsg_isAContinuationNotADictionaryEntry() {
    LineFramer framer = new LineFramer(new ReaderOptions(java.time.LocalDate.of(2026, 11, 23)));
    List<LogLine> out = new ArrayList<>();
    framer.frame(new SourceLine("k.log", 1, "6,1,100,-;Mem-Info:"), out::add);
    framer.frame(new SourceLine("k.log", 2, "\t0="), out::add);
    framer.frame(new SourceLine("k.log", 3, " SUBSYSTEM=memory"), out::add);

    assertThat(out).extracting(LogLine::message).containsExactly("Mem-Info:", "0=");
  }
}
