package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomlens size} and {@code oomlens verify} against a real Prometheus (see {@link
 * RealPrometheus}) whose history the test writes: six containers over two days at 30 s, one of each
 * shape, and seed 000's seven 2 GB hosts before and after the zram fix, testvm03 never getting swap
 * and being OOM-killed in its upgrade two days later.
 */
class RealPrometheusTest {
  static final long MIB = 1L << 20;
  static final long T0 = RealPrometheus.seconds("2026-01-10T00:00:00Z");
  static final long HOURS = 48;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static RealPrometheus prometheus;

  /** The six containers: pod name, and the working set at t seconds (and the life it is in). */
  record Container(
      String pod, String container, long limit, LongToDoubleFunction ws, double lifeHours) {}

  static final List<Container> CONTAINERS =
      List.of(
          // 128 MiB/h from 8 MiB, GC of up to 16 MiB every 5 min, killed and restarted every 3.8 h
          new Container(
              "leaky-5d8f7c9b6-k2x9z",
              "leaky",
              512 * MIB,
              t -> 8 * MIB + 128.0 * MIB * (t % 13680) / 3600 + (t % 300) * 16.0 * MIB / 300,
              3.8),
          new Container(
              "spiky-6b7c8d9f5-p4q7r",
              "spiky",
              1024 * MIB,
              t -> (300 + noise(t) * 30) * MIB + (t % 43200 < 120 ? 400 * MIB : 0),
              0),
          new Container(
              "gc-7c9d6f5b8-m3n8s",
              "gc",
              1024 * MIB,
              t -> (400 + (t % 600) * 200.0 / 600) * MIB,
              0),
          new Container("files-0", "files", 512 * MIB, t -> (450 + noise(t) * 10) * MIB, 0),
          new Container(
              "tight-8d6f9c7b5-w5v2t", "tight", 512 * MIB, t -> (460 + noise(t) * 20) * MIB, 0),
          new Container(
              "idle-9f5b7d8c6-h6j3k", "idle", 2048 * MIB, t -> (200 + noise(t) * 10) * MIB, 0),
          // cAdvisor reports no limit (0) for it: the limit is kube-state-metrics' only
          new Container(
              "ksm-6c5d8f9b7-q8r4t", "ksm", 512 * MIB, t -> (470 + noise(t) * 10) * MIB, 0));

  static double noise(long t) {
    return Math.sin(t * 0.0137) * 0.6 + Math.sin(t * 0.0031) * 0.4;
  }

