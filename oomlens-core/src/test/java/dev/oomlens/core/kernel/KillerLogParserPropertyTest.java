package dev.oomlens.core.kernel;

import static dev.oomlens.core.kernel.ReportTestLines.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The killers' line reader, whose fixed starts and "name[pid]: " tag are read by hand before any
 * pattern runs, against the reader that tried every pattern on every line (KillerLogRegexParser):
 * the same events, in the same order, from the same framed lines. The lines are every message
 * format the reader knows, in every framing and tag, whole, cut, and with characters inserted,
 * dropped or changed, in runs that share hosts (the reader remembers what a killer said before);
 * and every line of the corpus. Seeded, so a failure names its case.
 */
class KillerLogParserPropertyTest {
  private static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 12, 6));

  private static final List<String> MESSAGES =
      List.of(
          "Killed /system.slice/web.service due to memory pressure for /system.slice being 57.97%"
              + " > 50.00% for > 20s with reclaim activity",
          "Marked /user.slice/user-1000.slice/app.scope for killing due to memory used (16260780032)"
              + " / total (16419115008) and swap used (29560922112) / total (32838500352) being"
              + " more than 90.00%",
          "Killed /a.scope due to swap used (1) / total (2) being more than 90.00%",
          "Killed /a.scope due to rule 7",
          "Killed /a.scope due to something else",
          "web.service: systemd-oomd killed 3 process(es) in this unit.",
          "web.service: systemd-oomd killed some process(es) in this unit",
          "web.service: A process of this unit has been killed by the OOM killer.",
          "web.service: Failed with result 'oom-kill'.",
          "web.service: Main process exited, code=killed, status=9/KILL",
          "app-1.scope: Main process exited, code=dumped, status=6/ABRT.",
          "low memory! at or below SIGTERM limits: mem  9.99%, swap 10.00%",
          "low memory! at or below SIGKILL limits",
          "sending SIGTERM to process 1234 uid 1000 \"chrome\": badness 900, VmRSS 2048 MiB",
          "sending SIGKILL to process 99 \"tail\": oom_score 1000, oom_score_adj 0, VmRSS 123 MiB,"
              + " cmdline \"tail /dev/zero\"",
          "sending SIGTERM to process 7 \"a\": VmRSS 9999999999999 MiB",
          "escalating to SIGKILL after 0.5 seconds",
          "kill failed: No such process",
          "process 1234 exited after 0.123 seconds",
          "Killing process 1234 chrome",
          "Memory status that requires corrective actions:",
          "  MemAvailable [123 MiB, 1.2 %] <= hard_threshold_max_mem [200 MiB, 2 %]",
          "  SwapFree [0 MiB, 0 %] <= hard_threshold_min_swap [100 MiB]",
          "  PSI avg value (75.1) > hard_threshold_max_psi (70)",
          "Process with highest badness (found in 3ms):",
          "  PID: 1234, Name: chrome, badness: 900",
          "Victim status (found in 3ms):",
          "  PID:       1234, name: chrome, state: S (sleeping)",
          "  Vm, MiB:   Size: 4096.1, RSS: 2048.5, Swap: 0",
          "Implementing a corrective action:",
          "  Sending SIGTERM to the victim",
          "  Victim is chrome, pid: 1234, badness: 900, VmRSS: 2048 MiB, VmSwap: 0 MiB",
          "  Sending SIGKILL to the victim; total response time: 3 ms",
          "I0617 16:18:42.080925 3814777 eviction_manager.go:381] \"Eviction manager: attempting to"
              + " reclaim\" resourceName=\"memory\"",
          "W0617 16:18:42.080925 3814777 eviction_manager.go:381] \"Eviction manager: must evict"
              + " pod(s) to reclaim\" resourceName=\"ephemeral-storage\"",
          "I0617 16:18:42.5 1 eviction_manager.go:1] \"Eviction manager: pod is evicted"
              + " successfully\" pod=\"default/web-0\"",
          "\"Eviction manager: pods evicted, waiting for pod to be cleaned up\""
              + " pods=[default/web-0 default/web-1]",
          "\"Evicting pod\" pod=\"default/web-0\" podUID=abc message=\"The node was low on"
              + " resource: memory. Threshold quantity: 100Mi\"",
          "eviction manager: attempting to reclaim memory",
          "eviction manager: must evict pod(s) to reclaim nodefs.inodesFree",
          "eviction manager: pod web-0_default(1234-abcd) is evicted successfully",
          "eviction manager: pods web-0_default(1234) evicted, waiting for pod to be cleaned up",
          "Warning  Evicted  pod/web-0  The node was low on resource: memory. Container x was"
              + " using 1Gi",
          "E1111 11:11:11.1 2 kubelet.go:2] eviction manager: pod a_b is evicted successfully",
          "out of memory: Killed process 1234 (chrome) total-vm:1kB, anon-rss:1kB",
          "the victim was chosen");

  private static final List<String> TAGS =
      List.of(
          "earlyoom",
          "nohang",
          "systemd-oomd",
          "systemd",
          "kubelet",
          "kernel",
          "a.b@c-d_e",
          "x".repeat(64),
          "x".repeat(65),
          "ünïcode",
          "");

  private static final String ODD = "[]:\" \t\r\u0085\u2028\u00a0\u200bé0123456789/.-_@()EeVv";

  @Test
  void handReadStartsGiveTheEventsOfEveryPattern() {
    Random random = new Random(20261206);
    int events = 0;
    for (int n = 0; n < 3_000; n++) {
      List<String> lines = new ArrayList<>();
      int length = 5 + random.nextInt(60);
      for (int i = 0; i < length; i++) {
        lines.add(framed(random, mutated(random, MESSAGES.get(random.nextInt(MESSAGES.size())))));
      }
      events += compare("case " + n, lines);
    }
    assertThat(events).isGreaterThan(10_000);
  }

  @Test
  void corpusLinesGiveTheSameEvents() {
    String[] files = {
      "001-oomanalyser-rhel7-3.10-host.log",
      "003-ubuntu-3.13-docker-java-memcg-v1.log",
      "015-jpaztech-aks-5.15-burstable-pod-cgv2.log",
      "018-oomanalyser-arch-6.1-host.log",
      "020-ubuntu-6.8-host-journal-priority-filtered.log",
      "023-lstoakes-5.10-next-qemu-host-lines-cut-at-159.log"
    };
    for (String file : files) {
      compare(file, resource("corpus/" + file).lines().toList());
    }
  }

  @Test
  void bareTagEnd_readsWhatThePatternReads() {
    Pattern bare = Pattern.compile("^([\\w.@-]{1,64})\\[\\d{1,10}\\]: (.*)$", Pattern.DOTALL);
    Random random = new Random(64);
    for (int n = 0; n < 50_000; n++) {
      String tag = TAGS.get(random.nextInt(TAGS.size()));
      String pid = "1234567890123".substring(0, random.nextInt(13));
      String m = mutated(random, tag + "[" + pid + "]: message");
      Matcher matcher = bare.matcher(m);
      int end = KillerLogParser.bareTagEnd(m);
      assertThat(end >= 0).as(m).isEqualTo(matcher.matches());
      if (end >= 0) {
        assertThat(m.substring(end + 2)).as(m).isEqualTo(matcher.group(2));
        assertThat(m.substring(0, m.indexOf('['))).as(m).isEqualTo(matcher.group(1));
      }
    }
  }

  /** Frames the lines as the reader does and feeds both parsers; returns the events found. */
  private static int compare(String at, List<String> lines) {
    LineFramer framer = new LineFramer(OPTIONS);
    List<LogLine> framed = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      framer.frame(new SourceLine("t", i + 1, lines.get(i)), framed::add);
    }
    KillerLogParser handRead = new KillerLogParser();
    KillerLogRegexParser patterns = new KillerLogRegexParser();
    List<KillerEvent> expected = new ArrayList<>();
    List<KillerEvent> actual = new ArrayList<>();
    for (LogLine line : framed) {
      patterns.accept(line, expected::add);
      handRead.accept(line, actual::add);
      assertThat(actual).as(at + ", " + line).isEqualTo(expected);
    }
    return actual.size();
  }

  private static String framed(Random random, String message) {
    String tag = TAGS.get(random.nextInt(TAGS.size()));
    String pid = random.nextInt(5) == 0 ? "" : "[" + random.nextInt(100_000) + "]";
    String host = "node-" + random.nextInt(3);
    return switch (random.nextInt(7)) {
      case 0 -> "Dec 17 10:04:41 " + host + " " + tag + pid + ": " + message;
      case 1 -> "2026-09-10T19:46:58+0000 " + host + " " + tag + pid + ": " + message;
      case 2 -> tag + pid + ": " + message;
      case 3 -> "[ 547600.412754] " + message;
      case 4 -> "[ 547600.412754] " + host + " " + tag + pid + ": " + message;
      default -> message;
    };
  }

  /** The message whole, or cut, or with a character inserted, dropped or changed. */
  private static String mutated(Random random, String s) {
    int kind = random.nextInt(8);
    if (kind < 3 || s.isEmpty()) {
      return s;
    }
    int at = random.nextInt(s.length());
    char c = ODD.charAt(random.nextInt(ODD.length()));
    return switch (kind) {
      case 3 -> s.substring(0, at);
      case 4 -> s.substring(0, at) + c + s.substring(at);
      case 5 -> s.substring(0, at) + s.substring(at + 1);
      case 6 -> s.substring(0, at) + c + s.substring(at + 1);
      default -> s.substring(0, at) + Character.toUpperCase(s.charAt(at)) + s.substring(at + 1);
    };
  }
}
