package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class AtKillJsonTest {
  @Test
  void json_hostileText_readsBackAsWritten() throws Exception {
    String hostile = "a\"b\\c\nd\re\tf\u0001g\u001b[31m\u202eh/é😀";
    AtKill.Json json = new AtKill.Json();
    json.begin().field("ns_pid", 1).field("name", hostile).array("cgroups");
    json.begin().field("path", "/a").end();
    json.begin().field("path", "/b").field("memory.stat", "cache 1\nrss 2\n").end();
    json.endArray().array("top_processes").endArray().end();

    JsonNode read = new ObjectMapper().readTree(json.toString());
    assertThat(read.get("ns_pid").asLong()).isEqualTo(1);
    assertThat(read.get("name").asText()).isEqualTo(hostile);
    assertThat(read.get("cgroups")).hasSize(2);
    assertThat(read.get("cgroups").get(1).get("memory.stat").asText())
        .isEqualTo("cache 1\nrss 2\n");
    assertThat(read.get("top_processes")).isEmpty();
    assertThat(json.toString()).doesNotContain("\n").doesNotContain("\u0001");
  }
}