  @BeforeAll
  static void start() throws Exception {
    Path om = dir.resolve("history.om");
    try (RealPrometheus.OpenMetrics out = new RealPrometheus.OpenMetrics(om)) {
      containers(out);
      restarts(out);
      jvms(out);
      hosts(out);
    }
    prometheus = RealPrometheus.start(dir, om);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  /** cAdvisor's id of a container's life: its cgroup, as the systemd driver names it. */
  static String cgroup(Container c, int life) {
    return "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f2e3d4c_5b6a_4789_"
        + "8a9b_0c1d2e3f4a5b.slice/cri-containerd-"
        + containerId(c, life)
        + ".scope";
  }

  static String containerId(Container c, int life) {
    return String.format("%08x%056x", c.container().hashCode(), life);
  }

  private static Map<String, String> labels(Container c, String id) {
    Map<String, String> l =
        new HashMap<>(Map.of("namespace", "shop", "pod", c.pod(), "container", c.container()));
    if (id != null) {
      l.put("id", id);
    }
    return l;
  }

  private static void containers(RealPrometheus.OpenMetrics out) throws IOException {
    for (Container c : CONTAINERS) {
      for (long t = 0; t < HOURS * 3600; t += 30) {
        int life = c.lifeHours() > 0 ? (int) (t / (long) (c.lifeHours() * 3600)) : 0;
        out.sample(
            "container_memory_working_set_bytes",
            labels(c, cgroup(c, life)),
            Math.round(c.ws().applyAsDouble(t)),
            T0 + t);
      }
    }
    for (Container c : CONTAINERS) {
      for (long t = 0; t < HOURS * 3600; t += 300) {
        double ws = c.ws().applyAsDouble(t);
        out.sample(
            "container_memory_rss",
            labels(c, null),
            Math.round(c.container().equals("files") ? 120 * MIB : ws * 0.9),
            T0 + t);
      }
    }
    for (Container c : CONTAINERS) {
      for (long t = 0; t < HOURS * 3600; t += 300) {
        double ws = c.ws().applyAsDouble(t);
        out.sample(
            "container_memory_cache",
            labels(c, null),
            Math.round(c.container().equals("files") ? 600 * MIB : ws * 0.1),
            T0 + t);
      }
    }
    for (Container c : CONTAINERS) {
      for (long t = 0; t < HOURS * 3600; t += 300) {
        out.sample(
            "container_spec_memory_limit_bytes",
            labels(c, null),
            c.container().equals("ksm") ? 0 : c.limit(),
            T0 + t);
      }
    }
    for (Container c : CONTAINERS) {
      for (long t = 0; t < HOURS * 3600; t += 300) {
        Map<String, String> l = new HashMap<>(labels(c, null));
        l.put("resource", "memory");
        l.put("unit", "byte");
        // kube-state-metrics' limit: the same as cAdvisor's, except for "ksm", whose is only here
        out.sample(
            "kube_pod_container_resource_limits",
            l,
            c.container().equals("ksm") ? c.limit() : c.limit() * 4,
            T0 + t);
      }
    }
  }

  /*
   * kube-state-metrics' restart counter, every 5 minutes. The leaking container's counts its kills
   * (12 in the 48 hours) and has a scrape gap from 18 h to 20 h over the kill at 19 h: the step
   * across the gap is still a restart. "files-0" restarts twice in its first day, then its pod is
   * recreated under the same name at 30 h (the counter falls to 0: a reset, not -2 restarts) and
   * restarts once more at 40 h: 3 in the window. The others never restart.
   */
  static double restartsAt(Container c, long t) {
    if (c.lifeHours() > 0) {
      return (int) (t / (long) (c.lifeHours() * 3600));
    }
    if (c.container().equals("files")) {
      return t < 30 * 3600 ? Math.min(2, t / (10 * 3600)) : t < 40 * 3600 ? 0 : 1;
    }
    return 0;
  }

  private static void restarts(RealPrometheus.OpenMetrics out) throws IOException {
    for (Container c : CONTAINERS) {
      for (long t = 0; t < HOURS * 3600; t += 300) {
        if (c.lifeHours() > 0 && t >= 18 * 3600 && t < 20 * 3600) {
          continue;
        }
        out.sample(
            "kube_pod_container_status_restarts_total", labels(c, null), restartsAt(c, t), T0 + t);
      }
    }
  }

  /*
   * Three of the containers are JVMs, each exported its own way, every 5 minutes: "gc" by the JMX
   * exporter (9,000 classes in its first hour, 12,000 after; 40 to 80 threads; direct buffers of
   * 4 MiB, 20 MiB every second hour), "tight" by Micrometer (30,000 classes and 320 threads, more
   * than its limit can hold beside a heap; a 1 GiB mapped buffer pool, which is not direct
   * memory), "spiky" by OpenTelemetry (5,000 classes; 10 runnable and 30 waiting threads).
   */
  private static void jvms(RealPrometheus.OpenMetrics out) throws IOException {
    Container gc = CONTAINERS.get(2);
    Container spiky = CONTAINERS.get(1);
    Container tight = CONTAINERS.get(4);
    for (long t = 0; t < HOURS * 3600; t += 300) {
      out.sample("jvm_classes_currently_loaded", labels(gc, null), t < 3600 ? 9000 : 12000, T0 + t);
    }
    for (long t = 0; t < HOURS * 3600; t += 300) {
      out.sample("jvm_threads_current", labels(gc, null), 40 + (t / 300) % 41, T0 + t);
    }
    for (long t = 0; t < HOURS * 3600; t += 300) {
      Map<String, String> l = new HashMap<>(labels(gc, null));
      l.put("pool", "direct");
      out.sample("jvm_buffer_pool_used_bytes", l, t % 7200 == 0 ? 20 * MIB : 4 * MIB, T0 + t);
    }
    for (long t = 0; t < HOURS * 3600; t += 300) {
      out.sample("jvm_classes_loaded_classes", labels(tight, null), 30000, T0 + t);
    }
    for (long t = 0; t < HOURS * 3600; t += 300) {
      out.sample("jvm_threads_live_threads", labels(tight, null), 320, T0 + t);
    }
    for (long t = 0; t < HOURS * 3600; t += 300) {
      Map<String, String> l = new HashMap<>(labels(tight, null));
      l.put("id", "mapped");
      out.sample("jvm_buffer_memory_used_bytes", l, 1024 * MIB, T0 + t);
    }
    for (long t = 0; t < HOURS * 3600; t += 300) {
      out.sample("jvm_class_count", labels(spiky, null), 5000, T0 + t);
    }
    for (long t = 0; t < HOURS * 3600; t += 300) {
      for (String state : List.of("runnable", "waiting")) {
        Map<String, String> l = new HashMap<>(labels(spiky, null));
        l.put("jvm_thread_state", state);
        l.put("jvm_thread_daemon", "false");
        out.sample("jvm_thread_count", l, state.equals("runnable") ? 10 : 30, T0 + t);
      }
    }
  }

  static final long H0 = RealPrometheus.seconds("2026-02-07T00:00:00Z");
  static final long H1 = RealPrometheus.seconds("2026-02-12T00:00:00Z");
  static final long FIX = RealPrometheus.seconds("2026-02-08T12:20:00Z");
  static final long TESTVM03_OOM = RealPrometheus.seconds("2026-02-10T05:00:00Z");

  private static Map<String, String> host(String h) {
    return Map.of("instance", h + ":9100", "job", "node");
  }

  private static boolean upgrading(long t) {
    return (t % 86400) >= 5 * 3600 && (t % 86400) < 5 * 3600 + 1800;
  }

  /** Seed 000: seven 2 GB hosts; zram from the fix on, except on testvm03. */
  private static void hosts(RealPrometheus.OpenMetrics out) throws IOException {
    for (String h : RealPrometheus.hosts()) {
      for (long t = H0; t < H1; t += 300) {
        boolean swap = t >= FIX && !h.equals("testvm03");
        out.sample("node_memory_SwapTotal_bytes", host(h), swap ? 2047L * MIB : 0, t);
      }
    }
    for (String h : RealPrometheus.hosts()) {
      for (long t = H0; t < H1; t += 300) {
        boolean swap = t >= FIX && !h.equals("testvm03");
        long avail = !upgrading(t) ? 1200 * MIB : swap ? 150 * MIB : 20 * MIB;
        out.sample("node_memory_MemAvailable_bytes", host(h), avail, t);
      }
    }
    for (String h : RealPrometheus.hosts()) {
      for (long t = H0; t < H1; t += 300) {
        out.sample("node_memory_MemTotal_bytes", host(h), 2008 * MIB, t);
      }
    }
    for (String h : RealPrometheus.hosts()) {
      for (long t = H0; t < H1; t += 300) {
        boolean swap = t >= FIX && !h.equals("testvm03");
        long free = !swap ? 0 : upgrading(t) ? 1100 * MIB : 2000 * MIB;
        out.sample("node_memory_SwapFree_bytes", host(h), free, t);
      }
    }
    // PSI: without swap an upgrade stalls every task 40 % of the time, with zram 2 %
    for (String h : RealPrometheus.hosts()) {
      double stalled = 0;
      for (long t = H0; t < H1; t += 60) {
        boolean swap = t >= FIX && !h.equals("testvm03");
        stalled += upgrading(t) ? (swap ? 0.02 : 0.40) * 60 : 0.001 * 60;
        out.sample(
            "node_pressure_memory_stalled_seconds_total",
            host(h),
            Math.round(stalled * 1000) / 1000.0,
            t);
      }
    }
    for (String h : RealPrometheus.hosts()) {
      for (long t = H0; t < H1; t += 300) {
        int kills =
            (h.equals("ns2") && t >= RealPrometheus.seconds("2026-02-08T05:00:46Z") ? 1 : 0)
                + (h.equals("testvm03") && t >= TESTVM03_OOM ? 1 : 0);
        out.sample("node_vmstat_oom_kill", host(h), kills, t);
      }
    }
    for (String h : RealPrometheus.hosts()) {
      for (long t = H0; t < H1; t += 300) {
        boolean failed =
            (h.equals("ns2") && t >= RealPrometheus.seconds("2026-02-08T05:00:00Z") && t < FIX)
                || (h.equals("testvm03") && t >= TESTVM03_OOM && t < TESTVM03_OOM + 3600);
        Map<String, String> l = new HashMap<>(host(h));
        l.put("name", "nixos-upgrade.service");
        l.put("state", "failed");
        out.sample("node_systemd_unit_state", l, failed ? 1 : 0, t);
      }
    }
    for (String h : List.of("ns2", "testvm03")) {
      long from =
          h.equals("ns2") ? RealPrometheus.seconds("2026-02-08T05:01:47Z") : TESTVM03_OOM + 60;
      for (long t = from; t < from + 3600; t += 60) {
        Map<String, String> l = new HashMap<>(host(h));
        l.put("alertname", "nixos_upgrade_failed");
        l.put("alertstate", "firing");
        out.sample("ALERTS", l, 1, t);
      }
    }
    for (String h : RealPrometheus.hosts()) {
      for (long t = H0; t < H1; t += 300) {
        out.sample("up", host(h), 1, t);
      }
    }
  }

  static CliTest.Run oomlens(String... args) {
    return CliTest.run(args);
  }

  private static JsonNode size(String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "size",
                "--prometheus",
                prometheus.url.toString(),
                "--since",
                "2026-01-10T00:00:00Z",
                "--until",
                "2026-01-12T00:00:00Z",
                "--format",
                "json"));
    args.addAll(List.of(more));
    CliTest.Run r = oomlens(args.toArray(String[]::new));
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void size_everyGeneratedShapeIsRight() throws IOException {
    JsonNode doc = size();
    Map<String, String> shapes = new LinkedHashMap<>();
    doc.get("workloads")
        .forEach(w -> shapes.put(w.get("container").asText(), w.get("shape").asText()));
    assertThat(shapes)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "leaky",
                "leak",
                "spiky",
                "spike",
                "gc",
                "sawtooth",
                "files",
                "cache",
                "tight",
                "near-limit",
                "idle",
                "oversized",
                "ksm",
                "near-limit"));
    Map<String, Long> restarts = new LinkedHashMap<>();
    doc.get("workloads")
        .forEach(w -> restarts.put(w.get("container").asText(), w.get("restarts").asLong()));
    // across the leak's scrape gap, and across files-0's reset when its pod was recreated
    assertThat(restarts)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "leaky", 12L, "spiky", 0L, "gc", 0L, "files", 3L, "tight", 0L, "idle", 0L, "ksm",
                0L));
    for (JsonNode w : doc.get("workloads")) {
      // kube-state-metrics' limit stands in only where cAdvisor has none (else its 4x would
      // make "tight" oversized)
      if (w.get("container").asText().equals("ksm")) {
        assertThat(w.get("current_limit_bytes").asLong()).isEqualTo(512 * MIB);
      }
    }
  }

  @Test
  void size_leakArithmeticOfSeed004() throws IOException {
    JsonNode doc = size();
    JsonNode leak = null;
    for (JsonNode f : doc.get("findings")) {
      if (f.get("code").asText().equals("LEAK")) {
        leak = f;
      }
    }
    assertThat(leak).isNotNull();
    assertThat(leak.get("summary").asText())
        .contains("shop/leaky-5d8f7c9b6-k2x9z/leaky grows", "per hour: a leak");
    assertThat(leak.get("reasoning").asText())
        .contains("512 MiB \u2192 4.0 h, 1 GiB \u2192 8.0 h, 2 GiB \u2192 16.0 h")
        .contains(
            "across 12 restarts counted by kube_pod_container_status_restarts_total: it grew"
                + " again after every restart");
    assertThat(leak.get("evidence").get(0).get("kind").asText()).isEqualTo("series_window");
    // the restart counter is cited beside the working set: its value after each of the steps
    JsonNode counter = leak.get("evidence").get(1);
    assertThat(counter.get("kind").asText()).isEqualTo("series_window");
    assertThat(counter.toString()).contains("kube_pod_container_status_restarts_total");
    for (JsonNode w : doc.get("workloads")) {
      if (w.get("container").asText().equals("leaky")) {
        assertThat(w.get("trend_bytes_per_hour").asLong() / (double) MIB).isBetween(126.0, 130.0);
        // a leak keeps its limit: a bigger one only delays the kill
        assertThat(w.get("limit_bytes").asLong()).isEqualTo(512 * MIB);
      }
    }
  }

  /**
   * The real AKS report of the corpus, its container ID and time rewritten to the leaking
   * container's eighth life: attached to that container, its kill marked on the chart.
   */
  @Test
  void size_kernelReportAttachedToItsContainer_andMarkedOnTheChart() throws IOException {
    Container leaky = CONTAINERS.get(0);
    String report =
        Files.readString(
                Path.of(
                    "..",
                    "oomlens-core",
                    "src",
                    "test",
                    "resources",
                    "corpus",
                    "015-jpaztech-aks-5.15-burstable-pod-cgv2.log"))
            .replace(
                "679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be",
                containerId(leaky, 7))
            .replace("Dec 13 07:23:21", "Jan 11 03:00:00");
    Path log = dir.resolve("kern.log");
    Files.writeString(log, report);
    JsonNode doc = size("--kernel-log", log.toString());
    for (JsonNode w : doc.get("workloads")) {
      boolean mine = w.get("container").asText().equals("leaky");
      assertThat(w.get("kills").asInt()).as(w.get("container").asText()).isEqualTo(mine ? 1 : 0);
      if (mine) {
        // the victim's anon + file + shmem rss and page tables: 473048 + 644 + 64 + 992 kB
        assertThat(w.get("held_at_kill_bytes").asLong()).isEqualTo(474_748L * 1024);
      }
    }
    Path page = dir.resolve("size.html");
    CliTest.Run html =
        oomlens(
            "size",
            "--prometheus",
            prometheus.url.toString(),
            "--since",
            "2026-01-10T00:00:00Z",
            "--until",
            "2026-01-12T00:00:00Z",
            "--kernel-log",
            log.toString(),
            "--format",
            "html",
            "--output",
            page.toString());
    assertThat(html.err()).isEmpty();
    String text = Files.readString(page);
    assertThat(text.split("class=\"kill\"", -1)).hasSize(2);
    assertThat(text.indexOf("class=\"kill\""))
        .isGreaterThan(text.indexOf("leaky — leak"))
        .isLessThan(text.indexOf("spiky — spike"));
  }

  @Test
  void size_sizesAndTheOthersMethods() throws IOException {
    JsonNode doc = size("--namespace", "shop");
    for (JsonNode w : doc.get("workloads")) {
      switch (w.get("container").asText()) {
        case "spiky" -> {
          long peak = w.get("peak_bytes").asLong();
          assertThat(peak).isBetween(700 * MIB - 30 * MIB, 700 * MIB + 30 * MIB);
          assertThat(w.get("limit_bytes").asLong()).isEqualTo(Math.ceilDiv(2 * peak, MIB) * MIB);
          assertThat(w.get("krr").get("limit_bytes").asLong())
              .isEqualTo(Math.ceilDiv((long) (w.get("peak_bytes").asLong() * 1.15), MIB) * MIB);
        }
        case "idle" -> assertThat(w.get("limit_bytes").asLong()).isLessThan(400 * MIB);
        default -> {}
      }
      // The VPA's range holds its own target; two days of samples at 30 s give it two days of
      // confidence, so the upper bound is 1.5x the margined P95 of the daily peaks.
      JsonNode vpa = w.get("vpa");
      assertThat(vpa.get("confidence_days").asDouble())
          .as(w.get("container").asText())
          .isBetween(1.9, 2.0);
      assertThat(vpa.get("lower_bound_bytes").asLong())
          .isLessThanOrEqualTo(vpa.get("target_request_bytes").asLong());
      assertThat(vpa.get("upper_bound_bytes").asLong())
          .isGreaterThanOrEqualTo(vpa.get("target_request_bytes").asLong());
    }
  }

  /*
   * "gc" at the 885 MiB limit ours proposes (1.5 x its 590 MiB peak): metaspace 5800 B x 12,000 +
   * 14,000,000 B = 83,600,000 B, stacks 80 x 1 MiB, code cache 240 MiB, direct 1.5 x 20 MiB; the
   * heap gets 927,989,760 - 450,601,600 = 477,388,160 B, 51.4% of the limit.
   */
  @Test
  void size_jvmMetrics_budgetTheHeapFlags() throws IOException {
    Map<String, JsonNode> byContainer = new LinkedHashMap<>();
    size().get("workloads").forEach(w -> byContainer.put(w.get("container").asText(), w));
    JsonNode gc = byContainer.get("gc");
    assertThat(gc.get("limit_bytes").asLong()).isEqualTo(885 * MIB);
    assertThat(gc.get("jvm_flags").asText())
        .isEqualTo(
            "-XX:MaxRAMPercentage=51.4 -XX:MaxMetaspaceSize=80M -XX:ReservedCodeCacheSize=240M"
                + " -XX:MaxDirectMemorySize=30M -Xss1M");
    JsonNode jvm = gc.get("jvm");
    assertThat(jvm.get("basis").asText()).isEqualTo("metrics");
    assertThat(jvm.get("fits").asBoolean()).isTrue();
    assertThat(jvm.get("heap_bytes").asLong()).isEqualTo(477_388_160L);
    assertThat(jvm.get("thread_count").asInt()).isEqualTo(80);
    assertThat(jvm.get("measured").toString())
        .isEqualTo("[\"12000 loaded classes\",\"80 threads\",\"direct buffers up to 20 MiB\"]");
    // 180 MiB metaspace + 320 threads' stacks + 240 MiB code cache + 10 MiB: no heap in ~720 MiB
    JsonNode tight = byContainer.get("tight");
    assertThat(tight.get("jvm_flags").isNull()).isTrue();
    assertThat(tight.get("jvm").get("fits").asBoolean()).isFalse();
    assertThat(tight.get("jvm").get("direct_bytes").asLong()).isEqualTo(10 * MIB);
    assertThat(tight.get("jvm").get("why").asText())
        .startsWith(
            "no heap flags fit: metaspace 179 MiB + code cache 240 MiB + stacks 1 MiB x 320");
    // OpenTelemetry's threads, summed over their states
    JsonNode spiky = byContainer.get("spiky").get("jvm");
    assertThat(spiky.get("thread_count").asInt()).isEqualTo(40);
    assertThat(spiky.get("metaspace_bytes").asLong()).isEqualTo(43_000_000L);
    assertThat(byContainer.get("idle").get("jvm").isNull()).isTrue();
    assertThat(byContainer.get("idle").get("jvm_flags").isNull()).isTrue();
  }

  @Test
  void size_patchAndText() {
    CliTest.Run patch =
        oomlens(
            "size",
            "--prometheus",
            prometheus.url.toString(),
            "--since",
            "2026-01-10T00:00:00Z",
            "--until",
            "2026-01-12T00:00:00Z",
            "--format",
            "patch");
    assertThat(patch.out())
        .contains("kubectl -n shop patch deployment spiky --type=strategic")
        .contains("# shop/leaky-5d8f7c9b6-k2x9z/leaky: a leak; the limit stays")
        .contains("kubectl -n shop patch statefulset files", "\"limits\":{\"memory\":\"1458Mi\"}")
        .doesNotContain("patch deployment leaky");
    CliTest.Run text =
        oomlens(
            "size",
            "--prometheus",
            prometheus.url.toString(),
            "--since",
            "2026-01-10T00:00:00Z",
            "--until",
            "2026-01-12T00:00:00Z");
    assertThat(text.out())
        .contains("WORKLOAD", "near-limit", "Why oomlens differs:", "LEAK")
        .contains(
            "    a JVM (by its JVM metrics): -XX:MaxRAMPercentage=51.4 -XX:MaxMetaspaceSize=80M"
                + " -XX:ReservedCodeCacheSize=240M -XX:MaxDirectMemorySize=30M -Xss1M   # heap"
                + " 455 MiB (-Xmx455M) of the 885 MiB limit")
        .containsPattern(
            "the VPA updater would keep the request between [0-9]+Mi and [0-9]+Mi \\(confidence"
                + " 2\\.0 days\\)");
  }

  @Test
  void size_serverNotListening_isUnreadable() throws IOException {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliTest.Run r =
        oomlens(
            "size",
            "--prometheus",
            "http://127.0.0.1:" + port,
            "--since",
            "2026-01-10T00:00:00Z",
            "--until",
            "2026-01-12T00:00:00Z");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err())
        .contains("http://127.0.0.1:" + port, "cannot connect")
        .doesNotContain("Exception");
  }

  @Test
  void size_badQueryAnswer_namesTheQuery() {
    CliTest.Run r =
        oomlens(
            "size",
            "--prometheus",
            prometheus.url.toString(),
            "--namespace",
            "shop",
            "--since",
            "2026-01-10T00:00:00Z",
            "--until",
            "2026-01-12T00:00:00Z",
            "--step",
            "1s");
    // 48 h at 1 s is chunked under Prometheus's 11,000 points per series and still read whole.
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("leak");
  }

  private static CliTest.Run diagnoseHosts(String since, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "diagnose",
                "--prometheus",
                prometheus.url.toString(),
                "--since",
                since,
                "--until",
                "2026-02-11T23:00:00Z"));
    args.addAll(List.of(more));
    return oomlens(args.toArray(String[]::new));
  }

  /** After the fix, node_exporter's series name the one host without swap: testvm03. */
  @Test
  void diagnose_hostSeries_noSwapAndThrashingNameTestvm03() throws IOException {
    CliTest.Run r = diagnoseHosts("2026-02-08T12:30:00Z", "--format", "json");
    assertThat(r.err()).isEmpty();
    JsonNode doc = JSON.readTree(r.out());
    Map<String, List<String>> summaries = new LinkedHashMap<>();
    for (JsonNode f : doc.get("findings")) {
      summaries
          .computeIfAbsent(f.get("code").asText(), k -> new ArrayList<>())
          .add(f.get("summary").asText());
    }
    assertThat(summaries.get("NO-SWAP"))
        .singleElement()
        .asString()
        .startsWith("Host testvm03 had no swap from 2026-02-08T12:3")
        .contains("(2.0 GiB RAM, MemAvailable down to 20.0 MiB)");
    // testvm03's two upgrades after the fix stalled it; the others', with zram, did not
    assertThat(summaries.get("THRASHING"))
        .singleElement()
        .asString()
        .startsWith("Host testvm03 stalled on memory for ")
        .contains("PSI full up to 4");
    assertThat(r.code()).isEqualTo(0);
  }

  /** Before the fix every host was without swap: over the whole history, only testvm03 stays. */
  @Test
  void diagnose_hostSeries_wholeHistory_onlyTheHostThatNeverGotSwap() throws IOException {
    CliTest.Run r = diagnoseHosts("2026-02-07T00:00:00Z", "--format", "json");
    JsonNode doc = JSON.readTree(r.out());
    List<String> noSwap = new ArrayList<>();
    List<String> thrashing = new ArrayList<>();
    for (JsonNode f : doc.get("findings")) {
      String s = f.get("summary").asText();
      switch (f.get("code").asText()) {
        case "NO-SWAP" -> noSwap.add(s.split(" ")[1]);
        case "THRASHING" -> thrashing.add(s.split(" ")[1]);
        default -> {}
      }
    }
    assertThat(noSwap).containsExactly("testvm03");
    assertThat(thrashing).containsExactlyInAnyOrderElementsOf(RealPrometheus.hosts());
  }

  @Test
  void diagnose_hostSeries_htmlChartsEachHostsAvailableMemory() throws IOException {
    Path page = dir.resolve("hosts.html");
    CliTest.Run r =
        diagnoseHosts("2026-02-08T12:30:00Z", "--format", "html", "--output", page.toString());
    assertThat(r.err()).isEmpty();
    String html = Files.readString(page);
    assertThat(html).contains("<h2>Hosts over time</h2>", "testvm03 — available memory, no swap");
    assertThat(html.split("class=\"chart host\"", -1)).hasSize(RealPrometheus.hosts().size() + 1);
    assertThat(html).contains("ns1 — available memory, swap up to 2047Mi", "RAM 2008Mi");
    assertThat(html.split("class=\"stall\"", -1)).hasSize(2);
  }

  private static CliTest.Run verify(Path criteria, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "verify",
                "--prometheus",
                prometheus.url.toString(),
                "--until",
                "2026-02-11T23:00:00Z"));
    args.addAll(List.of(more));
    args.add(criteria.toString());
    return oomlens(args.toArray(String[]::new));
  }

  @Test
  void verify_seed000_failsOnlyOnTestvm03() throws IOException {
    CliTest.Run r =
        verify(Path.of("..", "docs", "examples", "seed-000-zram.yaml"), "--format", "json");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isEqualTo(1);
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("passed").asBoolean()).isFalse();
    Map<String, List<String>> offenders = new LinkedHashMap<>();
    for (JsonNode c : doc.get("criteria")) {
      List<String> hosts = new ArrayList<>();
      c.get("offending").forEach(o -> hosts.add(o.get("host").asText()));
      offenders.put(c.get("name").asText(), hosts);
      for (JsonNode o : c.get("offending")) {
        assertThat(o.get("labels").get("instance").asText()).isEqualTo("testvm03:9100");
        assertThat(o.get("values")).isNotEmpty();
      }
    }
    assertThat(offenders)
        .containsExactly(
            Map.entry("swap on every host", List.of("testvm03")),
            Map.entry("no nixos_upgrade_failed alert", List.of("testvm03")),
            Map.entry("no OOM kill", List.of("testvm03")),
            Map.entry("no failed nixos-upgrade.service", List.of("testvm03")),
            Map.entry("MemAvailable above 100Mi", List.of("testvm03")));
    assertThat(doc.get("hosts_without_data")).isEmpty();
    assertThat(doc.get("criteria").get(0).get("passed_hosts"))
        .extracting(JsonNode::asText)
        .containsExactly("ns1", "ns2", "vault01", "testvm01", "testvm02", "kanidm01");

    CliTest.Run text = verify(Path.of("..", "docs", "examples", "seed-000-zram.yaml"));
    assertThat(text.out())
        .contains(
            "FAIL  swap on every host",
            "testvm03 {",
            "passed on ns1, ns2, vault01, testvm01, testvm02, kanidm01",
            "PASS  every host reports data",
            "5 criteria failed.");
  }

  @Test
  void verify_seed000_markdown() {
    CliTest.Run r =
        verify(Path.of("..", "docs", "examples", "seed-000-zram.yaml"), "--format", "markdown");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .startsWith("# Verification: failed\n")
        .contains(
            "| swap on every host | **FAIL** | `ns1`, `ns2`, `vault01`, `testvm01`, `testvm02`,"
                + " `kanidm01` | `testvm03` |",
            "## FAIL: swap on every host\n\n```promql\n",
            "- `testvm03` `{",
            "| every host reports data | PASS |",
            "5 criteria failed.");
  }

  @Test
  void verify_untilTestvm03sFirstUpgrade_theFleetPasses() throws IOException {
    Path early = dir.resolve("healthy.yaml");
    Files.writeString(
        early,
        """
        since: 2026-02-08T12:30:00Z
        until: 2026-02-09T04:00:00Z
        hosts: [ns1, ns2, vault01, testvm01, testvm02, kanidm01]
        criteria:
          - no-alert: nixos_upgrade_failed
          - no-oom-kills
          - available-above: 100Mi
          - name: swap on the hosts
            expr: node_memory_SwapTotal_bytes{instance!="testvm03:9100"} == 0
        """);
    CliTest.Run r = verify(early);
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("The fix holds");
  }

  @Test
  void verify_aHostWithoutData_fails() throws IOException {
    Path file = dir.resolve("missing-host.yaml");
    Files.writeString(
        file,
        """
        since: 2026-02-08T12:30:00Z
        until: 2026-02-10T04:00:00Z
        hosts: [ns1, kanidm02]
        criteria:
          - no-oom-kills
        """);
    CliTest.Run r = verify(file, "--format", "json");
    assertThat(r.code()).isEqualTo(1);
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.get("criteria").get(0).get("passed").asBoolean()).isTrue();
    assertThat(doc.get("hosts_without_data").get(0).asText()).isEqualTo("kanidm02");
  }

  @Test
  void verify_badPromQL_isExit3WithPrometheusMessage() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        since: 2026-02-08T12:30:00Z
        criteria:
          - name: broken
            expr: node_memory_SwapTotal_bytes ==
        """);
    CliTest.Run r = verify(file);
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err())
        .contains("query node_memory_SwapTotal_bytes ==", "bad_data")
        .doesNotContain("Exception");
  }
}
