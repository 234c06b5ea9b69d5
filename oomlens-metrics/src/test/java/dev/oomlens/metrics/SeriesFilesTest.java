package dev.oomlens.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.series.HostSeries;
import dev.oomlens.core.series.MemoryProfile;
import dev.oomlens.core.series.MemoryShape;
import dev.oomlens.core.series.Series;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeriesFilesTest {
  static final long MIB = 1L << 20;
  static final LocalDate DAY = LocalDate.of(2026, 3, 22);

  @TempDir Path dir;

  private static EvidenceSet read(String... files) {
    EvidenceSet.Builder b = EvidenceSet.builder();
    new SeriesFiles(List.of(files), DAY).readInto(b);
    return b.build();
  }

  /** Seed 004's loop, 128 MiB/h for 3 h, past midnight: the leak and its arithmetic. */
  @Test
  void rssLog_seed004_leakArithmetic() {
    String file = "src/test/resources/rss-log.txt";
    EvidenceSet e = read(file);
    MemoryProfile p = e.memory().getFirst();
    assertThat(p.id().name()).isEqualTo("rss-log.txt");
    assertThat(p.from()).hasValue(Instant.parse("2026-03-22T22:30:00Z"));
    assertThat(p.to()).hasValue(Instant.parse("2026-03-23T01:30:00Z"));
    MemoryShape s = p.shape();
    assertThat(s.shape()).isEqualTo(MemoryShape.Shape.LEAK);
    assertThat(s.slopeBytesPerHour() / MIB).isCloseTo(128, within(0.5));

    Finding leak =
        Diagnosis.of(e).findings().stream()
            .filter(f -> f.code().equals("LEAK"))
            .findFirst()
            .orElseThrow();
    assertThat(leak.summary()).isEqualTo("rss-log.txt grows 128.0 MiB per hour: a leak");
    assertThat(leak.reasoning())
        .contains(
            "512 MiB \u2192 4.0 h, 1 GiB \u2192 8.0 h, 2 GiB \u2192 16.0 h",
            "Raising the limit is not the fix");
    assertThat(e.inputs())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.kind()).isEqualTo(Input.Kind.SERIES);
              assertThat(i.events()).isEqualTo(181);
              assertThat(i.isWhole()).isTrue();
            });
  }

  @Test
  void csv_badLinesNamed_restRead() throws IOException {
    Path f = dir.resolve("ws.csv");
    StringBuilder s = new StringBuilder("time,series,value\n");
    for (int i = 0; i < 60; i++) {
      s.append(1770508800 + i * 60)
          .append(",container_memory_working_set_bytes{pod=\"a\"," + "container=\"c\"},")
          .append(100 * MIB)
          .append('\n');
    }
    s.append("yesterday,x,1\n");
    s.append("1770512400,container_memory_working_set_bytes{pod=\"a\",container=\"c\"\n");
    Files.writeString(f, s);
    EvidenceSet e = read(f.toString());
    assertThat(e.memory()).singleElement().satisfies(p -> assertThat(p.samples()).isEqualTo(60));
    assertThat(e.inputs().getFirst().problems())
        .extracting(Problem::line)
        .containsExactly(62L, 63L);
    assertThat(e.inputs().getFirst().isWhole()).isTrue();
  }

  @Test
  void queryRangeJson_streamed_withRestartsById() throws IOException {
    Path f = dir.resolve("answer.json");
    StringBuilder s =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":" + "\"matrix\",\"result\":[");
    for (int c = 0; c < 2; c++) {
      s.append(c == 0 ? "" : ",")
          .append(
              "{\"metric\":{\"__name__\":"
                  + "\"container_memory_working_set_bytes\",\"namespace\":\"ns\",\"pod\":\"p\","
                  + "\"container\":\"app\",\"id\":\"/c")
          .append(c)
          .append("\"},\"values\":[");
      for (int i = 0; i < 20_000; i++) {
        s.append(i == 0 ? "" : ",")
            .append('[')
            .append(1770508800 + c * 600_000 + i * 30)
            .append(",\"")
            .append(10 * MIB + i * 1024L)
            .append("\"]");
      }
      s.append("]}");
    }
    s.append("]}}");
    Files.writeString(f, s);
    EvidenceSet e = read(f.toString());
    MemoryProfile p = e.memory().getFirst();
    assertThat(p.id().name()).isEqualTo("ns/p/app");
    assertThat(p.samples()).isEqualTo(40_000);
    assertThat(p.lives()).isEqualTo(2);
    assertThat(p.labels()).doesNotContainKeys("id", "__name__");
  }

  /*
   * Two days of a leak, 50 MiB/h from 300 MiB, restarted every 4 hours, with no container ID (a
   * saved answer of an aggregated query): each restart falls to 60%, which the working set alone
   * does not tell from a GC cycle. kube-state-metrics' restart counter, saved beside it every 5
   * minutes, counts the 11 restarts and ends each life.
   */
  @Test
  void queryRangeJson_restartCounterByName_countsRestartsAndShowsTheLeak() throws IOException {
    Path f = dir.resolve("leak.json");
    String labels = "\"namespace\":\"ns\",\"pod\":\"p\",\"container\":\"app\"";
    StringBuilder s =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
    s.append("{\"metric\":{\"__name__\":\"kube_pod_container_status_restarts_total\",")
        .append(labels)
        .append("},\"values\":[");
    for (int t = 0; t < 2 * 86400; t += 300) {
      s.append(t == 0 ? "" : ",").append("[" + (1770508800 + t) + ",\"" + t / 14400 + "\"]");
    }
    s.append("]},{\"metric\":{\"__name__\":\"container_memory_working_set_bytes\",")
        .append(labels)
        .append("},\"values\":[");
    for (int t = 0; t < 2 * 86400; t += 30) {
      long v = 300 * MIB + 50 * MIB * (t % 14400) / 3600 + (t % 60) * MIB / 10;
      s.append(t == 0 ? "" : ",").append("[" + (1770508800 + t) + ",\"" + v + "\"]");
    }
    s.append("]}]}}");
    Files.writeString(f, s);
    EvidenceSet e = read(f.toString());
    MemoryProfile p = e.memory().getFirst();
    assertThat(p.restarts()).hasValue(11);
    assertThat(p.shape().shape()).isEqualTo(MemoryShape.Shape.LEAK);
    assertThat(p.shape().slopeBytesPerHour() / MIB).isCloseTo(50, within(2.5));
    Finding leak =
        Diagnosis.of(e).findings().stream()
            .filter(x -> x.code().equals("LEAK"))
            .findFirst()
            .orElseThrow();
    assertThat(leak.reasoning())
        .contains("across 11 restarts counted by kube_pod_container_status_restarts_total");
    assertThat(leak.evidence())
        .filteredOn(
            c ->
                c instanceof dev.oomlens.core.model.SeriesWindow w
                    && w.samples().size() == 11
                    && w.samples().getLast().value() == 11)
        .hasSize(1);
  }

  /** CSV carries the counter by name too: a fall is a reset, not negative restarts. */
  @Test
  void csv_restartCounter_aFallIsAReset() throws IOException {
    Path f = dir.resolve("restarts.csv");
    StringBuilder s = new StringBuilder("time,series,value\n");
    double[] counter = {4, 4, 5, 0, 0, 1, 3};
    for (int i = 0; i < 60; i++) {
      s.append(1770508800 + i * 60)
          .append(",container_memory_working_set_bytes{pod=\"a\",container=\"c\"},")
          .append(100 * MIB)
          .append('\n');
    }
    for (int i = 0; i < counter.length; i++) {
      s.append(1770508800 + i * 600)
          .append(",kube_pod_container_status_restarts_total{pod=\"a\",container=\"c\"},")
          .append(counter[i])
          .append('\n');
    }
    Files.writeString(f, s);
    MemoryProfile p = read(f.toString()).memory().getFirst();
    assertThat(p.id().name()).isEqualTo("a/c");
    // 4 -> 5 one; 5 -> 0 a reset; 0 -> 1 one; 1 -> 3 two
    assertThat(p.restarts()).hasValue(4);
  }

  @Test
  void errorAnswer_spoilsTheFile_withPrometheusMessage() throws IOException {
    Path f = dir.resolve("error.json");
    Files.writeString(
        f,
        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse"
            + " error at char 5\"}");
    EvidenceSet e = read(f.toString());
    assertThat(e.inputs().getFirst().isWhole()).isFalse();
    assertThat(e.inputs().getFirst().whyNotWhole()).hasValue("bad_data: parse error at char 5");
  }

  @Test
  void missingFile_isUnreadable() {
    EvidenceSet e = read(dir.resolve("nope.csv").toString());
    assertThat(e.inputs().getFirst().whyNotWhole().orElseThrow()).startsWith("cannot read ");
  }

  @Test
  void chunks_stayUnder11000Points() {
    Instant a = Instant.parse("2026-01-01T00:00:00Z");
    Instant b = a.plusSeconds(7 * 86400);
    List<Instant[]> chunks = PrometheusClient.chunks(a, b, java.time.Duration.ofSeconds(30));
    assertThat(chunks).hasSize(2);
    long points = 0;
    for (Instant[] c : chunks) {
      long n = (c[1].getEpochSecond() - c[0].getEpochSecond()) / 30 + 1;
      assertThat(n).isLessThanOrEqualTo(PrometheusClient.MAX_POINTS);
      points += n;
    }
    assertThat(points).isEqualTo(7 * 2880 + 1);
    assertThat(chunks.getLast()[1]).isEqualTo(b);
  }

  @Test
  void chunks_ofADay_coverTheWindowOnce() {
    Instant a = Instant.parse("2026-01-01T00:00:00Z");
    Instant b = a.plusSeconds(7 * 86400);
    List<Instant[]> chunks = PrometheusClient.chunks(a, b, java.time.Duration.ofSeconds(30), 2880);
    // seven whole days, then the window's closing point
    assertThat(chunks).hasSize(8);
    assertThat(chunks.get(1)[0]).isEqualTo(a.plusSeconds(86400));
    assertThat(chunks.get(0)[1]).isEqualTo(a.plusSeconds(86400 - 30));
    assertThat(chunks.getLast()[0]).isEqualTo(b);
    assertThat(chunks.getLast()[1]).isEqualTo(b);
  }

  @Test
  void criteriaFile_mistakesNameTheirLine() throws IOException {
    Path f = dir.resolve("c.yaml");
    Files.writeString(
        f,
        "since: 2026-02-08T12:19:00Z\nhosts: [a]\ncriteria:\n  - swap-present\n"
            + "  - no-alert:\n  - name: x\n");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> CriteriaFile.read(f)))
        .hasMessage(f + ":5: no-alert needs an alert name (no-alert: NAME)");
    Files.writeString(f, "since: yesterday\ncriteria: [swap-present]\n");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> CriteriaFile.read(f)))
        .hasMessageStartingWith(f + ":1: 'yesterday' is not an ISO 8601 time");
    Files.writeString(
        f,
        "since: 2026-02-08T12:19:00Z\ncriteria:\n  - swap-present\n"
            + "  - available-above: 200Mi\n  - name: upgrade\n    expr: up == 0\n");
    CriteriaFile c = CriteriaFile.read(f);
    assertThat(c.criteria())
        .extracting(x -> x.expr())
        .containsExactly(
            "node_memory_SwapTotal_bytes == 0",
            "node_memory_MemAvailable_bytes < 209715200",
            "up == 0");
    assertThat(c.criteria()).extracting(x -> x.line()).containsExactly(3L, 4L, 5L);
  }

  /**
   * node_exporter's series in a CSV go to their hosts, not to workloads: the pressure counter as
   * the share of time it grew by (across a reboot's reset), other node_* series passed over.
   */
  @Test
  void csv_nodeExporterSeries_areTheHostsAndNotWorkloads() throws IOException {
    StringBuilder csv = new StringBuilder("time,series,value\n");
    long t0 = Instant.parse("2026-02-10T00:00:00Z").getEpochSecond();
    double stalled = 0;
    for (int i = 0; i < 60; i++) {
      long t = t0 + i * 60L;
      // 30 % of each minute stalled from minute 20 to 40; a reboot at minute 30 resets it
      stalled = i == 30 ? 18 : stalled + (i > 20 && i <= 40 ? 18 : 0.06);
      csv.append(t)
          .append(",node_memory_SwapTotal_bytes{instance=\"vm3:9100\"},0\n")
          .append(t)
          .append(",node_memory_MemAvailable_bytes{instance=\"vm3:9100\"},")
          .append(i == 30 ? 20 * MIB : 900 * MIB)
          .append('\n')
          .append(t)
          .append(",node_memory_MemTotal_bytes{instance=\"vm3:9100\"},")
          .append(2048 * MIB)
          .append('\n')
          .append(t)
          .append(",node_pressure_memory_stalled_seconds_total{instance=\"vm3:9100\"},")
          .append(stalled)
          .append('\n')
          .append(t)
          .append(",node_load1{instance=\"vm3:9100\"},1.5\n");
    }
    Path file = dir.resolve("hosts.csv");
    Files.writeString(file, csv);
    EvidenceSet e = read(file.toString());
    assertThat(e.memory()).isEmpty();
    assertThat(e.hostSeries())
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.host()).isEqualTo("vm3");
              assertThat(h.max(Series.Role.HOST_SWAP_TOTAL)).hasValue(0);
              assertThat(h.min(Series.Role.HOST_MEM_AVAILABLE)).hasValue(20.0 * MIB);
              HostSeries.Stall stall = h.longestStall().orElseThrow();
              assertThat(stall.from()).isEqualTo(Instant.ofEpochSecond(t0 + 21 * 60));
              assertThat(stall.to()).isEqualTo(Instant.ofEpochSecond(t0 + 40 * 60));
              assertThat(stall.peakShare()).isCloseTo(0.30, within(1e-9));
            });
    assertThat(Diagnosis.of(e).findings())
        .extracting(Finding::code)
        .contains("NO-SWAP", "THRASHING");
  }
}
