package dev.oomlens.core.rules.analyzers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.rules.Analyzer;
import dev.oomlens.core.rules.RealInputs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host rules over every real kernel log we have: nothing throws, and every line a finding cites
 * stands in its input exactly as quoted.
 */
class HostRulesRealInputsTest {
  private static final List<Analyzer> RULES =
      List.of(
          new BallooningAnalyzer(),
          new NoSwapAnalyzer(),
          new NotOomAnalyzer(),
          new ThrashingAnalyzer(),
          new UserspaceKillAnalyzer());

  static Stream<String> inputs() {
    return RealInputs.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void analyze_realReport_citedLinesExistAsQuoted(String name) throws IOException {
    List<String> lines =
        List.of(
            new String(
                    Files.readAllBytes(RealInputs.RESOURCES.resolve(name)), StandardCharsets.UTF_8)
                .split("\r?\n", -1));
    List<Finding> findings = new ArrayList<>();
    for (Analyzer a : RULES) {
      findings.addAll(a.analyze(RealInputs.evidence(name)));
    }
    for (Finding f : findings) {
      assertThat(f.summary()).doesNotEndWith(".");
      for (SourceLine l : f.logLines()) {
        assertThat(l.file()).isEqualTo(name);
        assertThat(lines.get((int) l.line() - 1))
            .as(f.code() + " line " + l.line())
            .isEqualTo(l.text());
      }
    }
  }
}
