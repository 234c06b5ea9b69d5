package dev.oomlens.cli;

import dev.oomlens.metrics.PrometheusClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --prometheus} and how to authenticate to it: the server of size, verify, diagnose. */
final class PrometheusOptions {
  @Option(
      names = "--prometheus",
      paramLabel = "URL",
      description =
          "A Prometheus-compatible"
              + " server (Prometheus, Thanos, Mimir, VictoriaMetrics): size, diagnose and doctor"
              + " read cAdvisor's and kube-state-metrics' series from it over --since..--until"
              + " (default: the last 7 days), diagnose and doctor node_exporter's of each host too;"
              + " verify runs its criteria there.")
  URI prometheus;

  @Option(
      names = "--bearer-token-file",
      paramLabel = "FILE",
      description = "Send the token in FILE as Authorization: Bearer.")
  Path bearerTokenFile;

  @Option(
      names = "--basic-auth-file",
      paramLabel = "FILE",
      description = "Send USER:PASSWORD from FILE as basic authentication.")
  Path basicAuthFile;

  @Option(
      names = "--header",
      paramLabel = "'NAME: VALUE'",
      description = "Send this header with every query (X-Scope-OrgID for Mimir).")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--prometheus-timeout",
      paramLabel = "DURATION",
      defaultValue = "2m",
      converter = WatchCommand.DurationConverter.class,
      description =
          "How long one request to --prometheus (and diagnose's --loki) may take, its whole"
              + " answer read (default:"
              + " ${DEFAULT-VALUE}, Prometheus's own query timeout). A long window is asked for"
              + " in chunks, each with this much time; a chunk not answered in time fails the"
              + " input (exit 3).")
  Duration timeout = PrometheusClient.DEFAULT_TIMEOUT;

  /** The client of --prometheus with its authentication. */
  PrometheusClient client() throws IOException {
    return new PrometheusClient(prometheus, headers(), timeout);
  }

  /** The authentication and extra headers the options give. */
  Map<String, String> headers() throws IOException {
    String token =
        bearerTokenFile == null
            ? null
            : Files.readString(bearerTokenFile, StandardCharsets.UTF_8).strip();
    String basic =
        basicAuthFile == null
            ? null
            : Files.readString(basicAuthFile, StandardCharsets.UTF_8).strip();
    return PrometheusClient.headers(token, basic, headers);
  }
}
