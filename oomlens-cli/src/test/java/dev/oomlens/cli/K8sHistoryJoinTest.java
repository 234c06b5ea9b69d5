package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.agent.History;
import dev.oomlens.agent.KillRecord;
import dev.oomlens.agent.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oomlens k8s --db}: the kills a node's agent recorded are joined to the cluster's pods as
 * {@code --kernel-log}'s are. The kill is the real AKS report of corpus 015; the pod is the one its
 * cgroup names, whose status says Completed although the kernel killed it.
 */
class K8sHistoryJoinTest {
  private static final Path AKS =
      Path.of(
          "..",
          "oomlens-core",
          "src",
          "test",
          "resources",
          "corpus",
          "015-jpaztech-aks-5.15-burstable-pod-cgv2.log");
  private static final String UID = "479f327f-a27b-4eda-8523-90bdabcf0a27";
  private static final String CID =
      "679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be";
  private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");

  @TempDir Path dir;

  @Test
  void recordedKill_joinedToItsPod_callsOutTheStatusThatLies() throws IOException {
    Path db = dir.resolve("oomlens.db");
    String report = Files.readString(AKS, StandardCharsets.UTF_8);
    String cgroup =
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
            + UID.replace('-', '_')
            + ".slice";
    try (History h = History.openForAgent(db, Clock.fixed(NOW, ZoneOffset.UTC))) {
      h.boot("boot-0", NOW.minusSeconds(86_400));
      h.addKill(
          new KillRecord(
              "boot-0",
              1,
              71,
              71,
              NOW.minusSeconds(3_600),
              OptionalLong.of(716580),
              Optional.of("stress-ng-vm"),
              OptionalLong.empty(),
              Optional.of(cgroup + "/cri-containerd-" + CID + ".scope"),
              "report",
              Optional.of(cgroup),
              Verdict.LIMIT,
              Optional.of(UID),
              Optional.of(CID),
              Optional.empty(),
              Optional.of("MEMCG-LIMIT"),
              "pod limit",
              report,
              "{}"),
          71);
    }
    Path pods = dir.resolve("pods.json");
    Files.writeString(
        pods,
        """
        {"apiVersion": "v1", "kind": "List", "items": [{
          "apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "stress", "namespace": "batch", "uid": "%s"},
          "spec": {"nodeName": "aks-ubuntu-26835060-vmss000000", "containers": [{
            "name": "stress", "image": "stress-ng",
            "resources": {"requests": {"memory": "250Mi"}, "limits": {"memory": "500Mi"}}}]},
          "status": {"phase": "Running", "containerStatuses": [{
            "name": "stress", "containerID": "containerd://%s", "ready": true,
            "restartCount": 1, "image": "stress-ng", "imageID": "",
            "state": {"running": {}},
            "lastState": {"terminated": {"reason": "Completed", "exitCode": 0}}}]}}]}
        """
            .formatted(UID, CID),
        StandardCharsets.UTF_8);

    CliTest.Run r =
        CliTest.run("k8s", "--dump", pods.toString(), "--db", db.toString(), "--format", "json");

    assertThat(r.err()).isEmpty();
    JsonNode doc = new ObjectMapper().readTree(r.out());
    assertThat(doc.get("reports")).hasSize(1);
    JsonNode oomKilled = null;
    for (JsonNode f : doc.get("findings")) {
      if (f.get("code").asText().equals("OOMKILLED")) {
        oomKilled = f;
      }
    }
    assertThat(oomKilled).as("OOMKILLED in %s", r.out()).isNotNull();
    assertThat(oomKilled.get("summary").asText()).endsWith("although its status says otherwise");
    assertThat(oomKilled.get("evidence").toString())
        .contains("Killed process 716580 (stress-ng-vm)");
  }

  @Test
  void notAHistory_isAnInputError_namingTheFile() throws IOException {
    Path notDb = dir.resolve("notes.txt");
    Files.writeString(notDb, "not a database\n", StandardCharsets.UTF_8);
    Path pods = dir.resolve("pods.json");
    Files.writeString(pods, "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": []}\n");

    CliTest.Run r = CliTest.run("k8s", "--dump", pods.toString(), "--db", notDb.toString());

    assertThat(r.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(r.err()).contains(notDb.toString());
  }
}
