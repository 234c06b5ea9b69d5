package dev.oomlens.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LokiKernelLog} against a loopback server answering Loki's documented {@code query_range}
 * (streams of {@code ["<ns>", "<line>"]}, at most {@code limit} entries, forward in time, start
 * inclusive): the real AKS report of the corpus as promtail ships a journal, the message only, on
 * two hosts, ten lines to a nanosecond so pages split inside one.
 */
class LokiKernelLogTest {
  static final long T0 = Instant.parse("2026-02-08T05:00:46Z").getEpochSecond() * 1_000_000_000L;

  record Line(Map<String, String> stream, long nanos, String text) {}

  private HttpServer server;
  private final List<Line> lines = new ArrayList<>();
  private final AtomicInteger pages = new AtomicInteger();
  private volatile int failWith;

  @BeforeEach
  void start() throws IOException {
    List<String> report =
        Files.readAllLines(
            Path.of(
                "..",
                "oomlens-core",
                "src",
                "test",
                "resources",
                "corpus",
                "015-jpaztech-aks-5.15-burstable-pod-cgv2.log"));
    int h = 0;
    for (Map<String, String> stream :
        List.of(
            Map.of("job", "kernel", "host", "node-a"),
            Map.of("job", "kernel", "hostname", "node-b:9080"))) {
      for (int i = 0; i < report.size(); i++) {
        // promtail's journal target ships the message: no syslog header, no dmesg time
        String text = report.get(i).replaceFirst("^.* kernel: \\[ *[0-9.]+\\] ", "");
        lines.add(new Line(stream, T0 + h * 3_600_000_000_000L + i / 10, text));
      }
      h++;
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/loki/api/v1/query_range",
        x -> {
          Map<String, String> q = new HashMap<>();
          for (String kv : x.getRequestURI().getRawQuery().split("&")) {
            int eq = kv.indexOf('=');
            q.put(
                kv.substring(0, eq),
                URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
          }
          pages.incrementAndGet();
          byte[] body;
          if (failWith != 0) {
            body = "parse error at line 1, col 2: syntax error".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(failWith, body.length);
          } else {
            body =
                answer(
                        Long.parseLong(q.get("start")),
                        Long.parseLong(q.get("end")),
                        Integer.parseInt(q.get("limit")))
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
          }
          try (OutputStream out = x.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** The first {@code limit} entries in [start, end] by time, grouped by stream as Loki does. */
  private String answer(long start, long end, int limit) {
    List<Line> in =
        lines.stream()
            .filter(l -> l.nanos() >= start && l.nanos() <= end)
            .sorted((a, b) -> Long.compare(a.nanos(), b.nanos()))
            .limit(limit)
            .toList();
    Map<Map<String, String>, List<Line>> byStream = new LinkedHashMap<>();
    in.forEach(l -> byStream.computeIfAbsent(l.stream(), k -> new ArrayList<>()).add(l));
    StringBuilder s =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":" + "\"streams\",\"result\":[");
    boolean first = true;
    for (Map.Entry<Map<String, String>, List<Line>> e : byStream.entrySet()) {
      s.append(first ? "" : ",").append("{\"stream\":{");
      first = false;
      boolean f2 = true;
      for (Map.Entry<String, String> l : e.getKey().entrySet()) {
        s.append(f2 ? "" : ",").append(json(l.getKey())).append(':').append(json(l.getValue()));
        f2 = false;
      }
      s.append("},\"values\":[");
      for (int i = 0; i < e.getValue().size(); i++) {
        Line l = e.getValue().get(i);
        s.append(i == 0 ? "" : ",")
            .append("[\"")
            .append(l.nanos())
            .append("\",")
            .append(json(l.text()))
            .append(']');
      }
      s.append("]}");
    }
    return s.append("],\"stats\":{}}}").toString();
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private EvidenceSet read(int limit) {
    LokiClient client =
        new LokiClient(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            Map.of("X-Scope-OrgID", "fleet"),
            limit,
            Duration.ofSeconds(30));
    EvidenceSet.Builder b = EvidenceSet.builder();
    new LokiKernelLog(
            client,
            "{job=\"kernel\"}",
            Instant.parse("2026-02-08T00:00:00Z"),
            Instant.parse("2026-02-09T00:00:00Z"),
            new ReaderOptions(LocalDate.of(2026, 2, 9)))
        .readInto(b);
    return b.build();
  }

  @Test
  void pagedInsideANanosecond_everyLineOnce_reportPerHost() {
    EvidenceSet e = read(7);
    assertThat(pages.get()).isGreaterThan(lines.size() / 7);
    assertThat(e.inputs())
        .extracting(Input::name)
        .containsExactly(
            "http://127.0.0.1:"
                + server.getAddress().getPort()
                + "/ {job=\"kernel\"} {host=node-a}",
            "http://127.0.0.1:"
                + server.getAddress().getPort()
                + "/ {job=\"kernel\"} {host=node-b}");
    assertThat(e.inputs()).allMatch(Input::isWhole);
    assertThat(e.reports()).hasSize(2);
    assertThat(e.reports())
        .extracting(r -> r.host().orElse(""))
        .containsExactly("node-a", "node-b");
    assertThat(e.reports())
        .allSatisfy(
            r -> {
              assertThat(r.victim())
                  .hasValueSatisfying(v -> assertThat(v.comm()).isEqualTo("stress-ng-vm"));
              assertThat(r.complete()).isTrue();
            });
    // the same report, read whole from both hosts: paging lost and doubled no line
    OomReport a = e.reports().get(0);
    OomReport b = e.reports().get(1);
    assertThat(a.lines()).hasSameSizeAs(b.lines());
    assertThat(a.time().wallclock())
        .hasValueSatisfying(w -> assertThat(w).startsWith("2026-02-08T05:00:46"));
    assertThat(Diagnosis.of(e).findings()).extracting(f -> f.code()).contains("MEMCG-LIMIT");
  }

  @Test
  void onePage_sameAsMany() {
    EvidenceSet e = read(LokiClient.LIMIT);
    assertThat(pages.get()).isEqualTo(1);
    assertThat(e.reports()).hasSize(2);
    assertThat(e.reports().get(0).lines()).hasSize(read(7).reports().get(0).lines().size());
  }

  @Test
  void refused_isUnreadable_withLokisMessage() {
    failWith = 400;
    EvidenceSet e = read(7);
    assertThat(e.inputs())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.isWhole()).isFalse();
              assertThat(i.whyNotWhole().orElseThrow())
                  .contains("HTTP 400", "parse error at line 1, col 2");
            });
  }
}
