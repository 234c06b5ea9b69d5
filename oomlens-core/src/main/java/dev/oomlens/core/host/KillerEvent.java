package dev.oomlens.core.host;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.SourceLine;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A kill (or eviction) recorded by something other than the kernel's OOM killer, or a service
 * manager's record that a unit died of SIGKILL or an OOM: read from the journal or syslog.
 *
 * @param unit the systemd unit or cgroup acted on, when the line names one; for kubelet evictions
 *     the pod as {@code namespace/name}
 * @param message the log message as printed
 * @param action what the line says was done
 * @param reason why, in the killer's words, when the line (or the killer's line before it) says:
 *     systemd-oomd's {@code memory pressure for /user.slice being 61.20% > 50.00% ...}, earlyoom's
 *     limits, the resource a kubelet evicted for ({@code memory}), the signal of a unit's exit
 *     ({@code 9/KILL})
 * @param rssBytes the victim's resident size when the killer printed it (earlyoom, nohang), else
 *     empty
 */
public record KillerEvent(
    Killer killer,
    Optional<String> host,
    LogTime time,
    OptionalLong pid,
    Optional<String> comm,
    Optional<String> unit,
    String message,
    SourceLine source,
    Action action,
    Optional<String> reason,
    OptionalLong rssBytes) {

  /** What a killer's line says was done. */
  public enum Action {
    /** A process or cgroup was sent SIGKILL, or marked for killing (systemd-oomd 254+). */
    KILL("kill"),
    /** A process was asked to exit (SIGTERM or a softer signal) before any SIGKILL. */
    TERMINATE("terminate"),
    /** The kill could not be done (earlyoom {@code kill failed}). */
    KILL_FAILED("kill-failed"),
    /** The kubelet evicted a pod. */
    EVICT("evict"),
    /** The service manager saw systemd-oomd kill processes of a unit. */
    UNIT_KILLED_BY_OOMD("unit-killed-by-oomd"),
    /** The service manager saw the kernel's OOM killer kill a process of a unit. */
    UNIT_OOM_KILL("unit-oom-kill"),
    /** A unit failed with result {@code oom-kill}. */
    UNIT_OOM_RESULT("unit-oom-result"),
    /** A unit's main process died of a signal ({@code code=killed, status=9/KILL}). */
    UNIT_SIGNAL_EXIT("unit-signal-exit");

    private final String jsonName;

    Action(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }

  /** Who acted. */
  public enum Killer {
    SYSTEMD_OOMD("systemd-oomd"),
    EARLYOOM("earlyoom"),
    NOHANG("nohang"),
    KUBELET_EVICTION("kubelet-eviction"),
    /**
     * systemd saying a unit's process died: {@code status=9/KILL} or {@code Failed with result
     * 'oom-kill'}.
     */
    SYSTEMD_UNIT_RESULT("systemd-unit-result");

    private final String jsonName;

    Killer(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }

  public KillerEvent {
    requireNonNull(killer, "killer");
    requireNonNull(host, "host");
    requireNonNull(time, "time");
    requireNonNull(pid, "pid");
    requireNonNull(comm, "comm");
    requireNonNull(unit, "unit");
    requireNonNull(message, "message");
    requireNonNull(source, "source");
    requireNonNull(action, "action");
    requireNonNull(reason, "reason");
    requireNonNull(rssBytes, "rssBytes");
  }

  /** An event read before actions were told apart: a kill, with no reason or size known. */
  public KillerEvent(
      Killer killer,
      Optional<String> host,
      LogTime time,
      OptionalLong pid,
      Optional<String> comm,
      Optional<String> unit,
      String message,
      SourceLine source) {
    this(
        killer,
        host,
        time,
        pid,
        comm,
        unit,
        message,
        source,
        Action.KILL,
        Optional.empty(),
        OptionalLong.empty());
  }
}
