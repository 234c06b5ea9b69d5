package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on the real kernel: real OOM kills in a 16 MiB cgroup shaped like a Kubernetes
 * container, the agent SIGKILLed in the middle of them and started again on the same history. Other
 * worktrees' tests may kill processes at the same time: every check matches this test's own kills
 * by pid and by its container's id, never by count alone.
 */
class WatchRealKernelTest {
  private static final long LIMIT = 16L << 20;

  @TempDir Path tmp;

  @Test
  void killsAcrossASigkilledAgent_eachStoredOnce_countedOnce_noneLost() throws Exception {
    Optional<String> whyNot = CgroupLab.whyNot();
    assumeThat(whyNot).as("real-kernel test skipped: %s", whyNot.orElse("")).isEmpty();
    Path db = tmp.resolve("history.db");
    CgroupLab.Container c = CgroupLab.container();
    try (CgroupLab lab = new CgroupLab(tmp)) {
      Path cg = lab.cgroup(c.path(), LIMIT);
      Path hog = lab.hog("hog-" + c.containerId().substring(0, 6));
      List<Long> pids = new ArrayList<>();

      Agent1 first = Agent1.start(db);
      // Lowering one's oom_score_adj needs CAP_SYS_RESOURCE, which a container may not grant.
      if (hasCapability(24)) {
        assertThat(
                java.nio.file.Files.readString(
                        Path.of("/proc", Long.toString(first.process.pid()), "oom_score_adj"))
                    .strip())
            .as("the agent lowers its own oom_score_adj")
            .isEqualTo("-900");
      } else {
        System.out.println("WatchRealKernelTest: oom_score_adj not checked: no CAP_SYS_RESOURCE");
      }
      try {
        for (int i = 0; i < 20; i++) {
          pids.add(lab.killOnce(cg, hog));
        }
        awaitStored(db, pids, Duration.ofSeconds(30));

        // SIGKILL the agent while kills go on, then kill more while nothing reads the log.
        CompletableFuture<List<Long>> during =
            CompletableFuture.supplyAsync(
                () -> {
                  List<Long> out = new ArrayList<>();
                  try {
                    for (int i = 0; i < 10; i++) {
                      out.add(lab.killOnce(cg, hog));
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  return out;
                });
        Thread.sleep(150);
        first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        pids.addAll(during.get(60, TimeUnit.SECONDS));
      } finally {
        first.process.destroyForcibly();
      }
      for (int i = 0; i < 5; i++) {
        pids.add(lab.killOnce(cg, hog));
      }
      long storedBefore = stored(db, pids).size();

      Agent1 second = Agent1.start(db);
      try {
        Map<Long, Long> rows = awaitStored(db, pids, Duration.ofSeconds(30));
        assertThat(rows.values()).as("rows per killed pid").allMatch(n -> n == 1);
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(pids);
        Thread.sleep(500); // the counter follows the commit the rows were seen by
        assertThat(killsCounted(second.port, c.containerId()))
            .as(
                "the restarted agent counts only the kills it stored itself; /metrics:%n%s",
                scrape(second.port)
                    .lines()
                    .filter(l -> l.startsWith("oomlens_oom_kills_total"))
                    .collect(Collectors.joining("\n")))
            .isEqualTo(pids.size() - storedBefore);
        try (History h = History.openToRead(db, Clock.systemUTC())) {
          List<KillRecord> mine =
              h.kills(Optional.empty()).stream()
                  .filter(
                      k -> k.victimPid().isPresent() && pids.contains(k.victimPid().getAsLong()))
                  .toList();
          assertThat(mine)
              .allSatisfy(
                  k -> {
                    assertThat(k.cgroup())
                        .as("cgroup of %s (from %s)", k.victimPid(), k.cgroupSource())
                        .hasValue(c.path());
                    assertThat(k.verdict()).isEqualTo(Verdict.LIMIT);
                    assertThat(k.containerId()).hasValue(c.containerId());
                    assertThat(k.report())
                        .contains("Killed process " + k.victimPid().getAsLong() + " (");
                  });
          assertThat(mine).filteredOn(k -> k.cgroupSource().equals("report")).isNotEmpty();
        }
      } finally {
        second.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** True when this process has capability {@code bit} in its effective set. */
  static boolean hasCapability(int bit) throws IOException {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("CapEff:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << bit)) != 0;
      }
    }
    return false;
  }

  /** An agent process and the port of its /metrics. */
  record Agent1(Process process, int port) {
    static Agent1 start(Path db) throws IOException, InterruptedException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-XX:+UseSerialGC",
                  "-Xmx64m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  AgentProcess.class.getName(),
                  db.toString())
              .redirectErrorStream(true)
              .start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try {
                  String line;
                  while ((line = out.readLine()) != null) {
                    if (line.startsWith("port ")) {
                      port.complete(Integer.parseInt(line.substring(5).strip()));
                    }
                  }
                  port.completeExceptionally(new IOException("the agent exited before it served"));
                } catch (IOException e) {
                  port.completeExceptionally(e);
                }
              });
      try {
        return new Agent1(p, port.get(30, TimeUnit.SECONDS));
      } catch (Exception e) {
        p.destroyForcibly();
        throw new IOException("the agent did not start: " + e, e);
      }
    }
  }

  /** Rows per pid of {@code pids} in the history now. */
  static Map<Long, Long> stored(Path db, List<Long> pids) throws IOException {
    if (!db.toFile().exists()) {
      return Map.of();
    }
    Set<Long> wanted = Set.copyOf(pids);
    try (History h = History.openToRead(db, Clock.systemUTC())) {
      return h.kills(Optional.empty()).stream()
          .filter(k -> k.victimPid().isPresent() && wanted.contains(k.victimPid().getAsLong()))
          .collect(
              Collectors.groupingBy(
                  k -> k.victimPid().getAsLong(), HashMap::new, Collectors.counting()));
    }
  }

  static Map<Long, Long> awaitStored(Path db, List<Long> pids, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<Long, Long> rows = stored(db, pids);
      if (rows.keySet().containsAll(pids) || System.nanoTime() > deadline) {
        return rows;
      }
      Thread.sleep(200);
    }
  }

  static String scrape(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The sum of oomlens_oom_kills_total over the series of one container. */
  private static long killsCounted(int port, String containerId) throws Exception {
    String body = scrape(port);
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("oomlens_oom_kills_total{")
          && line.contains("container=\"" + containerId + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Math.round(sum);
  }
}
