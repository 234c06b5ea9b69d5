package dev.oomlens.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.oomlens.host.paths.HostPaths;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where /dev/kmsg cannot be opened the agent follows the journal's kernel messages: here a recorded
 * journal (journalctl -o json of the real two-kill report) played by a shell in place of
 * journalctl, which then waits as journalctl -f does.
 */
class JournalFallbackTest {
  @TempDir Path tmp;

  private Path journal() throws Exception {
    String kmsg;
    try (InputStream in = getClass().getResourceAsStream("/kmsg/pod-limit-two-kills.kmsg")) {
      kmsg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ObjectMapper json = new ObjectMapper();
    StringBuilder out = new StringBuilder();
    for (String line : kmsg.lines().toList()) {
      String[] head = line.substring(0, line.indexOf(';')).split(",");
      ObjectNode e = json.createObjectNode();
      e.put("__CURSOR", "s=x;i=" + head[1]);
      e.put("PRIORITY", head[0]);
      e.put("_TRANSPORT", "kernel");
      e.put("_SOURCE_MONOTONIC_TIMESTAMP", head[2]);
      e.put("MESSAGE", line.substring(line.indexOf(';') + 1));
      out.append(json.writeValueAsString(e)).append('\n');
    }
    return Files.writeString(tmp.resolve("journal.json"), out);
  }

  private List<KillRecord> run(Path journal, StringWriter log) throws Exception {
    Agent agent =
        new Agent(
            new Agent.Options(
                tmp.resolve("h.db"),
                Optional.empty(),
                Duration.ofSeconds(5),
                HostPaths.under(tmp.resolve("nohost")),
                tmp.resolve("no-kmsg"),
                Duration.ofDays(1),
                64L << 20,
                Warnings.Thresholds.DEFAULTS,
                Optional.empty()),
            Clock.systemUTC(),
            new PrintWriter(log, true));
    agent.journalCommand(List.of("/bin/sh", "-c", "cat \"$0\"; exec sleep 60", journal.toString()));
    agent.start();
    Thread t = Thread.ofPlatform().daemon().start(agent::run);
    try {
      for (int i = 0; i < 100 && agent.capture().stored() + agent.capture().duplicates() < 2; i++) {
        Thread.sleep(50);
      }
      Thread.sleep(200);
      return agent.history().kills(Optional.empty());
    } finally {
      agent.close();
      t.join(5000);
    }
  }

  @Test
  void kmsgUnreadable_followsTheJournal_andARestartStoresNothingTwice() throws Exception {
    Path journal = journal();
    StringWriter log = new StringWriter();
    List<KillRecord> first = run(journal, log);
    assertThat(log.toString())
        .contains(
            "cannot read "
                + tmp.resolve("no-kmsg")
                + ": no such device; following the journal's kernel messages instead (/bin/sh -c");
    assertThat(first).extracting(k -> k.victimPid().getAsLong()).containsExactly(9006L, 9010L);
    assertThat(first.getFirst().verdict()).isEqualTo(Verdict.LIMIT);
    assertThat(first.getFirst().code()).hasValue("MEMCG-LIMIT");

    List<KillRecord> again = run(journal, new StringWriter());
    assertThat(again).isEqualTo(first);
  }
}
