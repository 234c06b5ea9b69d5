package dev.oomlens.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.finding.Confidence;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Severity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleEngineTest {

  private static Analyzer fixed(String code, Severity severity) {
    return new Analyzer() {
      @Override
      public RuleInfo info() {
        return RuleInfo.of(code, "test rule", severity, RuleInfo.Scope.WORKLOAD);
      }

      @Override
      public List<Finding> analyze(EvidenceSet evidence) {
        return List.of(
            new Finding(code, severity, Confidence.HIGH, code, "because", List.of(), List.of()));
      }
    };
  }

  private static final Analyzer BROKEN =
      new Analyzer() {
        @Override
        public RuleInfo info() {
          return RuleInfo.of("BROKEN-RULE", "throws", Severity.HIGH, RuleInfo.Scope.WORKLOAD);
        }

        @Override
        public List<Finding> analyze(EvidenceSet evidence) {
          throw new IllegalStateException("boom");
        }
      };

  private static EvidenceSet empty() {
    return EvidenceSet.builder().reports(List.of()).allocFailures(List.of()).build();
  }

  @Test
  void run_sortsBySeverityThenCode() {
    List<Finding> out =
        new RuleEngine(
                List.of(
                    fixed("B-RULE", Severity.LOW),
                    fixed("C-RULE", Severity.CRITICAL),
                    fixed("A-RULE", Severity.LOW)))
            .run(empty());
    assertThat(out).extracting(Finding::code).containsExactly("C-RULE", "A-RULE", "B-RULE");
  }

  @Test
  void run_throwingAnalyzer_becomesEngineErrorAndOthersStillRun() {
    List<Finding> out = new RuleEngine(List.of(BROKEN, fixed("A-RULE", Severity.LOW))).run(empty());
    assertThat(out).extracting(Finding::code).containsExactly("A-RULE", "ENGINE-ERROR");
    Finding error = out.getLast();
    assertThat(error.severity()).isEqualTo(Severity.INFO);
    assertThat(error.summary()).contains("BROKEN-RULE");
    assertThat(error.reasoning()).contains("IllegalStateException: boom");
  }

  @Test
  void registry_isSortedAndCodesAreUnique() {
    List<Analyzer> all = RuleRegistry.all();
    List<String> names = all.stream().map(a -> a.getClass().getSimpleName()).toList();
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);
    assertThat(names).isEqualTo(sorted);
    assertThat(all.stream().map(a -> a.info().code()).distinct().count()).isEqualTo(all.size());
  }

  @Test
  void registry_everyCodeHasItsDocPage() {
    for (Analyzer a : RuleRegistry.all()) {
      assertThat(java.nio.file.Path.of("..").resolve(a.info().docPath()))
          .as(a.info().code())
          .isRegularFile();
    }
  }
}
