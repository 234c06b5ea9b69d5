package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on a real kernel where this machine's own must not go: {@code oomlens watch}, the
 * launcher and the jar this build made, runs in a QEMU guest (Debian's cloud kernel, cgroup v2, no
 * swap) with the systemd unit's oom_score_adj and MemoryMax, while a process drives the guest into
 * a host-wide OOM, or a container into its limit. What the agent stored (its SQLite history, read
 * back here), printed and exported is checked against what the kernel did. src/test/vmlab/build.sh
 * builds the lab (src/test/vmlab/README.md); where it cannot (no qemu, no kernel package reachable,
 * not x86-64) the tests skip and say why.
 */
class WatchVmLabIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path LAB = Path.of("target/vmlab").toAbsolutePath();
  private static final Path JAR = Path.of("target/oomlens.jar").toAbsolutePath();
  private static final Path UNIT = ROOT.resolve("deploy/systemd/oomlens-watch.service");

  /** Enough for the JVM (about 55 MiB resident) beside the scenario's cgroups. */
  private static final int GUEST_MIB = 768;

  /**
   * A boot that has not powered off by then is killed: the guest waits at most 300 s for the agent
   * and 300 s for the hog, and under emulation on a loaded machine a run takes 1-3 min.
   */
  private static final long BOOT_LIMIT_S = 600;

  private static String skipped;

  @TempDir static Path tmp;

  /** What one boot wrote on its data port: the meta lines in order, and the files by name. */
  record Boot(List<Map<String, String>> meta, Map<String, String> files, String console) {
    Map<String, String> event(String name) {
      return meta.stream()
          .filter(m -> name.equals(m.get("event")))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no event " + name + " in " + meta + "\n" + console));
    }

    List<Map<String, String>> events(String name) {
      return meta.stream().filter(m -> name.equals(m.get("event"))).toList();
    }
  }

  @BeforeAll
  static void buildLab() throws IOException, InterruptedException {
    if (!System.getProperty("os.arch").equals("amd64")) {
      skipped = "not x86-64 (" + System.getProperty("os.arch") + ")";
    } else {
      Path log = Files.createTempFile(tmp, "build", ".log");
      Process p =
          new ProcessBuilder(
                  Path.of("src/test/vmlab/build.sh").toAbsolutePath().toString(),
                  LAB.toString(),
                  System.getProperty("java.home"),
                  JAR.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      // A download that hangs must not hold the build: the script is killed by its PID.
      boolean done = p.waitFor(600, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(done).as("src/test/vmlab/build.sh finished within 600 s: %s", out).isTrue();
      if (p.exitValue() == 4) {
        skipped = out.strip();
      } else {
        assertThat(p.exitValue()).as("src/test/vmlab/build.sh: %s", out).isZero();
      }
    }
    System.out.println(
        skipped == null
            ? "WatchVmLabIT: runs, lab in " + LAB
            : "WatchVmLabIT: skipped: " + skipped);
  }

  /** The unit's setting (OOMScoreAdjust=, MemoryMax=): the guest starts the agent with it. */
  private static String unitSetting(String key) throws IOException {
    for (String line : Files.readAllLines(UNIT)) {
      if (line.startsWith(key + "=")) {
        return line.substring(key.length() + 1).strip();
      }
    }
    throw new AssertionError("no " + key + "= in " + UNIT);
  }

  /** Boots SCENARIO with the agent started as the systemd unit starts it. */
  private static Boot boot(String scenario) throws IOException, InterruptedException {
    return boot(
        scenario,
        " agent_adj=" + unitSetting("OOMScoreAdjust") + " agent_max=" + unitSetting("MemoryMax"));
  }

  /** Boots SCENARIO; AGENT says how the agent is started (nothing: as root starts it by hand). */
  private static Boot boot(String scenario, String agent) throws IOException, InterruptedException {
    assumeTrue(skipped == null, skipped);
    Path run = LAB.resolve("run-" + scenario);
    Files.createDirectories(run);
    Path console = run.resolve("console.log");
    Path data = run.resolve("data.log");
    Files.deleteIfExists(console);
    Files.deleteIfExists(data);
    List<String> cmd =
        List.of(
            "qemu-system-x86_64",
            // No KVM assumed: software emulation runs wherever qemu does.
            "-accel",
            "tcg,thread=multi",
            "-cpu",
            "max",
            "-machine",
            "q35",
            "-smp",
            "2",
            "-m",
            GUEST_MIB + "M",
            "-no-reboot",
            "-display",
            "none",
            "-monitor",
            "none",
            "-kernel",
            LAB.resolve("vmlinuz").toString(),
            "-initrd",
            LAB.resolve("initramfs.cpio.gz").toString(),
            "-drive",
            "file=" + LAB.resolve("rootfs.img") + ",if=virtio,format=raw,readonly=on",
            "-append",
            "console=ttyS0,115200 loglevel=4 panic=5 psi=1 scenario=" + scenario + agent,
            "-serial",
            "file:" + console,
            "-serial",
            "file:" + data);
    long t0 = System.nanoTime();
    Process qemu =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(run.resolve("qemu.out").toFile())
            .start();
    boolean done = qemu.waitFor(BOOT_LIMIT_S, TimeUnit.SECONDS);
    if (!done) {
      // Killed by its own PID: nothing else on the machine is touched.
      qemu.destroyForcibly();
      qemu.waitFor(30, TimeUnit.SECONDS);
    }
    String consoleText =
        Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
    System.out.printf(
        "WatchVmLabIT: %s: qemu pid %d, %s after %.0f s%n",
        scenario, qemu.pid(), done ? "powered off" : "killed", (System.nanoTime() - t0) / 1e9);
    assertThat(done)
        .as(
            "guest %s powered off within %d s; console:\n%s",
            scenario, BOOT_LIMIT_S, tail(consoleText))
        .isTrue();
    return parse(Files.readString(data, StandardCharsets.UTF_8), consoleText);
  }

  private static String tail(String s) {
    return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
  }

  private static final Pattern KV = Pattern.compile("(\\w+)=(\\S*)");

  static Boot parse(String data, String console) {
    List<Map<String, String>> meta = new ArrayList<>();
    Map<String, String> files = new HashMap<>();
    String name = null;
    StringBuilder body = new StringBuilder();
    for (String line : data.replace("\r", "").split("\n", -1)) {
      if (name != null) {
        if (line.equals("@@END " + name)) {
          files.put(name, body.toString());
          name = null;
        } else {
          body.append(line).append('\n');
        }
      } else if (line.startsWith("@@META ")) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher kv = KV.matcher(line.substring(7));
        while (kv.find()) {
          m.put(kv.group(1), kv.group(2));
        }
        meta.add(m);
      } else if (line.startsWith("@@BEGIN ")) {
        name = line.substring(8);
        body.setLength(0);
      }
    }
    return new Boot(meta, files, console);
  }

  /** The agent's history as it left it in the guest, as a file here. */
  private static Path history(Boot b, String scenario) throws IOException {
    Path db = tmp.resolve(scenario + ".db");
    String b64 = b.files().get("oomlens.db.base64");
    assertThat(b64)
        .as(
            "the agent's history came out of the guest; agent output:\n%s",
            b.files().get("agent-log"))
        .isNotNull();
    Files.write(db, Base64.getMimeDecoder().decode(b64));
    Optional.ofNullable(b.files().get("oomlens.db-wal.base64"))
        .ifPresent(
            w -> {
              try {
                Files.write(tmp.resolve(scenario + ".db-wal"), Base64.getMimeDecoder().decode(w));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    return db;
  }

  private static List<Map<String, Object>> query(Path db, String sql) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
          row.put(r.getMetaData().getColumnLabel(i), r.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** The pid of every process the kernel's OOM killer killed, from the guest's dmesg. */
  private static List<String> killedPids(Boot b) {
    Matcher m =
        Pattern.compile("Killed process (\\d+) \\(").matcher(b.files().getOrDefault("dmesg", ""));
    List<String> pids = new ArrayList<>();
    while (m.find()) {
      pids.add(m.group(1));
    }
    return pids;
  }

  /**
   * The one kill in the history: the hog (comm nix), with the verdict, the main finding and the
   * cgroups (the OOM cgroup null for a host-wide OOM) given.
   */
  private static Map<String, Object> theOnlyKill(
      Path db, String hog, String verdict, String code, String oomCgroup, String cgroup)
      throws SQLException {
    List<Map<String, Object>> kills =
        query(
            db,
            "SELECT victim_pid, victim_comm, verdict, code, oom_cgroup, cgroup, at_ms FROM kill");
    assertThat(kills).hasSize(1);
    assertThat(kills.getFirst())
        .containsEntry("victim_pid", Integer.parseInt(hog))
        .containsEntry("victim_comm", "nix")
        .containsEntry("verdict", verdict)
        .containsEntry("code", code)
        .containsEntry("oom_cgroup", oomCgroup)
        .containsEntry("cgroup", cgroup);
    return kills.getFirst();
  }

  /**
   * SIGTERM, as systemd stops the unit, ends the agent with the JVM's status for it (128 + 15) and
   * nothing after its own lines: on a read-only install (the guest's disk is mounted read-only) the
   * launcher once made every stop exit 1 with "Error occurred during initialization of VM".
   */
  private static void stoppedCleanly(Boot b, String agent) {
    assertThat(b.events("exit"))
        .filteredOn(e -> agent.equals(e.get("pid")))
        .singleElement()
        .satisfies(e -> assertThat(e).containsEntry("status", "143"));
    assertThat(b.files().get("agent-log")).doesNotContain("Error occurred");
  }

  @Test
  void hostWideOom_agentSurvivesAndRecordsTheKillOnceAsNode() throws Exception {
    Boot b = boot("host-oom");
    String agent = b.event("agent-ready").get("pid");
    assertThat(b.event("agent-ready"))
        .containsEntry("oom_score_adj", unitSetting("OOMScoreAdjust"))
        .containsEntry("cgroup", "/system.slice/oomlens-watch.service");
    assertThat(b.event("init")).containsEntry("swap_kib", "0");
    String hog = b.event("spawn").get("pid");
    // The kernel killed the hog, and only the hog: a global OOM (no memcg) with the agent alive.
    assertThat(b.files().get("dmesg")).contains("constraint=CONSTRAINT_NONE");
    assertThat(killedPids(b)).containsExactly(hog);
    assertThat(b.events("exit").getFirst())
        .containsEntry("pid", hog)
        .containsEntry("status", "137");
    assertThat(b.event("agent-alive")).containsEntry("pid", agent);
    stoppedCleanly(b, agent);

    theOnlyKill(
        history(b, "host-oom"),
        hog,
        "node",
        "HOST-EXHAUSTED",
        null,
        "/user.slice/user-1000.slice/session-2.scope");
    assertThat(b.files().get("agent-log"))
        .contains("OOM kill at ", ": " + hog + " (nix), ", "; verdict node; HOST-EXHAUSTED: ");
    assertThat(b.files().get("metrics"))
        .containsPattern(
            "oomlens_oom_kills_total\\{code=\"HOST-EXHAUSTED\",[^}]*scope=\"host\"[^}]*verdict=\"node\"} 1.0");
  }

  @Test
  void hostWideOomWithZram_agentLowersItsOwnScoreAndWarnsOfSwapBeforeTheKill() throws Exception {
    // Started by hand as root: it inherits oom_score_adj 0 and lowers it itself.
    Boot b = boot("host-oom-zram", "");
    String agent = b.event("agent-ready").get("pid");
    assertThat(b.event("agent-ready")).containsEntry("oom_score_adj", "-900");
    assertThat(b.event("swap")).containsEntry("device", "/dev/zram0");
    String hog = b.event("spawn").get("pid");
    assertThat(b.files().get("dmesg")).contains("constraint=CONSTRAINT_NONE");
    assertThat(killedPids(b)).containsExactly(hog);
    assertThat(b.event("agent-alive")).containsEntry("pid", agent);
    stoppedCleanly(b, agent);

    Path db = history(b, "host-oom-zram");
    Map<String, Object> kill =
        theOnlyKill(
            db, hog, "node", "HOST-EXHAUSTED", null, "/user.slice/user-1000.slice/session-2.scope");
    // From /proc/meminfo's SwapTotal and SwapFree, sampled while zram filled: raised for the
    // host (no cgroup) before the kernel had to kill.
    List<Map<String, Object>> swap =
        query(db, "SELECT cgroup, raised_ms FROM warning WHERE code = 'SWAP-FILLING'");
    assertThat(swap)
        .anySatisfy(
            w -> {
              assertThat(w.get("cgroup")).isNull();
              assertThat(((Number) w.get("raised_ms")).longValue())
                  .isLessThan(((Number) kill.get("at_ms")).longValue());
            });
  }

  @Test
  void containerLimitOnCgroupV2_throttledAtHighThenKilledAtItsLimit() throws Exception {
    Boot b = boot("cgv2-limit");
    String container = b.event("cgroups").get("container");
    String hog = b.event("spawn").get("pid");
    assertThat(b.files().get("dmesg")).contains("constraint=CONSTRAINT_MEMCG");
    assertThat(killedPids(b)).containsExactly(hog);
    assertThat(b.event("agent-alive")).containsEntry("pid", b.event("agent-ready").get("pid"));
    stoppedCleanly(b, b.event("agent-ready").get("pid"));

    Path db = history(b, "cgv2-limit");
    Map<String, Object> kill = theOnlyKill(db, hog, "limit", "MEMCG-LIMIT", container, container);
    // Sampled from the container's memory.events and memory.current on the way up: held at
    // memory.high before the kill.
    List<Map<String, Object>> throttled =
        query(db, "SELECT cgroup, raised_ms FROM warning WHERE code = 'HIGH-THROTTLE'");
    assertThat(throttled).extracting(w -> w.get("cgroup")).contains(container);
    assertThat(throttled)
        .anySatisfy(
            w ->
                assertThat(((Number) w.get("raised_ms")).longValue())
                    .isLessThan(((Number) kill.get("at_ms")).longValue()));
  }
}
