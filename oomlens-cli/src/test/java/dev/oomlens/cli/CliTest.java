package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.host.LiveLog;
import dev.oomlens.host.journal.KillerJournalReader;
import dev.oomlens.host.paths.HostPaths;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The command line as a table of arguments and what they must give (exit code, text on standard
 * output, text on standard error), in the style of earlyoom's {@code testsuite_cli_test.go}.
 */
class CliTest {
  @TempDir static Path dir;

  static Path quiet;
  static Path quietGz;
  static Path proc;
  static Path aksPod;
  static Path killers;

  static final String EARLYOOM =
      "2026-02-03T09:00:00.000000+0000 worker-3 earlyoom[904]: low"
          + " memory! at or below SIGKILL limits: mem  4.00%, swap 10.00%\n"
          + "2026-02-03T09:00:00.100000+0000 worker-3 earlyoom[904]: sending SIGKILL to process 4242"
          + " uid 1000 \"java\": badness 900, VmRSS 3000 MiB\n";

  @BeforeAll
  static void files() throws IOException {
    quiet = dir.resolve("quiet.log");
    Files.writeString(
        quiet,
        "[    0.000000] Linux version 6.8.0-45-generic\n"
            + "[    1.234567] systemd[1]: Started Journal Service.\n");
    quietGz = dir.resolve("quiet.log.gz");
    try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(quietGz))) {
      gz.write(Files.readAllBytes(quiet));
    }
    Files.writeString(dir.resolve("gone.gz"), "not gzip but named so\n");
    killers = dir.resolve("killers.log");
    Files.writeString(killers, EARLYOOM);
    aksPod = dir.resolve("015-jpaztech-aks-5.15-burstable-pod-cgv2.log");
    try (InputStream in = CliTest.class.getResourceAsStream("/corpus/" + aksPod.getFileName())) {
      Files.copy(in, aksPod);
    }
    proc = dir.resolve("host/proc");
    Files.createDirectories(proc.resolve("sys/kernel"));
    Files.writeString(
        proc.resolve("meminfo"),
        "MemTotal:        8000000 kB\n"
            + "MemFree:         1000000 kB\nMemAvailable:    6000000 kB\n"
            + "SwapTotal:             0 kB\nSwapFree:              0 kB\n");
    Files.writeString(proc.resolve("sys/kernel/hostname"), "worker-3\n");
    Files.writeString(proc.resolve("sys/kernel/osrelease"), "6.8.0-45-generic\n");
    Files.writeString(proc.resolve("uptime"), "90061.52 170000.11\n");
  }

  /** What one run printed and returned. */
  record Run(int code, String out, String err) {}

  static Run run(Environment env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // As the jar's main builds it: only the subcommand named, when one is.
    CommandLine cmd = Main.commandLine(new OomlensCommand(env), args);
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(env("", unreadable("/dev/kmsg"), unreadable("journalctl -k -b")), args);
  }

  /** This machine as {@code kmsg} and {@code journal} say; no killer wrote in its journal. */
  static Environment env(String stdin, Supplier<LiveLog> kmsg, Supplier<LiveLog> journal) {
    return env(stdin, kmsg, journal, noKillers());
  }

  static Environment env(
      String stdin, Supplier<LiveLog> kmsg, Supplier<LiveLog> journal, Supplier<LiveLog> killers) {
    return new Environment(
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        Clock.fixed(Instant.parse("2026-02-03T10:00:00Z"), ZoneOffset.UTC),
        proc != null ? HostPaths.under(proc.getParent()) : HostPaths.under(Path.of("no-host")),
        kmsg,
        journal,
        killers);
  }

  /** The killers' journal of a machine where none of them acted: read, and empty. */
  static Supplier<LiveLog> noKillers() {
    return live(KillerJournalReader.NAME, "");
  }

  /** A live log that must not be opened. */
  static Supplier<LiveLog> untouched(String name, AtomicBoolean opened) {
    return () -> {
      opened.set(true);
      return new FakeLog(name, "", List.of());
    };
  }

  /** A live log that holds {@code text}. */
  static Supplier<LiveLog> live(String name, String text) {
    return () -> new FakeLog(name, text, List.of());
  }

  /** A live log that cannot be read, as KmsgReader and JournalReader report it. */
  static Supplier<LiveLog> unreadable(String name) {
    return () ->
        new FakeLog(
            name, "", List.of(new Problem(name, 0, "cannot read " + name + ": permission denied")));
  }

  static Stream<Arguments> table() {
    String q = quiet.toString();
    String missing = dir.resolve("big.log").toString();
    String oom = aksPod.toString();
    return Stream.of(
        // args, exit code, stdout contains, stderr contains
        Arguments.of(List.of("--help"), 0, "Usage: oomlens", ""),
        Arguments.of(List.of("-h"), 0, "Exit codes:", ""),
        Arguments.of(List.of("--version"), 0, "oomlens ", ""),
        Arguments.of(List.of("help", "diagnose"), 0, "Usage: oomlens diagnose", ""),
        Arguments.of(List.of(), 2, "", "oomlens: missing command"),
        Arguments.of(List.of("--bogus"), 2, "", "Try 'oomlens --help'"),
        Arguments.of(List.of("frobnicate"), 2, "", "Unmatched argument at index 0: 'frobnicate'"),
        Arguments.of(List.of("diagnose"), 2, "", "oomlens: nothing to read"),
        Arguments.of(
            List.of("diagnose", "--year", "MMXX", q), 2, "", "Try 'oomlens diagnose --help'"),
        Arguments.of(
            List.of("diagnose", "--year", "1900", q),
            2,
            "",
            "oomlens: --year: '1900' is not a year between 1970 and 9999\n"),
        Arguments.of(
            List.of("diagnose", "--year", "2023", "--reference-date", "2023-05-01", q),
            2,
            "",
            "mutually exclusive"),
        Arguments.of(
            List.of("diagnose", "--reference-date", "2023-13-01", q), 2, "", "--reference-date"),
        Arguments.of(List.of("diagnose", q), 0, "No OOM-killer report in " + q + ".", ""),
        Arguments.of(
            List.of("diagnose", "--year", "2023", quietGz.toString()),
            0,
            "No OOM-killer report in " + quietGz + ".",
            ""),
        Arguments.of(List.of("diagnose", "-"), 0, "No OOM-killer report in -.", ""),
        Arguments.of(
            List.of("diagnose", "--format", "json", q),
            0,
            "\"schema_version\": 1,\n  \"reports\": [],",
            ""),
        Arguments.of(
            List.of("diagnose", "--format", "xml", q),
            2,
            "",
            "Invalid value for option '--format': expected one of [text, json, markdown, html]"),
        Arguments.of(
            List.of("diagnose", missing),
            3,
            "",
            "oomlens: cannot read " + missing + ": No such file or directory"),
        Arguments.of(
            List.of("diagnose", missing, q),
            3,
            "No OOM-killer report in " + q + ".",
            "oomlens: cannot read " + missing + ": No such file or directory"),
        Arguments.of(
            List.of("diagnose", dir.toString()),
            3,
            "",
            "oomlens: cannot read " + dir + ": Is a directory"),
        Arguments.of(
            List.of("diagnose", dir.resolve("gone.gz").toString()),
            0,
            "No OOM-killer report in",
            ""),
        Arguments.of(
            List.of("diagnose", "--kmsg"),
            3,
            "",
            "oomlens: cannot read /dev/kmsg: permission denied"),
        Arguments.of(
            List.of("doctor"),
            3,
            "oomlens doctor: worker-3, kernel 6.8.0-45-generic, up 1d 01h",
            "no kernel log of this machine can be read:\n  cannot read /dev/kmsg: permission"
                + " denied\n  cannot read journalctl -k -b: permission denied\n"),
        Arguments.of(
            List.of("doctor", "--kernel-log", q), 0, "\nRead: kernel log " + q + "; host ", ""),
        Arguments.of(List.of("doctor", "--kernel-log", q), 0, "No OOM-killer report in " + q, ""),
        Arguments.of(List.of("doctor", "--kernel-log", q), 0, "\nConfirmed: no OOM kill", ""),
        Arguments.of(
            List.of("doctor", "--kernel-log", missing),
            3,
            "",
            "oomlens: cannot read " + missing + ": No such file or directory"),
        Arguments.of(List.of("doctor", "--kernel-log", oom), 0, "[MEMCG-LIMIT, high]", ""),
        Arguments.of(List.of("doctor", "--kernel-log", oom, "--fail-on", "high"), 1, "", ""),
        Arguments.of(List.of("doctor", "--kernel-log", oom, "--fail-on", "critical"), 0, "", ""),
        Arguments.of(List.of("doctor", "--kernel-log", q, "--fail-on", "info"), 0, "", ""),
        Arguments.of(
            List.of("doctor", "--kernel-log", oom, "--fail-on", "severe"),
            2,
            "",
            "expected one of info, low, medium, high, critical, not 'severe'"),
        Arguments.of(List.of("diagnose", "--fail-on", "medium", oom), 1, "MEMCG-LIMIT", ""),
        Arguments.of(
            List.of("diagnose", "--fail-on", "HIGH", oom, missing),
            3,
            "MEMCG-LIMIT",
            "cannot read " + missing),
        Arguments.of(
            List.of("diagnose", "--fail-on", "critical", "--sigkilled", oom),
            0,
            "Confirmed: 1 OOM kill by the kernel",
            ""),
        Arguments.of(
            List.of("diagnose", "--format", "json", oom), 0, "\"code\": \"MEMCG-LIMIT\"", ""),
        Arguments.of(
            List.of("diagnose", "--format", "json", q),
            0,
            "\"findings\": [],\n  \"userspace_kills\": [],\n  \"host\": null,\n"
                + "  \"confirmed\": {\n    \"state\": \"none\"",
            ""),
        Arguments.of(List.of("diagnose", q), 0, "Confirmed: no OOM kill", ""),
        Arguments.of(
            List.of("diagnose", "--path.rootfs", proc.getParent().toString(), q),
            0,
            "Host now: worker-3, kernel 6.8.0-45-generic",
            ""),
        Arguments.of(
            List.of("diagnose", "--path.procfs", proc.toString(), q),
            0,
            "MemTotal 7812.5 MiB, MemAvailable 5859.4 MiB (75%)",
            ""),
        Arguments.of(
            List.of("diagnose", "--vm-memory", "8G", q),
            2,
            "",
            "--vm-memory is compared with a host's MemTotal"),
        Arguments.of(
            List.of(
                "doctor", "--path.rootfs", dir.resolve("nowhere").toString(), "--kernel-log", q),
            3,
            "Confirmed: no OOM kill",
            "oomlens: cannot read " + dir.resolve("nowhere/proc/meminfo")),
        Arguments.of(
            List.of(
                "doctor",
                "--path.procfs",
                proc.toString(),
                "--path.sysfs",
                dir.resolve("nosys").toString(),
                "--kernel-log",
                q),
            0,
            "host " + proc + ", " + dir.resolve("nosys"),
            ""),
        Arguments.of(
            List.of("doctor", "--vm-memory", "4X", "--kernel-log", q),
            2,
            "",
            "oomlens: --vm-memory: '4X' is not a size"),
        Arguments.of(
            List.of("doctor", "--vm-memory", "-1G", "--kernel-log", q), 2, "", "is not a size"),
        Arguments.of(
            List.of("doctor", "--vm-memory", "4.5Gi", "--kernel-log", q, "--format", "json"),
            0,
            "\"configured_vm_memory_bytes\": 4831838208",
            ""),
        Arguments.of(
            List.of("doctor", "--vm-memory", "4.5G", "--kernel-log", q, "--format", "json"),
            0,
            "\"configured_vm_memory_bytes\": 4500000000",
            ""),
        Arguments.of(
            List.of("doctor", "--vm-memory", "4g", "--kernel-log", q),
            2,
            "",
            "'4g' is not a size: suffixes are Kubernetes'"),
        Arguments.of(
            List.of("doctor", "--vm-memory", "512m", "--kernel-log", q),
            2,
            "",
            "'512m' is not a size: in Kubernetes m is milli; for mebibytes write 512Mi"),
        Arguments.of(List.of("snapshot"), 2, "", "Missing required parameter: 'DIR'"),
        Arguments.of(
            List.of("diagnose", killers.toString()),
            0,
            "Confirmed: 1 kill by a userspace killer (earlyoom 1)",
            ""),
        Arguments.of(
            List.of("diagnose", killers.toString()),
            0,
            "earlyoom kill java (pid 4242), RSS 3000.0 MiB: at or below SIGKILL limits: mem"
                + "  4.00%, swap 10.00%  ("
                + killers
                + ":2)",
            ""),
        Arguments.of(
            List.of("diagnose", "--format", "json", killers.toString()),
            0,
            "\"killer\": \"earlyoom\",\n      \"action\": \"kill\"",
            ""),
        Arguments.of(
            List.of("doctor", "--kernel-log", q, killers.toString()),
            0,
            "Confirmed: 1 kill by a userspace killer (earlyoom 1)",
            ""),
        Arguments.of(
            List.of("doctor", "--kernel-log", q, killers.toString()),
            0,
            "\nRead: kernel log " + q + ", " + killers + "; host ",
            ""),
        Arguments.of(
            List.of("doctor"),
            3,
            "\nRead: kernel log (none could be read); " + KillerJournalReader.NAME + "; host ",
            ""),
        Arguments.of(
            List.of("doctor"),
            3,
            "Confirmed: unknown: cannot read /dev/kmsg: permission"
                + " denied; cannot read journalctl -k -b: permission denied",
            ""),
        Arguments.of(
            List.of("diagnose", "--workload", "479f327f-a27b-4eda-8523-90bdabcf0a27", oom),
            0,
            "Confirmed: 1 OOM kill by the kernel; none by a userspace killer (of pod UID"
                + " 479f327f-a27b-4eda-8523-90bdabcf0a27)",
            ""),
        Arguments.of(
            List.of("diagnose", "--workload", "479f327f_a27b_4eda_8523_90bdabcf0a27", oom),
            0,
            "[MEMCG-LIMIT, high]",
            ""),
        Arguments.of(
            List.of("diagnose", "--workload", "679f9845", oom), 0, "Confirmed: 1 OOM kill", ""),
        Arguments.of(
            List.of("diagnose", "--workload", "stress-ng-vm", oom), 0, "Confirmed: 1 OOM kill", ""),
        Arguments.of(
            List.of("diagnose", "--workload", "kubepods-burstable.slice", oom),
            0,
            "Confirmed: 1 OOM kill",
            ""),
        Arguments.of(
            List.of("diagnose", "--workload", "nginx.service", oom),
            0,
            "Confirmed: no OOM kill: neither the kernel's OOM killer nor a userspace killer is on"
                + " record in "
                + oom
                + " (of systemd unit nginx.service)",
            ""),
        Arguments.of(
            List.of(
                "diagnose", "--since", "2025-12-13T07:00:00Z", "--until", "2025-12-13T08:00", oom),
            0,
            "Confirmed: 1 OOM kill",
            ""),
        Arguments.of(
            List.of("diagnose", "--since", "2025-12-14", oom),
            0,
            "Confirmed: no OOM kill: neither the kernel's OOM killer nor a userspace killer is on"
                + " record in "
                + oom
                + " (since 2025-12-14T00:00:00Z)",
            ""),
        Arguments.of(
            List.of("diagnose", "--since", "30d", oom), 0, "(since 2026-01-04T10:00:00Z)", ""),
        Arguments.of(
            List.of("diagnose", "--since", "yesterday", oom),
            2,
            "",
            "'yesterday' is not a time: give an ISO 8601 time"),
        Arguments.of(
            List.of("diagnose", "--since", "1h", "--until", "2h", oom),
            2,
            "",
            "the window ends (2026-02-03T08:00:00Z) before it starts (2026-02-03T09:00:00Z)"),
        Arguments.of(
            List.of("diagnose", "--one-line", oom),
            0,
            "2025-12-13T07:23:21  "
                + "aks-ubuntu-26835060-vmss000000  stress-ng-vm (pid 716580, RSS 462.7 MiB) <- the pod"
                + " limit: memory cgroup /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-"
                + "pod479f327f_a27b_4eda_8523_90bdabcf0a27.slice  ("
                + aksPod.getFileName()
                + ":1-71)\n",
            ""),
        Arguments.of(
            List.of("diagnose", "--one-line", "--format", "json", oom),
            2,
            "",
            "--one-line is a text format"),
        Arguments.of(
            List.of("doctor", "--kernel-log"),
            2,
            "",
            "Missing required parameter for option '--kernel-log'"),
        Arguments.of(List.of("doctor", "extra"), 2, "", "Try 'oomlens doctor --help'"));
  }

  @ParameterizedTest(name = "oomlens {0}")
  @MethodSource("table")
  void execute_table(List<String> args, int code, String stdout, String stderr) {
    Run r = run(args.toArray(String[]::new));
    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(code);
    assertThat(r.out()).contains(stdout);
    assertThat(r.err()).contains(stderr);
  }

  @Test
  void execute_usageError_printsOneLineAndHintOnly() {
    Run r = run("diagnose", "--no-such-option", quiet.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "oomlens: Unknown option: '--no-such-option'\n"
                + "Try 'oomlens diagnose --help' for more information.\n");
  }

  @Test
  void doctor_debug_timesEverySourceItReads() {
    Run r =
        run(
            env(
                "",
                live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                unreadable("journalctl -k -b")),
            "doctor",
            "--debug");
    assertThat(r.code()).isZero();
    String time = ": \\d+\\.\\d ms wall, (\\d+\\.\\d ms|unknown) CPU\n";
    // The sources are read at once: each says when it is done, in whatever order they finish.
    String source =
        "oomlens: debug: read ("
            + "kernel log \\(/dev/kmsg, else the journal\\)"
            + "|userspace killers' records \\(journal\\)"
            + "|host \\Q"
            + proc
            + ", "
            + proc.resolveSibling("sys")
            + "\\E \\(meminfo, PSI, cgroups, processes\\))"
            + time;
    assertThat(r.err())
        .matches(
            "(?s)"
                + source
                + source
                + source
                + "oomlens: debug: read and diagnosed, all sources and rules"
                + time)
        .contains("read kernel log (", "read userspace killers'", "read host ");
    assertThat(
            run(
                    env(
                        "",
                        live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                        unreadable("journalctl -k -b")),
                    "doctor")
                .err())
        .isEmpty();
  }

  @Test
  void doctor_kmsgReadable_saysNoOomKillSinceBoot() {
    Run r =
        run(
            env(
                "",
                live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                unreadable("journalctl -k -b")),
            "doctor");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .startsWith(
            "oomlens doctor: worker-3, kernel 6.8.0-45-generic, up 1d 01h\n"
                + "Read: kernel log /dev/kmsg; journalctl -b (OOM killers); host "
                + proc
                + ", "
                + proc.resolveSibling("sys")
                + "\n"
                + "\nConfirmed: no OOM kill: neither the kernel's OOM killer nor a userspace killer is"
                + " on record in /dev/kmsg, journalctl -b (OOM killers)\n")
        .contains(
            "\nNo OOM-killer report in /dev/kmsg (this boot, as far back as the kernel's"
                + " ring buffer goes).\n")
        .contains("\nHost now: worker-3, kernel 6.8.0-45-generic\n");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void doctor_kmsgUnreadable_fallsBackToTheJournal() {
    Run r =
        run(
            env(
                "",
                unreadable("/dev/kmsg"),
                live(
                    "journalctl -k -b",
                    "2026-02-03T09:00:00.000000+0000 worker-3 kernel: hello\n")),
            "doctor");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("No OOM-killer report in journalctl -k -b (this boot).")
        .doesNotContain("/dev/kmsg");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void doctor_live_readsTheKillersJournalOntoTheTimeline() {
    Run r =
        run(
            env(
                "",
                live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                unreadable("journalctl -k -b"),
                live(KillerJournalReader.NAME, EARLYOOM)),
            "doctor");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("\nConfirmed: 1 kill by a userspace killer (earlyoom 1)")
        .contains("[USERSPACE-KILL, high]")
        .contains(
            "earlyoom kill java (pid 4242), RSS 3000.0 MiB: at or below SIGKILL limits: mem"
                + "  4.00%, swap 10.00%  ("
                + KillerJournalReader.NAME
                + ":2)");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void doctor_liveJson_citesTheKillersJournalLines() {
    Run r =
        run(
            env(
                "",
                live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                unreadable("journalctl -k -b"),
                live(KillerJournalReader.NAME, EARLYOOM)),
            "doctor",
            "--format",
            "json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("\"killer\": \"earlyoom\",\n      \"action\": \"kill\"")
        .contains("\"file\": \"" + KillerJournalReader.NAME + "\",\n        \"line\": 2,")
        .contains("\"code\": \"USERSPACE-KILL\"")
        .contains("\"problems\": []");
  }

  @Test
  void doctor_killersJournalUnreadable_saysSoAndStillExits0() {
    Run r =
        run(
            env(
                "",
                live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                unreadable("journalctl -k -b"),
                unreadable(KillerJournalReader.NAME)),
            "doctor");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "\nRead: kernel log /dev/kmsg; "
                + KillerJournalReader.NAME
                + " (could not be read); host ")
        .contains(
            "is on record in /dev/kmsg; the userspace killers' records could not be read"
                + " ("
                + KillerJournalReader.NAME
                + ")\n");
    assertThat(r.err())
        .isEqualTo("oomlens: cannot read " + KillerJournalReader.NAME + ": permission denied\n");
  }

  @Test
  void doctor_killersJournalUnreadable_isAProblemOfTheJsonDocument() {
    Run r =
        run(
            env(
                "",
                live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                unreadable("journalctl -k -b"),
                unreadable(KillerJournalReader.NAME)),
            "doctor",
            "--format",
            "json");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "\"file\": \""
                + KillerJournalReader.NAME
                + "\",\n"
                + "      \"line\": 0,\n      \"message\": \"cannot read "
                + KillerJournalReader.NAME
                + ": permission denied\"");
  }

  @Test
  void doctor_kernelLog_leavesThisMachinesJournalAlone() {
    AtomicBoolean opened = new AtomicBoolean();
    Run r =
        run(
            env(
                "",
                unreadable("/dev/kmsg"),
                unreadable("journalctl -k -b"),
                untouched(KillerJournalReader.NAME, opened)),
            "doctor",
            "--kernel-log",
            quiet.toString());
    assertThat(r.code()).isZero();
    assertThat(opened).isFalse();
    assertThat(r.out()).doesNotContain(KillerJournalReader.NAME);
  }

  @Test
  void diagnose_journal_readsTheKillersToo() {
    Run r =
        run(
            env(
                "",
                unreadable("/dev/kmsg"),
                live(
                    "journalctl -k -b", "2026-02-03T09:00:00.000000+0000 worker-3 kernel: hello\n"),
                live(KillerJournalReader.NAME, EARLYOOM)),
            "diagnose",
            "--journal");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Confirmed: 1 kill by a userspace killer (earlyoom 1)")
        .contains("(" + KillerJournalReader.NAME + ":2)");
  }

  @Test
  void diagnose_kmsgOrFiles_leaveTheKillersJournalAlone() {
    AtomicBoolean opened = new AtomicBoolean();
    Run r =
        run(
            env(
                "",
                live("/dev/kmsg", "6,1,100,-;Linux version 6.8.0\n"),
                unreadable("journalctl -k -b"),
                untouched(KillerJournalReader.NAME, opened)),
            "diagnose",
            "--kmsg",
            quiet.toString());
    assertThat(r.code()).isZero();
    assertThat(opened).isFalse();
  }

  @Test
  void doctor_missingProc_stillPrintsAHeader() {
    Environment env =
        new Environment(
            InputStream.nullInputStream(),
            Clock.systemUTC(),
            HostPaths.under(dir.resolve("no-host")),
            live("/dev/kmsg", ""),
            unreadable("journal"),
            noKillers());
    Run r = run(env, "doctor");
    assertThat(r.out())
        .startsWith("oomlens doctor: (hostname unknown), kernel (unknown), up (unknown)\n");
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .isEqualTo("oomlens: cannot read " + dir.resolve("no-host/proc/meminfo") + "\n");
  }

  @Test
  void execute_unexpectedException_isOneLineWithoutStackTrace() {
    Supplier<LiveLog> broken =
        () -> {
          throw new IllegalStateException("kmsg exploded");
        };
    Run r = run(env("", broken, unreadable("journal")), "doctor");
    assertThat(r.code()).isEqualTo(ExitCodes.INTERNAL);
    assertThat(r.err())
        .startsWith("oomlens: internal error: java.lang.IllegalStateException: kmsg exploded\n")
        .contains("please report it")
        .doesNotContain("\tat ");
  }

  @Test
  void execute_fileChangedBeforeItsLineWasQuoted_isAnInputErrorNamingFileAndLine() {
    Supplier<LiveLog> changed =
        () -> {
          throw new UncheckedIOException(
              new IOException(
                  "writing the report",
                  new SourceLine.ChangedException(
                      "kern.log:12: the line is no longer the one that was read: the file changed"
                          + " after it was read",
                      null)));
        };
    Run r = run(env("", changed, unreadable("journal")), "doctor");
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .isEqualTo(
            "oomlens: kern.log:12: the line is no longer the one that was read: the file changed"
                + " after it was read; run it again on a file left as it is\n");
  }

  @Test
  void execute_unexpectedExceptionWithDebug_printsStackTrace() {
    Supplier<LiveLog> broken =
        () -> {
          throw new IllegalStateException("kmsg exploded");
        };
    Run r = run(env("", broken, unreadable("journal")), "doctor", "--debug");
    assertThat(r.code()).isEqualTo(ExitCodes.INTERNAL);
    assertThat(r.err()).contains("\n    at dev.oomlens.").contains("oomlens: internal error:");
  }

  @Test
  void diagnose_output_writesTheReportToTheFileNotStdout() throws IOException {
    Path report = dir.resolve("report.txt");
    Run r = run("diagnose", "--output", report.toString(), quiet.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(Files.readString(report))
        .startsWith("Confirmed: no OOM kill")
        .endsWith("\nNo OOM-killer report in " + quiet + ".\n");
  }

  @Test
  void diagnose_outputInMissingDirectory_isExit3() {
    Path report = dir.resolve("no/such/dir/report.txt");
    Run r = run("diagnose", "--output", report.toString(), quiet.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err()).startsWith("oomlens: cannot write " + report + ": ");
  }

  @Test
  void diagnose_stdin_isReadOnceAndNotClosed() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("nothing here\n".getBytes(StandardCharsets.UTF_8));
    Run r =
        run(
            env(bytes.toString(StandardCharsets.UTF_8), unreadable("k"), unreadable("j")),
            "diagnose",
            "-");
    assertThat(r.out()).endsWith("\nNo OOM-killer report in -.\n");
  }

  @Test
  void diagnose_stdin_readsKillersAndReportsInOnePass() throws IOException {
    String report = Files.readString(aksPod);
    Run r =
        run(
            env(EARLYOOM + report, unreadable("k"), unreadable("j")),
            "diagnose",
            "--format",
            "json",
            "-");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("\"killer\": \"earlyoom\"")
        .contains("\"file\": \"-\",\n        \"line\": 2,")
        .contains("\"code\": \"MEMCG-LIMIT\"")
        .contains("\"first_line\": 3,");
  }

  /** A live log over fixed text and problems, like KmsgLog and JournalLog. */
  static final class FakeLog implements LiveLog {
    private final String name;
    private final InputStream stream;
    private final List<Problem> problems;

    FakeLog(String name, String text, List<Problem> problems) {
      this.name = name;
      this.stream = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
      this.problems = new ArrayList<>(problems);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public InputStream stream() {
      return stream;
    }

    @Override
    public List<Problem> problems() {
      return problems;
    }

    @Override
    public void close() {
      try {
        stream.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
