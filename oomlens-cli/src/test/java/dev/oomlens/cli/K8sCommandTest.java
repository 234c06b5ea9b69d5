package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.oomlens.host.paths.HostPaths;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomlens k8s} on seed 002's cluster, replayed twice: loaded into fabric8's mock API server
 * in CRUD mode and read live through a kubeconfig, and read from the same objects as kubectl dumps.
 * Both give the findings of one golden file, every finding of the post-mortem with a fix; the live
 * run issues only reads.
 */
class K8sCommandTest {
  private static final Path SEED_002 =
      Path.of("..", "oomlens-k8s", "src", "test", "resources", "clusters", "seed002");
  private static final Path GOLDEN =
      Path.of("src", "test", "resources", "golden", "k8s", "seed002-findings.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static KubernetesMockServer server;
  private static Path kubeconfig;

  @BeforeAll
  static void loadCluster() throws IOException, InterruptedException {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    server.expectCustomResource(
        crd("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations"));
    server.expectCustomResource(crd("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases"));
    server.expectCustomResource(crd("metrics.k8s.io", "v1beta1", "PodMetrics", "pods"));
    KubernetesSerialization s = new KubernetesSerialization();
    try (KubernetesClient c = server.createClient();
        Stream<Path> files = Files.walk(SEED_002)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        Object o = s.unmarshal(Files.newInputStream(f), KubernetesResource.class);
        for (HasMetadata item : ((io.fabric8.kubernetes.api.model.KubernetesList) o).getItems()) {
          if (item instanceof GenericKubernetesResource g) {
            c.genericKubernetesResources(g.getApiVersion(), g.getKind())
                .inNamespace(g.getMetadata().getNamespace())
                .resource(g)
                .create();
          } else {
            c.resource(item).create();
          }
        }
      }
      // The manifest from the repository is not in the cluster: the API server refused it.
    }
    while (server.takeRequest(0, TimeUnit.SECONDS) != null) {
      // the loading's own requests
    }
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: mock
          context: {cluster: mock, user: mock}
        current-context: mock
        users:
        - name: mock
          user: {token: not-a-secret}
        """
            .formatted(server.url("/").replaceFirst("/$", "")));
  }

  private static CustomResourceDefinitionContext crd(
      String group, String version, String kind, String plural) {
    return new CustomResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withScope("Namespaced")
        .build();
  }

  @AfterAll
  static void stop() {
    server.destroy();
  }

  private static Environment env() {
    return new Environment(
        new ByteArrayInputStream(new byte[0]),
        Clock.fixed(Instant.parse("2025-08-14T10:00:00Z"), ZoneOffset.UTC),
        HostPaths.under(Path.of("no-host")),
        CliTest.unreadable("/dev/kmsg"),
        CliTest.unreadable("journalctl -k -b"),
        CliTest.noKillers());
  }

  /** The findings of a JSON report, without what names the input (the dump's path). */
  private static JsonNode findings(String out) throws IOException {
    return JSON.readTree(out).get("findings");
  }

  @Test
  void liveAndDump_giveTheGoldenFindings() throws IOException {
    CliTest.Run live =
        CliTest.run(
            env(),
            "k8s",
            "--kubeconfig",
            kubeconfig.toString(),
            "--vm-memory",
            "k3s-replica-0=4Gi",
            "--format",
            "json");
    CliTest.Run dump =
        CliTest.run(
            env(),
            "k8s",
            "--dump",
            SEED_002.toString(),
            "--vm-memory",
            "k3s-replica-0=4Gi",
            "--format",
            "json");
    assertThat(live.err()).isEmpty();
    assertThat(dump.err()).isEmpty();
    assertThat(live.code()).isZero();
    assertThat(dump.code()).isZero();
    // The manifest of the refused PriorityClass is only in the dump: the live cluster names it in
    // Flux's message alone, so that one citation differs and nothing else.
    JsonNode fromDump = findings(dump.out());
    JsonNode fromLive = findings(live.out());
    String golden = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fromDump) + "\n";
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(GOLDEN, golden);
    }
    assertThat(golden).isEqualTo(Files.readString(GOLDEN));
    assertThat(withoutManifest(fromLive)).isEqualTo(withoutManifest(fromDump));
  }

  private static JsonNode withoutManifest(JsonNode findings) {
    JsonNode copy = findings.deepCopy();
    for (JsonNode f : copy) {
      for (String key : List.of("evidence", "objects")) {
        ArrayNode a = (ArrayNode) f.get(key);
        for (int i = a.size() - 1; i >= 0; i--) {
          JsonNode e = a.get(i);
          String kind =
              e.has("object_kind") ? e.get("object_kind").asText() : e.path("kind").asText();
          if (kind.equals("PriorityClass")) {
            a.remove(i);
          }
        }
      }
      ((com.fasterxml.jackson.databind.node.ObjectNode) f).remove("reasoning");
    }
    return copy;
  }

  @Test
  void seed002_everyPostMortemFindingWithAFix() throws IOException {
    JsonNode findings =
        findings(
            CliTest.run(
                    env(),
                    "k8s",
                    "--dump",
                    SEED_002.toString(),
                    "--vm-memory",
                    "k3s-replica-0=4Gi",
                    "--format",
                    "json")
                .out());
    List<String> summaries = new ArrayList<>();
    for (JsonNode f : findings) {
      assertThat(f.get("fixes")).as(f.get("summary").asText()).isNotEmpty();
      assertThat(f.get("objects")).as(f.get("summary").asText()).isNotEmpty();
      summaries.add(f.get("code").asText() + " " + f.get("summary").asText());
    }
    // Each root cause of the post-mortem, as it wrote it.
    assertThat(summaries)
        .anyMatch(s -> s.startsWith("BALLOONING Node k3s-replica-0 has 516Mi"))
        .anyMatch(s -> s.startsWith("BALLOONING Node k3s-server-0 has 1229Mi"))
        .anyMatch(
            s ->
                s.startsWith("NO-LIMIT DaemonSet metallb-system/metallb-speaker")
                    && s.contains("frr"))
        .anyMatch(
            s ->
                s.startsWith(
                    "OOMKILLED DaemonSet metallb-system/metallb-speaker" + " container frr"))
        .anyMatch(
            s ->
                s.startsWith("SYSTEM-OOM Node k3s-server-0")
                    && s.contains("zebra")
                    && s.contains("bgpd")
                    && s.contains("staticd"))
        .anyMatch(
            s ->
                s.startsWith("DEAD-NODE Node k3s-replica-2 is gone")
                    && s.contains("2 pods Pending"))
        .anyMatch(s -> s.startsWith("PRIORITYCLASS-RESERVED PriorityClass system-infrastructure"))
        .anyMatch(s -> s.startsWith("FLUX-BLOCKED HelmRelease metallb-system/metallb"))
        .anyMatch(s -> s.startsWith("NODE-OVERCOMMIT Node k3s-replica-0") && s.contains("148%"))
        .anyMatch(s -> s.startsWith("NODE-OVERCOMMIT Node k3s-replica-1") && s.contains("121%"));
  }

  @Test
  void live_issuesOnlyGetListAndWatch() throws InterruptedException {
    CliTest.Run r = CliTest.run(env(), "k8s", "--kubeconfig", kubeconfig.toString());
    assertThat(r.code()).isZero();
    TreeSet<String> methods = new TreeSet<>();
    int requests = 0;
    RecordedRequest req;
    while ((req = server.takeRequest(0, TimeUnit.SECONDS)) != null) {
      methods.add(req.getMethod());
      requests++;
    }
    assertThat(requests).isGreaterThanOrEqualTo(12);
    assertThat(methods).containsOnly("GET");
  }

  @Test
  void unreachableApiServer_isAnInputError() throws IOException {
    Path config = dir.resolve("nowhere");
    Files.writeString(
        config,
        Files.readString(kubeconfig).replaceAll("server: .*", "server: http://127.0.0.1:9"));
    CliTest.Run r = CliTest.run(env(), "k8s", "--kubeconfig", config.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err())
        .startsWith(
            "oomlens: cluster (kubeconfig " + config + "): cannot reach" + " the API server");
  }

  @Test
  void textAndMarkdown_matchTheirGoldens() throws IOException {
    for (String format : List.of("text", "markdown")) {
      CliTest.Run r =
          CliTest.run(
              env(),
              "k8s",
              "--dump",
              SEED_002.toString(),
              "--vm-memory",
              "k3s-replica-0=4Gi",
              "--format",
              format);
      assertThat(r.code()).isZero();
      // The dump's path as this test gives it, so the golden does not depend on the checkout.
      String out = r.out().replace(SEED_002.toString(), "seed002");
      Path golden = GOLDEN.resolveSibling("seed002." + (format.equals("text") ? "txt" : "md"));
      if (Boolean.getBoolean("golden.update")) {
        Files.writeString(golden, out);
      }
      assertThat(out).as(format).isEqualTo(Files.readString(golden));
    }
  }

  @Test
  void hostileNames_keepTheTablesShape() throws IOException {
    Path dump = dir.resolve("hostile.json");
    String evil = "web|`x`\\u202e\\nrm -rf";
    Files.writeString(
        dump,
        """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n|1\\u202e"},
           "status": {"allocatable": {"memory": "100Mi"}, "capacity": {"memory": "100Mi"},
                      "conditions": [{"type": "Ready", "status": "True"}]}},
          {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "a|b"},
           "spec": {"nodeName": "n|1\\u202e", "containers": [{"name": "c`|", "resources":
             {"limits": {"memory": "200Mi"}}}]}, "status": {"phase": "Running"}}
        ]}
        """
            .formatted(evil));
    for (String format : List.of("text", "markdown")) {
      CliTest.Run r = CliTest.run(env(), "k8s", "--dump", dump.toString(), "--format", format);
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).as(format).doesNotContain("\u202e").doesNotContain("\nrm -rf");
      if (format.equals("markdown")) {
        for (String line : r.out().split("\n")) {
          if (line.startsWith("| ")) {
            // Every cell's pipes are escaped: a row has exactly its columns' separators.
            long bars = line.replace("\\|", "").chars().filter(ch -> ch == '|').count();
            assertThat(bars).as(line).isIn(3L, 8L);
          }
        }
      }
    }
  }

  @Test
  void dumpAndKubeconfig_isAUsageError() {
    CliTest.Run r =
        CliTest.run(
            env(), "k8s", "--dump", SEED_002.toString(), "--kubeconfig", kubeconfig.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("give one or the other");
  }
}
