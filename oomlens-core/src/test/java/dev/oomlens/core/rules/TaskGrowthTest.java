package dev.oomlens.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.oomlens.core.model.OomReport;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TaskGrowthTest {

  @Test
  void of_twoKills_followsTheGrowerByPid() {
    Incident incident = RealInputs.evidence("kmsg/pod-limit-two-kills.kmsg").incidents().getFirst();
    TaskGrowth g = TaskGrowth.of(incident);
    assertThat(g.growers())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.comm()).isEqualTo("stress-hog");
              assertThat(t.samples()).hasSize(2);
              assertThat(t.growthBytes()).isEqualTo((12606 - 8414) * 4096L);
            });
    assertThat(g.tracks())
        .extracting(TaskGrowth.Track::comm)
        .containsExactly("idle-holder", "stress-hog");
  }

  @Test
  void of_restartedWorker_followedByComm() {
    OomReport first =
        new ReportBuilder("f", 1)
            .memcg("/a", "/a", 1, 1)
            .task(10, 1000, 0, 0, "worker")
            .task(11, 500, 0, 0, "app")
            .build();
    OomReport second =
        new ReportBuilder("f", 20)
            .memcg("/a", "/a", 1, 1)
            .task(12, 3000, 0, 0, "worker")
            .task(11, 500, 0, 0, "app")
            .build();
    TaskGrowth g =
        TaskGrowth.of(
            new Incident("i", Optional.empty(), Optional.of("/a"), List.of(first, second)));
    assertThat(g.tracks()).hasSize(2);
    assertThat(g.growers())
        .singleElement()
        .satisfies(t -> assertThat(t.growthBytes()).isEqualTo(2000 * 4096L));
  }

  @Test
  void of_twoNamesUnderOnePid_eachFollowedByItsName() {
    OomReport first =
        new ReportBuilder("f", 1)
            .memcg("/a", "/a", 1, 1)
            .task(10, 1000, 0, 0, "a")
            .task(10, 500, 0, 0, "b")
            .build();
    OomReport second =
        new ReportBuilder("f", 20)
            .memcg("/a", "/a", 1, 1)
            .task(10, 2000, 0, 0, "b")
            .task(10, 1000, 0, 0, "a")
            .build();
    // "a" restarted as pid 20: followed by its name, then by its new pid.
    OomReport third =
        new ReportBuilder("f", 40).memcg("/a", "/a", 1, 1).task(20, 1000, 0, 0, "a").build();
    OomReport fourth =
        new ReportBuilder("f", 60).memcg("/a", "/a", 1, 1).task(20, 5000, 0, 0, "a").build();
    TaskGrowth g =
        TaskGrowth.of(
            new Incident(
                "i", Optional.empty(), Optional.of("/a"), List.of(first, second, third, fourth)));
    assertThat(g.tracks())
        .extracting(TaskGrowth.Track::comm, t -> t.samples().size())
        .containsExactly(tuple("a", 4), tuple("b", 2));
    assertThat(g.tracks().get(1).growthBytes()).isEqualTo(1500 * 4096L);
    assertThat(g.growers())
        .singleElement()
        .satisfies(t -> assertThat(t.growthBytes()).isEqualTo(4000 * 4096L));
  }

  @Test
  void of_singleTable_hasNoGrowers() {
    Incident incident =
        RealInputs.evidence("kmsg/pod-limit-idle-victim.kmsg").incidents().getFirst();
    assertThat(TaskGrowth.of(incident).growers()).isEmpty();
  }

  @Test
  void of_growthUnderOneMiB_isNoise() {
    OomReport first =
        new ReportBuilder("f", 1).memcg("/a", "/a", 1, 1).task(10, 1000, 0, 0, "w").build();
    OomReport second =
        new ReportBuilder("f", 20).memcg("/a", "/a", 1, 1).task(10, 1200, 0, 0, "w").build();
    assertThat(
            TaskGrowth.of(
                    new Incident("i", Optional.empty(), Optional.of("/a"), List.of(first, second)))
                .growers())
        .isEmpty();
  }

  @Test
  void compare_idleVictim_triggerIsTheLargestTask() {
    OomReport r = RealInputs.first("kmsg/pod-limit-idle-victim.kmsg");
    TaskGrowth.Comparison c = TaskGrowth.compare(r);
    assertThat(c.triggerIsNotVictim()).isTrue();
    assertThat(c.trigger().orElseThrow().comm()).isEqualTo("grower");
    assertThat(c.largest()).isEqualTo(c.trigger());
    assertThat(c.victim().orElseThrow().comm()).isEqualTo("idle-holder");
  }
}
