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
 * @param unit the systemd unit or cgroup acted on, when the line names one
 * @param message the log message as printed
 */
public record KillerEvent(
    Killer killer,
    Optional<String> host,
    LogTime time,
    OptionalLong pid,
    Optional<String> comm,
    Optional<String> unit,
    String message,
    SourceLine source) {

  /** Who acted. */
  public enum Killer {
    SYSTEMD_OOMD("systemd-oomd"),
    EARLYOOM("earlyoom"),
    NOHANG("nohang"),
    KUBELET_EVICTION("kubelet-eviction"),
    /** systemd saying a unit's process died: {@code status=9/KILL} or {@code Failed with result 'oom-kill'}. */
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
  }
}
