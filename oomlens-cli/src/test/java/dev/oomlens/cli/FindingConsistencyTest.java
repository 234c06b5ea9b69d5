package dev.oomlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.oomlens.core.rules.Sizes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sentence of a finding agrees with the others and with the numbers in its evidence, and
 * every run says one number per limit: over every scenario of the confusion table and every real
 * kernel log of the repository, as {@code doctor} and {@code diagnose} print them in JSON.
 *
 * <ul>
 *   <li>A count of kills a finding states ("3 kills", "killed 3 times", "One kill") is the number
 *       of kill lines it cites, when it cites any.
 *   <li>A limit it names ("hit its 40.0 MiB limit", "memory limit of 40.0 MiB") is one that a cited
 *       memory cgroup line printed.
 *   <li>The fixes of one run that set a limit give one value per cgroup and knob; a limit the
 *       kernel killed at is raised above the one in force.
 *   <li>A finding that cites a kernel report is tied to that report's incident.
 * </ul>
 */
class FindingConsistencyTest {
  private static final Pattern STATED_KILLS =
      Pattern.compile("\\b(?:(\\d+) kills\\b|killed (\\d+) times|(One kill)\\b)");
  private static final Pattern KILL_LINE =
      Pattern.compile("Killed process \\d+|Kill process \\d+|oom_reaper: reaped process \\d+");
  private static final Pattern STATED_LIMIT =
      Pattern.compile(
          "(?:hit its (?:memory )?|memory limit of |[Ll]imit of )(\\d+(?:\\.\\d)? [KMGT]i?B)\\b");
  private static final Pattern MEMCG_LINE =
      Pattern.compile("\\bmemory: usage \\d+kB, limit (\\d+)kB");

  /** Runs of the confusion table's scenarios and of every real kernel log. */
  static Stream<List<String>> runs() throws IOException {
    List<List<String>> out = new ArrayList<>();
    ConfusionTableTest.scenarios().forEach(s -> out.add(s.args()));
    for (String log : ConfusionTableTest.realLogFiles()) {
      out.add(List.of("diagnose", log));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void findings_agreeWithTheirEvidenceAndEachOther(List<String> args) throws IOException {
    JsonNode doc = ConfusionTableTest.run(args);
    SoftAssertions soft = new SoftAssertions();
    boolean incidents = doc.path("incidents").size() > 0;
    Map<String, Set<Long>> newLimits = new HashMap<>();
    for (JsonNode f : doc.get("findings")) {
      String code = f.get("code").asText();
      String text = f.get("summary").asText() + " " + f.get("reasoning").asText();
      List<String> cited = new ArrayList<>();
      f.get("evidence").forEach(e -> cited.add(e.path("text").asText()));

      long killLines = cited.stream().distinct().filter(t -> KILL_LINE.matcher(t).find()).count();
      Matcher kills = STATED_KILLS.matcher(text);
      while (kills.find() && killLines > 0) {
        long stated =
            kills.group(3) != null
                ? 1
                : Long.parseLong(kills.group(1) != null ? kills.group(1) : kills.group(2));
        soft.assertThat(stated)
            .as("%s: \"%s\" against the %d kill lines it cites", code, kills.group(), killLines)
            .isEqualTo(killLines);
      }

      Set<String> citedLimits = new HashSet<>();
      for (String t : cited) {
        Matcher m = MEMCG_LINE.matcher(t);
        if (m.find()) {
          citedLimits.add(Sizes.human(Long.parseLong(m.group(1)) * 1024));
        }
      }
      Matcher limit = STATED_LIMIT.matcher(text);
      while (limit.find() && !citedLimits.isEmpty()) {
        soft.assertThat(citedLimits)
            .as("%s: the limit in \"%s\"", code, limit.group())
            .contains(limit.group(1));
      }

      for (JsonNode fix : f.get("fixes")) {
        JsonNode change = fix.path("limit_change");
        if (change.isMissingNode() || change.isNull()) {
          continue;
        }
        long newBytes = change.get("new_bytes").asLong();
        // A limit the kernel killed at is raised, never set at or below itself; a limit sized
        // from memory over time may come down (an oversized one).
        boolean hit = cited.stream().anyMatch(t -> MEMCG_LINE.matcher(t).find());
        if (hit && change.hasNonNull("current_bytes")) {
          soft.assertThat(newBytes)
              .as("%s: new limit of %s above the one in force", code, change.get("cgroup").asText())
              .isGreaterThan(change.get("current_bytes").asLong());
        }
        newLimits
            .computeIfAbsent(
                change.get("cgroup").asText() + " " + change.get("limit").asText(),
                k -> new HashSet<>())
            .add(newBytes);
      }

      if (incidents
          && f.get("evidence").size() > 0
          && cited.stream()
              .anyMatch(t -> KILL_LINE.matcher(t).find() || MEMCG_LINE.matcher(t).find())) {
        soft.assertThat(f.path("incidents").size())
            .as("%s: the incident it is about", code)
            .isPositive();
      }
    }
    newLimits.forEach(
        (limit, values) ->
            soft.assertThat(values)
                .as("new values for %s across the run's fixes", limit)
                .hasSize(1));
    soft.assertAll();
  }
}
