package dev.oomlens.core.host.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.host.KeyedValues;
import org.junit.jupiter.api.Test;

class MeminfoParserTest {
  // The first lines of a 6.18 guest's /proc/meminfo, verbatim.
  private static final String MEMINFO_6_18 =
      """
      MemTotal:       24684096 kB
      MemFree:        15055776 kB
      MemAvailable:   21886232 kB
      Buffers:           18012 kB
      Cached:          6918344 kB
      SwapCached:            0 kB
      SwapTotal:             0 kB
      SwapFree:              0 kB
      Zswap:                 0 kB
      Shmem:              8788 kB
      VmallocTotal:   34359738367 kB
      HugePages_Total:       0
      HugePages_Free:        0
      Hugepagesize:       2048 kB
      """;

  @Test
  void parse_modernKernel_keepsKbValuesAndLines() throws ParseException {
    KeyedValues m = MeminfoParser.parse(MEMINFO_6_18, "/proc/meminfo");

    assertThat(m.get("MemTotal")).hasValue(24684096);
    assertThat(m.get("MemAvailable")).hasValue(21886232);
    assertThat(m.get("VmallocTotal")).hasValue(34359738367L);
    assertThat(m.get("HugePages_Total")).hasValue(0);
    assertThat(m.line("Cached").orElseThrow().line()).isEqualTo(5);
    assertThat(m.line("Cached").orElseThrow().text()).isEqualTo("Cached:          6918344 kB");
    assertThat(m.values().keySet()).startsWith("MemTotal", "MemFree", "MemAvailable");
  }

  @Test
  void parse_kernelBefore314_hasNoMemAvailable() throws ParseException {
    KeyedValues m =
        MeminfoParser.parse(
            """
        MemTotal:        4046872 kB
        MemFree:          142660 kB
        Buffers:           93416 kB
        Cached:          1620412 kB
        """,
            "meminfo");

    assertThat(m.get("MemAvailable")).isEmpty();
    assertThat(m.get("MemFree")).hasValue(142660);
  }

  @Test
  void parse_withoutMemTotal_throwsForTheFile() {
    assertThatThrownBy(() -> MeminfoParser.parse("MemFree: 1 kB\n", "m"))
        .isInstanceOfSatisfying(
            ParseException.class,
            e -> {
              assertThat(e.line()).isZero();
              assertThat(e.reason()).contains("MemTotal");
            });
  }

  @Test
  void parse_malformedValue_namesTheLine() {
    assertThatThrownBy(() -> MeminfoParser.parse("MemTotal: 10 kB\nMemFree: lots kB\n", "m"))
        .isInstanceOfSatisfying(
            ParseException.class,
            e -> {
              assertThat(e.path()).isEqualTo("m");
              assertThat(e.line()).isEqualTo(2);
            });
  }

  @Test
  void parse_unknownUnit_isRejected() {
    assertThatThrownBy(() -> MeminfoParser.parse("MemTotal: 10 MB\n", "m"))
        .isInstanceOf(ParseException.class);
  }
}
