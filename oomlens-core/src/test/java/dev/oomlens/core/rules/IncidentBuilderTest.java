package dev.oomlens.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.OomReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentBuilderTest {

  private static OomReport memcg(String file, long line, String cgroup, double at) {
    return new ReportBuilder(file, line)
        .at(at)
        .memcg(cgroup, cgroup, 100, 100)
        .victim(1, "x", 90, 0)
        .build();
  }

  private static OomReport untimed(String file, long line, String cgroup) {
    return new ReportBuilder(file, line).memcg(cgroup, cgroup, 100, 100).build();
  }

  @Test
  void group_sameCgroupWithinTenMinutes_isOneIncident() {
    List<Incident> incidents =
        IncidentBuilder.group(
            List.of(
                memcg("f", 1, "/a", 100),
                memcg("f", 10, "/a", 100 + 599),
                memcg("f", 20, "/a", 1298)));
    assertThat(incidents).hasSize(1);
    assertThat(incidents.getFirst().reports()).hasSize(3);
    assertThat(incidents.getFirst().id()).isEqualTo("-/a#1");
    assertThat(incidents.getFirst().cgroup()).hasValue("/a");
  }

  @Test
  void group_gapOverTenMinutes_startsANewIncident() {
    List<Incident> incidents =
        IncidentBuilder.group(List.of(memcg("f", 1, "/a", 100), memcg("f", 10, "/a", 100 + 601)));
    assertThat(incidents).extracting(Incident::id).containsExactly("-/a#1", "-/a#2");
  }

  @Test
  void group_otherCgroupOrHost_isAnotherIncident() {
    OomReport otherHost =
        new ReportBuilder("f", 30).host("h2").at(101).memcg("/a", "/a", 1, 1).build();
    List<Incident> incidents =
        IncidentBuilder.group(
            List.of(
                memcg("f", 1, "/a", 100),
                memcg("f", 10, "/b", 100.5),
                otherHost,
                memcg("f", 40, "/a", 102)));
    assertThat(incidents).extracting(Incident::id).containsExactly("-/a#1", "-/b#1", "h2/a#1");
    assertThat(incidents.getFirst().reports()).hasSize(2);
  }

  @Test
  void group_monotonicClockGoesBack_isAReboot() {
    List<Incident> incidents =
        IncidentBuilder.group(List.of(memcg("f", 1, "/a", 5000), memcg("f", 10, "/a", 30)));
    assertThat(incidents).hasSize(2);
  }

  @Test
  void group_unknownTimes_joinOnlyConsecutiveReportsOfOneInput() {
    List<Incident> incidents =
        IncidentBuilder.group(
            List.of(
                untimed("f", 1, "/a"),
                untimed("f", 10, "/a"),
                untimed("f", 20, "/b"),
                untimed("f", 30, "/a"),
                untimed("g", 1, "/a")));
    assertThat(incidents).extracting(i -> i.reports().size()).containsExactly(2, 1, 1, 1);
  }

  @Test
  void group_realTwoKills23msApart_isOneIncident() {
    EvidenceSet e = RealInputs.evidence("kmsg/pod-limit-two-kills.kmsg");
    assertThat(e.reports()).hasSize(2);
    assertThat(e.incidents()).hasSize(1);
    assertThat(e.incidents().getFirst().cgroup())
        .hasValue("/kubepods/burstable/pod2a7e3c51-9f04-4c6b-8d2e-5b1f0c9a7e42");
  }

  @Test
  void group_globalReports_keyedByHost() {
    EvidenceSet e = RealInputs.evidence("corpus/010-martins3-openeuler-5.10-host.log");
    assertThat(e.reports()).hasSize(2);
    assertThat(e.incidents())
        .singleElement()
        .satisfies(i -> assertThat(i.id()).isEqualTo("-/global#1"))
        .satisfies(i -> assertThat(i.cgroup()).isEmpty());
  }
}
