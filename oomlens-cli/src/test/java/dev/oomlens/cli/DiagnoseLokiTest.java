package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code oomlens diagnose --loki} end to end, against a loopback server answering Loki's documented
 * {@code query_range} (streams of {@code ["<ns>", "<line>"]}, at most {@code limit} entries forward
 * from {@code start}), as the metrics module's client test does: the corpus's real AKS report as
 * promtail ships a journal, on two hosts an hour apart.
 */
class DiagnoseLokiTest {
  static final long T0 = Instant.parse("2026-02-08T05:00:46Z").getEpochSecond() * 1_000_000_000L;

  record Line(Map<String, String> stream, long nanos, String text) {}

  private HttpServer server;
  private final List<Line> lines = new ArrayList<>();
  private final List<Map<String, String>> asked = new CopyOnWriteArrayList<>();
  private final List<String> orgIds = new CopyOnWriteArrayList<>();
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
    for (String host : List.of("node-a", "node-b")) {
      for (int i = 0; i < report.size(); i++) {
        String text = report.get(i).replaceFirst("^.* kernel: \\[ *[0-9.]+\\] ", "");
        lines.add(
            new Line(
                Map.of("job", "kernel", "host", host),
                T0 + h * 3_600_000_000_000L + i * 1000L,
                text));
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
          asked.add(q);
          String org = x.getRequestHeaders().getFirst("X-Scope-OrgID");
          orgIds.add(org == null ? "" : org);
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
            "{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":[");
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

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private CliTest.Run diagnose(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "diagnose",
                "--loki",
                url(),
                "--query",
                "{job=\"kernel\"}",
                "--loki-org-id",
                "fleet",
                "--since",
                "2026-02-08T00:00:00Z",
                "--until",
                "2026-02-09T00:00:00Z"));
    args.addAll(List.of(more));
    return CliTest.run(args.toArray(String[]::new));
  }

  @Test
  void diagnose_loki_oneReportPerHost_asTheCorpusGivesIt() throws IOException {
    CliTest.Run r = diagnose("--format", "json");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    List<String> codes = new ArrayList<>();
    doc.get("findings").forEach(f -> codes.add(f.get("code").asText()));
    assertThat(codes).contains("MEMCG-LIMIT");
    assertThat(doc.toString()).contains("node-a", "node-b", "stress-ng-vm");
    assertThat(asked)
        .isNotEmpty()
        .allSatisfy(
            q -> {
              assertThat(q).containsEntry("query", "{job=\"kernel\"}");
              assertThat(q).containsEntry("direction", "forward");
            });
    assertThat(orgIds).containsOnly("fleet");
  }

  @Test
  void diagnose_loki_text_namesEachHostsKill() {
    CliTest.Run r = diagnose();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("node-a", "node-b", "stress-ng-vm", "MEMCG-LIMIT");
  }

  @Test
  void diagnose_lokiRefusesTheQuery_isExit3WithLokisMessage() {
    failWith = 400;
    CliTest.Run r = diagnose();
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains("syntax error").doesNotContain("Exception");
  }
}
