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

  @Test
  void aRepeatedValueIsOneInstanceAndEmptyStaysEmpty() {
    java.util.OptionalLong a = java.util.OptionalLong.of(9007199254740988L * 1024);
    java.util.OptionalLong b = java.util.OptionalLong.of(9007199254740988L * 1024);
    assertThat(Names.constant(a)).isSameAs(Names.constant(b)).isEqualTo(b);
    assertThat(Names.constant(java.util.OptionalLong.empty())).isEmpty();
    java.util.Optional<String> k1 = java.util.Optional.of(new String("4.15.0-46-generic"));
    java.util.Optional<String> k2 = java.util.Optional.of(new String("4.15.0-46-generic"));
    assertThat(Names.constant(k1)).isSameAs(Names.constant(k2)).isEqualTo(k2);
    assertThat(Names.constant(k2).get()).isSameAs(Names.of(new String("4.15.0-46-generic")));
    assertThat(Names.constant(java.util.Optional.of(OomScope.values()[0])))
        .isSameAs(Names.constant(java.util.Optional.of(OomScope.values()[0])));
    assertThat(Names.constant(java.util.Optional.empty())).isEmpty();
  }
}
