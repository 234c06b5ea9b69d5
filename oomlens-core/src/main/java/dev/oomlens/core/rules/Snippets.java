package dev.oomlens.core.rules;

/** Ready-to-paste fix snippets several analyzers share. */
public final class Snippets {
  private Snippets() {}

  /*
   * Services and slices are persistent units: a drop-in (systemctl edit) outlives restarts. Scopes
   * (sessions, docker-*.scope, things started with systemd-run --scope) are transient: their
   * properties can be changed only while they run, and the lasting fix is to start the command in
   * a scope that carries the limit.
   */

  /** A systemd memory limit for {@code unit} (a placeholder when unknown). */
  public static String systemdLimit(String unit, long maxMi, long highMi, String command) {
    if (unit.endsWith(".scope")) {
      return "# "
          + unit
          + " is transient: change it while it runs\n"
          + "systemctl set-property --runtime "
          + unit
          + " MemoryMax="
          + maxMi
          + "M MemoryHigh="
          + highMi
          + "M\n"
          + "# and start "
          + command
          + " with the limit from now on\n"
          + "systemd-run --scope -p MemoryMax="
          + maxMi
          + "M -p MemoryHigh="
          + highMi
          + "M "
          + command
          + "\n";
    }
    String section = unit.endsWith(".slice") ? "Slice" : "Service";
    return "# systemctl edit "
        + unit
        + "\n"
        + "["
        + section
        + "]\n"
        + "MemoryMax="
        + maxMi
        + "M\n"
        + "MemoryHigh="
        + highMi
        + "M\n";
  }
}
