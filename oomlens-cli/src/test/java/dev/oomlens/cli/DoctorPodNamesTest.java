package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.host.paths.HostPaths;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * doctor names the pod and container of a kill from the cluster (fabric8's mock API server in CRUD
 * mode holding the pod whose cgroup the VM lab's kill names); a cluster that cannot be asked costs
 * only the names, never the exit code.
 */
class DoctorPodNamesTest {
  private static final String HOST =
      "../oomlens-host/src/test/resources/hosts/" + "vmlab-cgv2-kube-pod-oom-group/after-kill";
  private static final String LOG =
      "../oomlens-core/src/test/resources/vmlab/cgv2-kube-pod-oom-group/kmsg.log";

  @TempDir static Path dir;
  private static KubernetesMockServer server;
  private static Path kubeconfig;
  private static Path log;

  @BeforeAll
  static void start() throws IOException {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("nix-builder-0")
            .withNamespace("ci")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("builder")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .addNewContainerStatus()
            .withName("builder")
            .withContainerID(
                "containerd://3f9a1c7e5b2d4086a1e9c3b7d5f2a4e6c8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7")
            .endContainerStatus()
            .endStatus()
            .build();
    String uid;
    try (KubernetesClient c = server.createClient()) {
      uid = c.resource(pod).create().getMetadata().getUid();
    }
    // The mock server gives the pod a UID of its own: the kernel log is copied with that UID in
    // the cgroup paths (the systemd driver writes its dashes as underscores).
    log = dir.resolve("kmsg.log");
    Files.writeString(
        log,
        Files.readString(Path.of(LOG))
            .replace("7f3c2a1e_5b9d_4c8e_9a2f_1d6e8b4c3a70", uid.replace('-', '_')));
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: m, cluster: {server: "%s"}}]
        contexts: [{name: m, context: {cluster: m, user: m}}]
        current-context: m
        users: [{name: m, user: {token: not-a-secret}}]
        """
            .formatted(server.url("/").replaceFirst("/$", "")));
  }

  @AfterAll
  static void stop() {
    server.destroy();
  }

  private static CliTest.Run doctor(String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("doctor", "--path.rootfs", HOST, "--kernel-log", log.toString()));
    args.addAll(List.of(more));
    Environment env =
        new Environment(
            new ByteArrayInputStream(new byte[0]),
            Clock.fixed(Instant.parse("2026-02-03T10:00:00Z"), ZoneOffset.UTC),
            HostPaths.under(Path.of("no-host")),
            CliTest.unreadable("/dev/kmsg"),
            CliTest.unreadable("journalctl -k -b"),
            CliTest.noKillers());
    return CliTest.run(env, args.toArray(String[]::new));
  }

  @Test
  void kill_isNamedByItsPodAndContainer() throws IOException {
    CliTest.Run text = doctor("--kubeconfig", kubeconfig.toString());
    assertThat(text.err()).isEmpty();
    assertThat(text.out()).contains("(1 kill; that is pod ci/nix-builder-0, container builder)");
    CliTest.Run json = doctor("--kubeconfig", kubeconfig.toString(), "--format", "json");
    assertThat(new ObjectMapper().readTree(json.out()).get("incidents").get(0).get("pod").asText())
        .isEqualTo("pod ci/nix-builder-0, container builder");
  }

  @Test
  void unreachableCluster_costsOnlyTheNames() throws IOException {
    Path nowhere = dir.resolve("nowhere");
    Files.writeString(
        nowhere,
        Files.readString(kubeconfig)
            .replaceAll("server: \"[^\"]*\"", "server: \"http://127.0.0.1:9\""));
    CliTest.Run without = doctor("--no-cluster");
    CliTest.Run failed = doctor("--kubeconfig", nowhere.toString());
    assertThat(failed.code()).isEqualTo(without.code());
    assertThat(failed.err()).contains("cannot list the pods that would name the kills");
    assertThat(failed.out()).doesNotContain("that is pod");
  }
}
