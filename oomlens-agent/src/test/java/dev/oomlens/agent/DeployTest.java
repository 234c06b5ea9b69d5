package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of deploy/: the chart rendered with its values and every document parsed, the alerting
 * rules checked by promtool (as a plain file and as the PrometheusRule's spec), the systemd unit
 * checked by systemd-analyze, the rendered chart and the plain manifests applied with {@code
 * kubectl apply --dry-run=client}. A tool that is missing skips its check and says so.
 */
class DeployTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Path CHART = DEPLOY.resolve("helm/oomlens");
  private static final Path RULES = CHART.resolve("rules/oomlens-rules.yml");

  @TempDir Path tmp;

  private static List<JsonNode> render() throws IOException {
    String yaml = new Helm(CHART).template().withName("oomlens").withNamespace("monitoring").call();
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      var it = new ObjectMapper().readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static JsonNode kind(List<JsonNode> docs, String kind) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " in the rendered chart"));
  }

  @Test
  void chart_rendersEveryObject_daemonSetAsTheIssueAsks() throws IOException {
    List<JsonNode> docs = render();
    assertThat(docs)
        .extracting(d -> d.path("kind").asText())
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "Service",
            "DaemonSet",
            "PrometheusRule",
            "ClusterRole",
            "ClusterRoleBinding");
    assertThat(docs)
        .allSatisfy(
            d -> {
              assertThat(d.path("apiVersion").asText()).isNotEmpty();
              assertThat(d.path("metadata").path("name").asText()).isEqualTo("oomlens-oomlens");
            });
    // RBAC: get/list/watch pods and create events, nothing else.
    JsonNode rules = kind(docs, "ClusterRole").path("rules");
    assertThat(rules).hasSize(2);
    assertThat(rules.get(0).path("resources").get(0).asText()).isEqualTo("pods");
    assertThat(rules.get(0).path("verbs").toString()).isEqualTo("[\"get\",\"list\",\"watch\"]");
    assertThat(rules.get(1).path("resources").get(0).asText()).isEqualTo("events");
    assertThat(rules.get(1).path("verbs").toString()).isEqualTo("[\"create\"]");
    JsonNode pod = kind(docs, "DaemonSet").path("spec").path("template").path("spec");
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("system-node-critical");
    JsonNode c = pod.path("containers").get(0);
    List<String> args =
        StreamSupport.stream(c.path("args").spliterator(), false).map(JsonNode::asText).toList();
    assertThat(args)
        .contains("watch", "--path.rootfs=/host", "--listen=0.0.0.0:9717", "--kubernetes");
    assertThat(c.path("env").get(0).path("valueFrom").path("fieldRef").path("fieldPath").asText())
        .isEqualTo("spec.nodeName");
    // The chart's JVM flags are the launcher's for watch, so both footprints are the one measured.
    assertThat(c.path("env").get(1).path("name").asText()).isEqualTo("JAVA_TOOL_OPTIONS");
    assertThat(List.of(c.path("env").get(1).path("value").asText().split(" ")))
        .containsExactlyElementsOf(launcherWatchFlags());
    assertThat(c.path("resources").path("limits").path("memory").asText()).isEqualTo("192Mi");
    assertThat(c.path("resources").path("requests").path("memory").asText()).isEqualTo("96Mi");
    assertThat(c.path("securityContext").path("capabilities").path("add").get(0).asText())
        .isEqualTo("SYSLOG");
    assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
    for (String mount :
        List.of(
            "/host/proc",
            "/host/sys",
            "/dev/kmsg",
            "/host/var/log/journal",
            "/host/run/log/journal")) {
      assertThat(
              StreamSupport.stream(c.path("volumeMounts").spliterator(), false)
                  .filter(m -> m.path("mountPath").asText().equals(mount)))
          .as(mount)
          .singleElement()
          .satisfies(m -> assertThat(m.path("readOnly").asBoolean()).isTrue());
    }
  }

  @Test
  void rules_plainFileAndPrometheusRule_passPromtool() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    assumeThat(Files.isExecutable(promtool))
        .as("promtool check skipped: /usr/bin/promtool missing (Debian: prometheus)")
        .isTrue();
    assertThat(run(promtool.toString(), "check", "rules", RULES.toString())).contains("SUCCESS");
    JsonNode spec = kind(render(), "PrometheusRule").path("spec");
    Path fromChart = tmp.resolve("prometheusrule-spec.yml");
    Files.writeString(fromChart, new YAMLMapper().writeValueAsString(spec));
    assertThat(run(promtool.toString(), "check", "rules", fromChart.toString()))
        .contains("SUCCESS: 8 rules found");
    // Every metric the rules query is one the agent exports.
    String rules = Files.readString(RULES);
    Metrics m = new Metrics();
    for (String name :
        List.of(
            "oomlens_oom_kills_total",
            "oomlens_cgroup_time_to_limit_seconds",
            "oomlens_memory_pressure_ratio",
            "oomlens_kmsg_records_lost_total",
            "oomlens_history_writable",
            "oomlens_source_up")) {
      assertThat(rules).contains(name);
      assertThat(m.registry.scrape().stream().map(s -> s.getMetadata().getPrometheusName()))
          .contains(name.replace("_total", ""));
    }
  }

  @Test
  void systemdUnit_verifies() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assumeThat(Files.isExecutable(analyze))
        .as("systemd-analyze check skipped: /usr/bin/systemd-analyze missing")
        .isTrue();
    // The unit names /usr/local/bin/oomlens; verify needs its ExecStart to exist.
    Path bin = tmp.resolve("oomlens");
    Files.writeString(bin, "#!/bin/sh\nexit 0\n");
    bin.toFile().setExecutable(true);
    String unit =
        Files.readString(DEPLOY.resolve("systemd/oomlens-watch.service"))
            .replace("/usr/local/bin/oomlens", bin.toString());
    Path copy = tmp.resolve("oomlens-watch.service");
    Files.writeString(copy, unit);
    String out = run(analyze.toString(), "verify", copy.toString());
    assertThat(out)
        .doesNotContain("Unknown key")
        .doesNotContain("Failed to parse")
        .doesNotContain("Invalid");
    assertThat(unit)
        .contains(
            "CapabilityBoundingSet=CAP_SYSLOG",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "StateDirectory=oomlens",
            "OOMScoreAdjust=-900");
  }

  /*
   * kubectl resolves every document's apiVersion and kind through the API server's discovery even
   * for a client-side dry run, and asks for each object to choose between create and configure.
   * The loopback server below answers discovery for the kinds deploy/ uses, with the resource
   * names and scopes of the real API, and 404 for every object. Schema validation needs the
   * server's OpenAPI documents, which only a real API server has: it is off (--validate=false),
   * so this catches a kind or apiVersion the API does not serve, a namespaced object without a
   * namespace and a document kubectl cannot decode, not a misspelt field.
   */
  private static final Map<String, List<String[]>> SERVED =
      Map.of(
          "v1",
          List.of(
              new String[] {"services", "Service", "true"},
              new String[] {"serviceaccounts", "ServiceAccount", "true"},
              new String[] {"namespaces", "Namespace", "false"}),
          "apps/v1",
          List.<String[]>of(new String[] {"daemonsets", "DaemonSet", "true"}),
          "rbac.authorization.k8s.io/v1",
          List.of(
              new String[] {"clusterroles", "ClusterRole", "false"},
              new String[] {"clusterrolebindings", "ClusterRoleBinding", "false"}),
          "monitoring.coreos.com/v1",
          List.<String[]>of(new String[] {"prometheusrules", "PrometheusRule", "true"}));

  @Test
  void chartAndManifests_kubectlApplyDryRunClient() throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    assumeThat(Files.isExecutable(kubectl))
        .as("kubectl dry run skipped: /usr/bin/kubectl missing")
        .isTrue();
    Path chart = tmp.resolve("chart.yaml");
    Files.writeString(
        chart, new Helm(CHART).template().withName("oomlens").withNamespace("monitoring").call());
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> discovery(ex));
    server.start();
    try {
      Path kubeconfig = tmp.resolve("kubeconfig");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters: [{name: lab, cluster: {server: "http://127.0.0.1:%d"}}]
          users: [{name: lab, user: {}}]
          contexts: [{name: lab, context: {cluster: lab, user: lab, namespace: monitoring}}]
          current-context: lab
          """
              .formatted(server.getAddress().getPort()));
      String k = kubectl.toString();
      assertThat(kubectlDryRun(k, kubeconfig, chart))
          .contains(
              "serviceaccount/oomlens-oomlens created (dry run)",
              "service/oomlens-oomlens created (dry run)",
              "daemonset.apps/oomlens-oomlens created (dry run)",
              "prometheusrule.monitoring.coreos.com/oomlens-oomlens created (dry run)",
              "clusterrole.rbac.authorization.k8s.io/oomlens-oomlens created (dry run)",
              "clusterrolebinding.rbac.authorization.k8s.io/oomlens-oomlens created (dry run)");
      assertThat(kubectlDryRun(k, kubeconfig, DEPLOY.resolve("clusterrole.yaml")))
          .contains("clusterrole.rbac.authorization.k8s.io/oomlens-reader created (dry run)");
      // The same run refuses a kind the API does not serve: the check above can fail.
      Path wrong = tmp.resolve("wrong.yaml");
      Files.writeString(
          wrong, Files.readString(chart).replace("kind: DaemonSet", "kind: DaemonSets"));
      Process p =
          new ProcessBuilder(
                  k,
                  "--kubeconfig",
                  kubeconfig.toString(),
                  "--cache-dir",
                  tmp.resolve("kube-cache").toString(),
                  "apply",
                  "--dry-run=client",
                  "--validate=false",
                  "-f",
                  wrong.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isNotZero();
      assertThat(out).contains("no matches for kind \"DaemonSets\" in version \"apps/v1\"");
    } finally {
      server.stop(0);
    }
  }

  private static String kubectlDryRun(String kubectl, Path kubeconfig, Path file) throws Exception {
    return run(
        kubectl,
        "--kubeconfig",
        kubeconfig.toString(),
        "apply",
        "--dry-run=client",
        "--validate=false",
        "-f",
        file.toString());
  }

  private static void discovery(com.sun.net.httpserver.HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    ObjectMapper json = new ObjectMapper();
    Object body = null;
    if (path.equals("/api")) {
      body = Map.of("kind", "APIVersions", "versions", List.of("v1"));
    } else if (path.equals("/apis")) {
      List<Object> groups = new ArrayList<>();
      for (String gv : SERVED.keySet()) {
        if (gv.contains("/")) {
          Map<String, String> version =
              Map.of("groupVersion", gv, "version", gv.substring(gv.indexOf('/') + 1));
          groups.add(
              Map.of(
                  "name",
                  gv.substring(0, gv.indexOf('/')),
                  "versions",
                  List.of(version),
                  "preferredVersion",
                  version));
        }
      }
      body = Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
    } else {
      String gv =
          path.equals("/api/v1") ? "v1" : path.startsWith("/apis/") ? path.substring(6) : "";
      if (SERVED.containsKey(gv)) {
        List<Object> resources = new ArrayList<>();
        for (String[] r : SERVED.get(gv)) {
          resources.add(
              Map.of(
                  "name",
                  r[0],
                  "singularName",
                  "",
                  "namespaced",
                  Boolean.parseBoolean(r[2]),
                  "kind",
                  r[1],
                  "verbs",
                  List.of("create", "get", "list", "patch")));
        }
        body =
            Map.of(
                "kind",
                "APIResourceList",
                "apiVersion",
                "v1",
                "groupVersion",
                gv,
                "resources",
                resources);
      }
    }
    byte[] bytes = body == null ? new byte[0] : json.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  /** The JVM flags the launcher gives {@code watch}: its {@code opts=(...)} under that branch. */
  private static List<String> launcherWatchFlags() throws IOException {
    String launcher = Files.readString(Path.of("..", "oomlens"));
    int branch = launcher.indexOf("if [ \"${1:-}\" = watch ]; then");
    assertThat(branch).as("the launcher's watch branch").isNotNegative();
    int start = launcher.indexOf("opts=(", branch) + "opts=(".length();
    String flags = launcher.substring(start, launcher.indexOf(')', start));
    return List.of(flags.trim().split("\\s+"));
  }

  /** Runs a command; fails with its output when it exits non-zero. */
  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s:%n%s", String.join(" ", command), out).isZero();
    return out;
  }
}
