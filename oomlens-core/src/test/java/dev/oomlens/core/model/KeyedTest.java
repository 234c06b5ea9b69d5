package dev.oomlens.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyedTest {
  @Test
  void countersAreTheMapTheyWereMadeFromInKeyOrder() {
    Map<String, Long> in = new LinkedHashMap<>();
    in.put("rss", 126517248L);
    in.put("cache", 0L);
    in.put("pgfault", -1L);
    in.put("active_anon", Long.MAX_VALUE);
    Map<String, Long> out = Keyed.ofLongs(in);
    assertThat(out).isEqualTo(in).isEqualTo(Map.copyOf(in)).hasSameHashCodeAs(in);
    assertThat(Map.copyOf(in)).isEqualTo(out);
    assertThat(List.copyOf(out.keySet())).containsExactly("active_anon", "cache", "pgfault", "rss");
    assertThat(out.get("rss")).isEqualTo(126517248L);
    assertThat(out.get("swap")).isNull();
    assertThat(out.containsKey("zzz")).isFalse();
    assertThat(out.containsKey("cache")).isTrue();
    assertThat(out.getOrDefault("swap", 7L)).isEqualTo(7L);
    assertThat(Keyed.ofLongs(out)).isSameAs(out);
    assertThat(Keyed.ofLongs(Map.of())).isEmpty();
    assertThatThrownBy(() -> out.put("x", 1L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mapsWithTheSameKeysShareThemAndKeepTheirOwnValues() {
    SourceLine a = new SourceLine("k.log", 1, "a");
    SourceLine b = new SourceLine("k.log", 2, "b");
    Map<String, SourceLine> first = Keyed.of(new HashMap<>(Map.of("x", a, "y", b)));
    Map<String, SourceLine> second = Keyed.of(Map.of("y", a, "x", b));
    assertThat(List.copyOf(first.entrySet())).containsExactly(Map.entry("x", a), Map.entry("y", b));
    assertThat(second.get("x")).isSameAs(b);
    assertThat(List.copyOf(first.keySet()).get(1)).isSameAs(List.copyOf(second.keySet()).get(1));
  }

  @Test
  void nullKeysAndValuesAreRefused() {
    Map<String, Long> nullValue = new HashMap<>();
    nullValue.put("x", null);
    assertThatThrownBy(() -> Keyed.ofLongs(nullValue)).isInstanceOf(NullPointerException.class);
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "v");
    assertThatThrownBy(() -> Keyed.of(nullKey)).isInstanceOf(NullPointerException.class);
  }
}
