package dev.oomlens.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void equalNamesShareOneInstance() {
    String a = new String("inactive_anon_for_names_test");
    String b = new String("inactive_anon_for_names_test");
    assertThat(Names.of(a)).isSameAs(Names.of(b)).isEqualTo(a);
  }

  @Test
  void aNullNameIsRefused() {
    assertThatThrownBy(() -> Names.of(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aRecentPathIsSharedWithinAReport() {
    String a = new String("/kubepods/burstable/pod-for-names-test");
    Workload w =
        new Workload(
            Workload.Kind.POD,
            java.util.Optional.of(a),
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            false);
    MemcgState.StatBlock block =
        new MemcgState.StatBlock(
            new String(a), java.util.Map.of(), java.util.Map.of(), new SourceLine("k.log", 1, "x"));
    assertThat(block.cgroup()).isSameAs(w.cgroup().get());
  }
}
