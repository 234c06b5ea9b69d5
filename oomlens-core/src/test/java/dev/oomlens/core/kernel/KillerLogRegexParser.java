package dev.oomlens.core.kernel;

import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.KillerEvent.Action;
import dev.oomlens.core.host.KillerEvent.Killer;
import dev.oomlens.core.model.LogLine;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The userspace killers' line reader as it was at commit ecae899, every message tried against its
 * regular expressions: the reference {@link KillerLogParser} is held to
 * (KillerLogParserPropertyTest) and benchmarked beside (oomlens-bench's KillerLogParserBenchmark).
 */
final class KillerLogRegexParser {
  private static final long MIB = 1024L * 1024L;

  /** A resource name (memory, ephemeral-storage...); a sentence's final period is not in it. */
  private static final String RESOURCE = "([\\w-]+(?:\\.[\\w-]+)*)";

  private static final Pattern OOMD_KILL =
      Pattern.compile("^(Killed|Marked) (/\\S*) (?:for killing )?due to (.+)$", Pattern.DOTALL);
  private static final Pattern UNIT_LINE =
      Pattern.compile("^([^\\s:/]+\\.[a-z]+): (.+)$", Pattern.DOTALL);
  private static final Pattern UNIT_OOMD =
      Pattern.compile("^systemd-oomd killed (\\d+|some) process\\(es\\) in this unit\\.?$");
  private static final Pattern UNIT_SIGNAL =
      Pattern.compile(
          "^Main process exited, code=(?:killed|dumped), status=(\\d+/[A-Z0-9+-]+)\\.?$");

  private static final Pattern EARLYOOM_LOW =
      Pattern.compile(
          "^low memory! at or below (SIGTERM|SIGKILL) limits(?:: (.*))?$", Pattern.DOTALL);
  private static final Pattern EARLYOOM_SEND =
      Pattern.compile(
          "^sending (SIG[A-Z]+) to process (\\d+)(?: uid (\\d+))? \"(.*?)\": "
              + "(?=badness|oom_score|VmRSS)(.*)$",
          Pattern.DOTALL);
  private static final Pattern EARLYOOM_OLD = Pattern.compile("^Killing process (\\d+) (\\S+)$");
  private static final Pattern EARLYOOM_ESCALATE =
      Pattern.compile("^escalating to SIGKILL after [0-9.]+ seconds$", Pattern.DOTALL);
  private static final Pattern EARLYOOM_FAILED =
      Pattern.compile("^kill failed: (.*)$", Pattern.DOTALL);
  private static final Pattern VMRSS_MIB = Pattern.compile("VmRSS (\\d{1,12}) MiB");

  private static final Pattern NOHANG_PID =
      Pattern.compile("^PID: +(\\d+), [Nn]ame: (.*?), (?:state|badness): .*$", Pattern.DOTALL);
  private static final Pattern NOHANG_RSS =
      Pattern.compile(
          "^Vm, MiB: +Size: [0-9.]+, RSS: ([0-9]{1,12})(?:\\.[0-9]+)?\\b.*$", Pattern.DOTALL);
  private static final Pattern NOHANG_V01_VICTIM =
      Pattern.compile(
          "^Victim is (.*), pid: (\\d+), badness: -?\\d+, VmRSS: ([0-9]{1,12}) MiB.*$",
          Pattern.DOTALL);
  private static final Pattern NOHANG_SEND =
      Pattern.compile("^Sending (SIG[A-Z]+) to the victim(?:;.*)?$", Pattern.DOTALL);
  private static final String NOHANG_MEMORY_STATUS =
      "Memory status that requires corrective actions:";

  private static final Pattern KLOG_HEADER =
      Pattern.compile(
          "^[IWEF]\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d+ +\\d+ [\\w.-]+:\\d+\\] (.*)$", Pattern.DOTALL);
  private static final Pattern KUBELET_RECLAIM =
      Pattern.compile(
          "^\"?[Ee]viction manager: (?:attempting to reclaim|must evict pod\\(s\\) to reclaim)"
              + "(?:\" resourceName=\""
              + RESOURCE
              + "\"| "
              + RESOURCE
              + ")");
  private static final Pattern KUBELET_EVICTED =
      Pattern.compile("^\"Eviction manager: pod is evicted successfully\" pod=\"([^\"]+)\"");
  private static final Pattern KUBELET_EVICTED_GLOG =
      Pattern.compile("^eviction manager: pod (\\S+) is evicted successfully");
  private static final Pattern KUBELET_CLEANUP =
      Pattern.compile(
          "^\"?[Ee]viction manager: pods (?:(\\S+) )?evicted, waiting for pod to be cleaned up\"?"
              + "(?: pods=\\[([^\\]]*)\\])?");
  private static final Pattern KUBELET_EVICTING =
      Pattern.compile("^\"Evicting pod\" pod=\"([^\"]+)\"");
  private static final Pattern NODE_LOW =
      Pattern.compile("The node was low on resource: " + RESOURCE);
  private static final Pattern POD_REF =
      Pattern.compile("(?:pod=\"([^\"]+)\"|pod/([\\w.-]+))", Pattern.DOTALL);
  private static final Pattern BARE_TAG =
      Pattern.compile("^([\\w.@-]{1,64})\\[\\d{1,10}\\]: (.*)$", Pattern.DOTALL);
  private static final Pattern GLOG_POD =
      Pattern.compile("^([^_\\s]+)_([^_(\\s]+)(?:\\(.*\\))?$", Pattern.DOTALL);

  /** What one host's killers said before the line that names the kill. */
  private static final class HostState {
    String earlyoomLimits;
    long earlyoomPid = -1;
    String earlyoomComm;
    long earlyoomRssBytes = -1;
    long nohangPid = -1;
    String nohangComm;
    long nohangRssBytes = -1;
    String nohangReason;
    boolean nohangAwaitingReason;
    String kubeletResource;
    final Set<String> evictedThisRound = new HashSet<>();
  }

  private final Map<String, HostState> hosts = new HashMap<>();

  /** Looks at one framed line, handing {@code out} the events it records (zero, one or more). */
  public void accept(LogLine line, Consumer<KillerEvent> out) {
    // The kernel's own lines are never a killer's, nor are untagged lines with neither a
    // "name[pid]: " tag in their text nor an eviction (the kubelet's bare glog lines and kubectl's
    // event text): most lines a kernel log holds are turned away here, before any pattern.
    if (line.tag().isPresent()
        ? line.tag().get().equals("kernel")
        : untaggedAndNoKillerWords(line)) {
      return;
    }
    String message = line.message().strip();
    if (message.isEmpty() || message.length() > 8192) {
      return;
    }
    Optional<String> tag = line.tag();
    if (tag.isEmpty()) {
      // A line copied from a journal without its date and host ("earlyoom[904]: ..."): the
      // framer sees no framing, but the tag is still there.
      Matcher bare = BARE_TAG.matcher(message);
      if (bare.matches()) {
        tag = Optional.of(bare.group(1));
        message = bare.group(2).strip();
        line =
            new LogLine(
                line.source(),
                line.framing(),
                line.host(),
                tag,
                line.time(),
                line.continuation(),
                message);
      }
    }
    HostState state = hosts.computeIfAbsent(line.host().orElse(""), h -> new HostState());
    if (oomd(line, message, out)
        || unit(line, message, out)
        || earlyoom(line, message, state, out)
        || nohang(line, message, state, out)) {
      return;
    }
    kubelet(line, message, state, out);
  }

  private static boolean untaggedAndNoKillerWords(LogLine line) {
    String m = line.message();
    return m.indexOf("]: ") < 0 && m.indexOf("vict") < 0;
  }

  private boolean oomd(LogLine line, String message, Consumer<KillerEvent> out) {
    // The pattern's fixed start, tested first: most lines that reach here are not oomd's.
    if (!message.startsWith("Killed ") && !message.startsWith("Marked ")) {
      return false;
    }
    Matcher m = OOMD_KILL.matcher(message);
    if (!m.matches()) {
      return false;
    }
    String reason = m.group(3);
    if (!reason.startsWith("memory pressure")
        && !reason.startsWith("memory used")
        && !reason.startsWith("swap used")
        && !reason.startsWith("rule ")) {
      return false;
    }
    out.accept(
        event(
            Killer.SYSTEMD_OOMD,
            Action.KILL,
            line,
            OptionalLong.empty(),
            Optional.empty(),
            Optional.of(m.group(2)),
            Optional.of(reason),
            OptionalLong.empty()));
    return true;
  }

  private boolean unit(LogLine line, String message, Consumer<KillerEvent> out) {
    if (!unitMessageStart(message)) {
      return false;
    }
    Matcher u = UNIT_LINE.matcher(message);
    if (!u.matches()) {
      return false;
    }
    Optional<String> unit = Optional.of(u.group(1));
    String rest = u.group(2).strip();
    Matcher m;
    if ((m = UNIT_OOMD.matcher(rest)).matches()) {
      out.accept(
          event(
              Killer.SYSTEMD_OOMD,
              Action.UNIT_KILLED_BY_OOMD,
              line,
              OptionalLong.empty(),
              Optional.empty(),
              unit,
              Optional.of(m.group(1) + " process(es)"),
              OptionalLong.empty()));
      return true;
    }
    if (rest.equals("A process of this unit has been killed by the OOM killer.")) {
      out.accept(
          event(
              Killer.SYSTEMD_UNIT_RESULT,
              Action.UNIT_OOM_KILL,
              line,
              OptionalLong.empty(),
              Optional.empty(),
              unit,
              Optional.empty(),
              OptionalLong.empty()));
      return true;
    }
    if (rest.equals("Failed with result 'oom-kill'.")) {
      out.accept(
          event(
              Killer.SYSTEMD_UNIT_RESULT,
              Action.UNIT_OOM_RESULT,
              line,
              OptionalLong.empty(),
              Optional.empty(),
              unit,
              Optional.of("oom-kill"),
              OptionalLong.empty()));
      return true;
    }
    if ((m = UNIT_SIGNAL.matcher(rest)).matches()) {
      out.accept(
          event(
              Killer.SYSTEMD_UNIT_RESULT,
              Action.UNIT_SIGNAL_EXIT,
              line,
              OptionalLong.empty(),
              Optional.empty(),
              unit,
              Optional.of(m.group(1)),
              OptionalLong.empty()));
      return true;
    }
    return false;
  }

  /*
   * What unit() needs before any pattern runs, tested without allocating (the patterns cost a
   * quarter of the ordered thread's time on a large log, most of it on lines that are not a unit's):
   * UNIT_LINE's unit name holds no ':', so its ": " is the message's first colon, and what follows
   * (stripped) must begin as one of the four unit messages read below.
   */
  private static boolean unitMessageStart(String message) {
    int colon = message.indexOf(':');
    if (colon < 0 || !message.startsWith(": ", colon)) {
      return false;
    }
    int i = colon + 2;
    while (i < message.length() && Character.isWhitespace(message.charAt(i))) {
      i++;
    }
    return message.startsWith("systemd-oomd killed ", i)
        || message.startsWith("A process of this unit ", i)
        || message.startsWith("Failed with result ", i)
        || message.startsWith("Main process exited, ", i);
  }

  private boolean earlyoom(LogLine line, String message, HostState s, Consumer<KillerEvent> out) {
    Matcher m;
    if ((m = EARLYOOM_LOW.matcher(message)).matches()) {
      s.earlyoomLimits = message.substring("low memory! ".length());
      return true;
    }
    if ((m = EARLYOOM_SEND.matcher(message)).matches()) {
      String signal = m.group(1);
      OptionalLong pid = number(m.group(2));
      Matcher rss = VMRSS_MIB.matcher(m.group(5));
      OptionalLong rssBytes = rss.find() ? mib(rss.group(1)) : OptionalLong.empty();
      s.earlyoomPid = pid.orElse(-1);
      s.earlyoomComm = m.group(4);
      s.earlyoomRssBytes = rssBytes.orElse(-1);
      Action action = signal.equals("SIGKILL") ? Action.KILL : Action.TERMINATE;
      out.accept(
          event(
              Killer.EARLYOOM,
              action,
              line,
              pid,
              Optional.of(m.group(4)),
              Optional.empty(),
              Optional.ofNullable(s.earlyoomLimits),
              rssBytes));
      return true;
    }
    if (EARLYOOM_ESCALATE.matcher(message).matches() && s.earlyoomPid > 0) {
      out.accept(earlyoomFollowUp(Action.KILL, line, s, Optional.ofNullable(s.earlyoomLimits)));
      return true;
    }
    if ((m = EARLYOOM_FAILED.matcher(message)).matches() && s.earlyoomPid > 0) {
      out.accept(earlyoomFollowUp(Action.KILL_FAILED, line, s, Optional.of(m.group(1))));
      return true;
    }
    if ((m = EARLYOOM_OLD.matcher(message)).matches()
        && line.tag().filter(t -> t.equals("earlyoom")).isPresent()) {
      out.accept(
          event(
              Killer.EARLYOOM,
              Action.TERMINATE,
              line,
              number(m.group(1)),
              Optional.of(m.group(2)),
              Optional.empty(),
              Optional.ofNullable(s.earlyoomLimits),
              OptionalLong.empty()));
      return true;
    }
    return false;
  }

  private KillerEvent earlyoomFollowUp(
      Action action, LogLine line, HostState s, Optional<String> reason) {
    return event(
        Killer.EARLYOOM,
        action,
        line,
        OptionalLong.of(s.earlyoomPid),
        Optional.ofNullable(s.earlyoomComm),
        Optional.empty(),
        reason,
        s.earlyoomRssBytes >= 0 ? OptionalLong.of(s.earlyoomRssBytes) : OptionalLong.empty());
  }

  private boolean nohang(LogLine line, String message, HostState s, Consumer<KillerEvent> out) {
    Matcher m;
    if (message.equals(NOHANG_MEMORY_STATUS)) {
      s.nohangAwaitingReason = true;
      s.nohangReason = null;
      return true;
    }
    if (s.nohangAwaitingReason
        && (message.startsWith("MemAvailable [")
            || message.startsWith("SwapFree [")
            || message.startsWith("Current PSI")
            || message.startsWith("MemUsedZram [")
            || message.startsWith("PSI "))) {
      s.nohangReason = message;
      s.nohangAwaitingReason = false;
      return true;
    }
    if ((m = NOHANG_PID.matcher(message)).matches()) {
      OptionalLong pid = number(m.group(1));
      if (pid.isPresent() && pid.getAsLong() != s.nohangPid) {
        s.nohangRssBytes = -1;
      }
      s.nohangPid = pid.orElse(-1);
      s.nohangComm = m.group(2);
      return true;
    }
    if ((m = NOHANG_RSS.matcher(message)).matches()) {
      s.nohangRssBytes = mib(m.group(1)).orElse(-1);
      return true;
    }
    if ((m = NOHANG_V01_VICTIM.matcher(message)).matches()) {
      s.nohangComm = m.group(1);
      s.nohangPid = number(m.group(2)).orElse(-1);
      s.nohangRssBytes = mib(m.group(3)).orElse(-1);
      return true;
    }
    if ((m = NOHANG_SEND.matcher(message)).matches()) {
      Action action = m.group(1).equals("SIGKILL") ? Action.KILL : Action.TERMINATE;
      out.accept(
          event(
              Killer.NOHANG,
              action,
              line,
              s.nohangPid > 0 ? OptionalLong.of(s.nohangPid) : OptionalLong.empty(),
              Optional.ofNullable(s.nohangComm),
              Optional.empty(),
              Optional.ofNullable(s.nohangReason),
              s.nohangRssBytes >= 0 ? OptionalLong.of(s.nohangRssBytes) : OptionalLong.empty()));
      s.nohangPid = -1;
      s.nohangComm = null;
      s.nohangRssBytes = -1;
      s.nohangReason = null;
      return true;
    }
    return false;
  }

  private void kubelet(LogLine line, String message, HostState s, Consumer<KillerEvent> out) {
    Matcher h = KLOG_HEADER.matcher(message);
    String body = h.matches() ? h.group(1) : message;
    Matcher m;
    if ((m = KUBELET_RECLAIM.matcher(body)).find()) {
      s.kubeletResource = m.group(1) != null ? m.group(1) : m.group(2);
      return;
    }
    if ((m = KUBELET_EVICTED.matcher(body)).find()) {
      evict(line, m.group(1), resourceOf(body, s), s, out);
      return;
    }
    if ((m = KUBELET_EVICTED_GLOG.matcher(body)).find()) {
      evict(line, glogPod(m.group(1)), resourceOf(body, s), s, out);
      return;
    }
    if ((m = KUBELET_EVICTING.matcher(body)).find()) {
      evict(line, m.group(1), resourceOf(body, s), s, out);
      return;
    }
    if ((m = KUBELET_CLEANUP.matcher(body)).find()) {
      String pods = m.group(2) != null ? m.group(2) : m.group(1);
      if (pods != null) {
        for (String pod : pods.split("[ ,\"]+")) {
          if (!pod.isEmpty()) {
            evict(line, glogPod(pod), resourceOf(body, s), s, out);
          }
        }
      }
      s.evictedThisRound.clear();
      return;
    }
    if ((m = NODE_LOW.matcher(body)).find()) {
      Matcher pod = POD_REF.matcher(body);
      String name = pod.find() ? (pod.group(1) != null ? pod.group(1) : pod.group(2)) : null;
      evict(line, name, Optional.of(m.group(1)), s, out);
    }
  }

  private static Optional<String> resourceOf(String body, HostState s) {
    Matcher low = NODE_LOW.matcher(body);
    return low.find() ? Optional.of(low.group(1)) : Optional.ofNullable(s.kubeletResource);
  }

  private void evict(
      LogLine line, String pod, Optional<String> resource, HostState s, Consumer<KillerEvent> out) {
    if (pod != null && !s.evictedThisRound.add(pod)) {
      return;
    }
    out.accept(
        event(
            Killer.KUBELET_EVICTION,
            Action.EVICT,
            line,
            OptionalLong.empty(),
            Optional.empty(),
            Optional.ofNullable(pod),
            resource,
            OptionalLong.empty()));
  }

  /** glog's format.Pod prints {@code name_namespace(uid)}; the structured logs print ns/name. */
  private static String glogPod(String pod) {
    Matcher m = GLOG_POD.matcher(pod);
    return m.matches() && !pod.contains("/") ? m.group(2) + "/" + m.group(1) : pod;
  }

  private static KillerEvent event(
      Killer killer,
      Action action,
      LogLine line,
      OptionalLong pid,
      Optional<String> comm,
      Optional<String> unit,
      Optional<String> reason,
      OptionalLong rssBytes) {
    return new KillerEvent(
        killer,
        line.host(),
        line.time(),
        pid,
        comm,
        unit,
        line.message(),
        line.source(),
        action,
        reason,
        rssBytes);
  }

  private static OptionalLong number(String digits) {
    if (digits.length() > 18) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(digits));
  }

  private static OptionalLong mib(String digits) {
    return digits.length() > 12
        ? OptionalLong.empty()
        : OptionalLong.of(Long.parseLong(digits) * MIB);
  }
}
