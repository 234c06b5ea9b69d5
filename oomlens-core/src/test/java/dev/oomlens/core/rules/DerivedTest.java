package dev.oomlens.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.OomReport;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DerivedTest {
  private static OomReport memcg(long line, String cgroup, double at) {
    return new ReportBuilder("f", line)
        .at(at)
        .memcg(cgroup, cgroup, 100, 100)
        .victim(1, "x", 90, 0)
        .build();
  }

  private static EvidenceSet evidence(OomReport... reports) {
    return EvidenceSet.builder().reports(List.of(reports)).build();
  }

  @Test
  void get_manyCallsOnOneSet_computesOnce() {
    AtomicInteger calls = new AtomicInteger();
    Derived<Integer> size =
        Derived.of(
            e -> {
              calls.incrementAndGet();
              return e.reports().size();
            });
    EvidenceSet e = evidence(memcg(1, "/a", 100), memcg(10, "/b", 200));

    for (int i = 0; i < 1000; i++) {
      assertThat(size.get(e)).isEqualTo(2);
    }
    assertThat(calls).hasValue(1);
  }

  @Test
  void get_returnsTheSameObjectEveryTime() {
    Derived<List<String>> ids = Derived.of(e -> e.incidents().stream().map(Incident::id).toList());
    EvidenceSet e = evidence(memcg(1, "/a", 100));

    assertThat(ids.get(e)).isSameAs(ids.get(e)).containsExactly("-/a#1");
  }

  @Test
  void get_otherSet_computedForIt() {
    AtomicInteger calls = new AtomicInteger();
    Derived<Integer> size =
        Derived.of(
            e -> {
              calls.incrementAndGet();
              return e.reports().size();
            });
    EvidenceSet one = evidence(memcg(1, "/a", 100));
    EvidenceSet two = evidence(memcg(1, "/a", 100), memcg(10, "/a", 200));

    assertThat(size.get(one)).isEqualTo(1);
    assertThat(size.get(two)).isEqualTo(2);
    assertThat(size.get(one)).isEqualTo(1);
    assertThat(calls).hasValue(2);
  }

  @Test
  void get_twoKeysWithOneFunction_areTwoValues() {
    AtomicInteger calls = new AtomicInteger();
    Derived<Integer> a = Derived.of(e -> calls.incrementAndGet());
    Derived<Integer> b = Derived.of(e -> calls.incrementAndGet());
    EvidenceSet e = evidence();

    assertThat(a.get(e)).isEqualTo(1);
    assertThat(b.get(e)).isEqualTo(2);
    assertThat(a.get(e)).isEqualTo(1);
  }

  @Test
  void get_valueDerivedFromAnother_computesEachOnce() {
    AtomicInteger calls = new AtomicInteger();
    Derived<Integer> base =
        Derived.of(
            e -> {
              calls.incrementAndGet();
              return e.reports().size();
            });
    Derived<Integer> twice = Derived.of(e -> 2 * base.get(e));
    EvidenceSet e = evidence(memcg(1, "/a", 100));

    assertThat(twice.get(e)).isEqualTo(2);
    assertThat(base.get(e)).isEqualTo(1);
    assertThat(twice.get(e)).isEqualTo(2);
    assertThat(calls).hasValue(1);
  }

  @Test
  void get_memoIsNotPartOfEquality() {
    Derived<Integer> size = Derived.of(e -> e.reports().size());
    OomReport r = memcg(1, "/a", 100);
    EvidenceSet asked = evidence(r);
    EvidenceSet notAsked = evidence(r);

    size.get(asked);

    assertThat(asked).isEqualTo(notAsked).hasSameHashCodeAs(notAsked);
  }

  @Test
  void incidentOf_findsEachReportsIncident() {
    OomReport a1 = memcg(1, "/a", 100);
    OomReport b1 = memcg(10, "/b", 101);
    OomReport a2 = memcg(20, "/a", 102);
    EvidenceSet e = evidence(a1, b1, a2);

    assertThat(e.incidentOf(a1)).map(Incident::id).hasValue("-/a#1");
    assertThat(e.incidentOf(a2)).map(Incident::id).hasValue("-/a#1");
    assertThat(e.incidentOf(b1)).map(Incident::id).hasValue("-/b#1");
  }

  @Test
  void incidentOf_equalReportNotInTheSet_isEmpty() {
    EvidenceSet e = evidence(memcg(1, "/a", 100));
    OomReport equal = memcg(1, "/a", 100);

    assertThat(equal).isEqualTo(e.reports().getFirst());
    assertThat(e.incidentOf(equal)).isEmpty();
  }
}
