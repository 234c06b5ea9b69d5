package dev.oomlens.core.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.rules.EvidenceSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectionTest {
  /** Corpus 015: an AKS pod on cgroup v2, killed at Dec 13 07:23:21 (syslog, no year). */
  private static final OomReport AKS = read("015-jpaztech-aks-5.15-burstable-pod-cgv2.log");

  /** Corpus 004: a Docker container under systemd (docker-<id>.scope in system.slice). */
  private static final OomReport DOCKER = read("004-jasei-fedora-4.8-docker-systemd-memcg.log");

  private static OomReport read(String name) {
    EvidenceSet.Builder b = EvidenceSet.builder();
    try (InputStream in = SelectionTest.class.getResourceAsStream("/corpus/" + name);
        EvidenceSet.InputSink sink =
            b.read(name, dev.oomlens.core.model.Input.Kind.KERNEL_LOG, true)) {
      new KernelLogReader(new ReaderOptions(LocalDate.of(2026, 2, 3))).read(name, in, sink);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.build().reports().getFirst();
  }

  private static Selection window(String since, String until) {
    return new Selection(
        Optional.ofNullable(since).map(Instant::parse),
        Optional.ofNullable(until).map(Instant::parse),
        Optional.empty(),
        ZoneOffset.UTC,
        Optional.empty());
  }

  @Test
  void judge_localWallClock_isReadInTheGivenZone() {
    assertThat(window("2025-12-13T07:00:00Z", "2025-12-13T08:00:00Z").judge(AKS))
        .isEqualTo(Selection.Verdict.IN);
    assertThat(window("2025-12-13T07:30:00Z", null).judge(AKS)).isEqualTo(Selection.Verdict.OUT);
    Selection inTokyo =
        new Selection(
            Optional.of(Instant.parse("2025-12-12T22:00:00Z")),
            Optional.of(Instant.parse("2025-12-12T23:00:00Z")),
            Optional.empty(),
            ZoneId.of("Asia/Tokyo"),
            Optional.empty());
    assertThat(inTokyo.judge(AKS)).isEqualTo(Selection.Verdict.IN);
  }

  @Test
  void judge_timeSinceBootOnly_isPlacedByTheBootTimeOrUnplaced() {
    LogTime uptime = new LogTime(OptionalDouble.of(3600), Optional.empty(), false);
    Selection noBoot = window("2026-01-01T00:00:00Z", null);
    assertThat(noBoot.instant(uptime)).isEmpty();
    Selection booted =
        new Selection(
            Optional.of(Instant.parse("2026-01-01T00:30:00Z")),
            Optional.empty(),
            Optional.empty(),
            ZoneOffset.UTC,
            Optional.of(Instant.parse("2026-01-01T00:00:00Z")));
    assertThat(booted.instant(uptime)).contains(Instant.parse("2026-01-01T01:00:00Z"));
  }

  @Test
  void judge_noWindow_keepsWhatHasNoTime() {
    assertThat(Selection.ALL.judge(AKS)).isEqualTo(Selection.Verdict.IN);
    assertThat(Selection.ALL.all()).isTrue();
  }

  @Test
  void new_windowEndingBeforeItStarts_isRefused() {
    assertThatThrownBy(() -> window("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the window ends (2026-01-01T00:00:00Z) before it starts");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "479f327f-a27b-4eda-8523-90bdabcf0a27, true",
    "479f327f_a27b_4eda_8523_90bdabcf0a27, true",
    "479F327F-A27B-4EDA-8523-90BDABCF0A27, true",
    "00000000-a27b-4eda-8523-90bdabcf0a27, false",
    "679f9845995b, true",
    "679f98, true",
    "779f98, false",
    "stress-ng-vm, true",
    "stress-ng, false",
    "kubepods-burstable.slice, true",
    "kubepods-besteffort.slice, false",
    "/kubepods.slice, true",
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod479f327f_a27b_4eda_8523_"
        + "90bdabcf0a27.slice, true",
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod479f327f_a27b_4eda_8523_"
        + "90bdabcf0a27.slice/, true",
    "/kubepods, false",
    "cri-containerd-679f9845995b4ae4812789eb3c3d1df88040a1bc3f0c046a05c9aa9b5b5f93be.scope, true",
  })
  void workload_namesTheAksPodEveryWayPeopleDo(String name, boolean selected) {
    assertThat(WorkloadSelector.parse(name).matches(AKS)).isEqualTo(selected);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "1da1ac35179e, true",
    "docker-1da1ac35179e4a431244118025a4806f88ca172ffdba9e035076add06e912e6f.scope, true",
    "system.slice, true",
    "user.slice, false",
  })
  void workload_namesADockerContainerUnderSystemd(String name, boolean selected) {
    assertThat(WorkloadSelector.parse(name).matches(DOCKER)).isEqualTo(selected);
  }

  @Test
  void workload_blank_isRefusedWithWhatItTakes() {
    assertThatThrownBy(() -> WorkloadSelector.parse("  "))
        .hasMessageContaining("a pod UID, a container ID, a systemd unit");
  }
}
