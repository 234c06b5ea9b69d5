package dev.oomlens.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/*
 * Debian's prometheus, started on 127.0.0.1 on a free port with a temporary data directory whose
 * history was backfilled by promtool from OpenMetrics the tests write. Retention is 100 years so
 * the backfilled past is not deleted on start. Stopped by its PID (the Process we started), and
 * the directory is the test's @TempDir. Skips, saying why, where prometheus or promtool is missing
 * (.ci/run installs them).
 */

/** A real Prometheus serving a history written by the test. */
final class RealPrometheus implements AutoCloseable {
  private final Process process;
  final URI url;

  private RealPrometheus(Process process, URI url) {
    this.process = process;
    this.url = url;
  }

  /** Writes OpenMetrics: one family after the other, each series in time order. */
  static final class OpenMetrics implements AutoCloseable {
    private final Writer out;
    private String family = "";

    OpenMetrics(Path file) throws IOException {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    void sample(String name, Map<String, String> labels, double value, long epochSeconds)
        throws IOException {
      if (!name.equals(family)) {
        family = name;
        // OpenMetrics names a counter's family without its _total suffix
        out.write(
            name.endsWith("_total")
                ? "# TYPE " + name.substring(0, name.length() - "_total".length()) + " counter\n"
                : "# TYPE " + name + " gauge\n");
      }
      StringBuilder l = new StringBuilder();
      for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
        l.append(l.isEmpty() ? "{" : ",")
            .append(e.getKey())
            .append("=\"")
            .append(e.getValue())
            .append('"');
      }
      if (!l.isEmpty()) {
        l.append('}');
      }
      String v =
          value == Math.rint(value)
              ? Long.toString((long) value)
              : String.format(Locale.ROOT, "%.6g", value);
      out.write(name + l + " " + v + " " + epochSeconds + "\n");
    }

    @Override
    public void close() throws IOException {
      out.write("# EOF\n");
      out.close();
    }
  }

  static boolean available() {
    return Files.isExecutable(Path.of("/usr/bin/prometheus"))
        && Files.isExecutable(Path.of("/usr/bin/promtool"));
  }

  /** Backfills {@code openMetrics} into a data directory under {@code dir} and starts a server. */
  static RealPrometheus start(Path dir, Path openMetrics) throws Exception {
    assumeTrue(
        available(),
        "prometheus and promtool are not installed (Debian package"
            + " prometheus; .ci/run installs it): the real-Prometheus tests are skipped");
    Path data = Files.createDirectories(dir.resolve("data"));
    Process backfill =
        new ProcessBuilder(
                "promtool",
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                "--max-block-duration=24h",
                openMetrics.toString(),
                data.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("promtool.log").toFile())
            .start();
    if (!backfill.waitFor(300, TimeUnit.SECONDS) || backfill.exitValue() != 0) {
      backfill.destroyForcibly();
      throw new IllegalStateException(
          "promtool failed: " + Files.readString(dir.resolve("promtool.log")));
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--storage.tsdb.retention.time=100y",
                "--web.listen-address=127.0.0.1:" + port,
                "--query.lookback-delta=5m")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    RealPrometheus prom = new RealPrometheus(p, URI.create("http://127.0.0.1:" + port));
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(prom.url.resolve("/-/ready"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return prom;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    prom.close();
    throw new IllegalStateException(
        "prometheus not ready in 120 s: " + Files.readString(dir.resolve("prometheus.log")));
  }

  static long seconds(String iso) {
    return Instant.parse(iso).getEpochSecond();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static List<String> hosts() {
    return List.of("ns1", "ns2", "vault01", "testvm01", "testvm02", "testvm03", "kanidm01");
  }
}
