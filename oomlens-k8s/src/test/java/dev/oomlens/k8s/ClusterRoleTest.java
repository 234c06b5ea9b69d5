package dev.oomlens.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The documented ClusterRole grants what the live reader lists, and only reading verbs. */
class ClusterRoleTest {
  private static final Path ROLE = Path.of("..", "deploy", "clusterrole.yaml");

  @Test
  void role_grantsEveryResourceRead_readOnly() throws IOException {
    JsonNode role = new YAMLMapper().readTree(Files.readString(ROLE));
    Set<String> granted = new HashSet<>();
    for (JsonNode rule : role.get("rules")) {
      for (JsonNode verb : rule.get("verbs")) {
        assertThat(verb.asString()).isIn("get", "list", "watch");
      }
      for (JsonNode group : rule.get("apiGroups")) {
        for (JsonNode resource : rule.get("resources")) {
          granted.add(
              group.asString().isEmpty()
                  ? resource.asString()
                  : resource.asString() + "." + group.asString());
        }
      }
    }
    for (String read : LiveCluster.RESOURCES) {
      String qualified =
          read.contains(".")
              ? read
              : switch (read) {
                case "daemonsets", "deployments", "statefulsets", "replicasets" -> read + ".apps";
                case "jobs", "cronjobs" -> read + ".batch";
                case "priorityclasses" -> read + ".scheduling.k8s.io";
                default -> read;
              };
      assertThat(granted).as(read).contains(qualified);
    }
  }

  @Test
  void docs_showTheRoleAsItIs() throws IOException {
    assertThat(Files.readString(Path.of("..", "docs", "k8s.md"))).contains(Files.readString(ROLE));
  }
}
