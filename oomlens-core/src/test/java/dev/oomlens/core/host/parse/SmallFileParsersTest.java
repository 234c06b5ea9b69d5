package dev.oomlens.core.host.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.ZramDevice;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** vmstat, PSI, swaps and zram: each parser with the real file's text. */
class SmallFileParsersTest {

  @Test
  void vmstat_parse_readsCountersIncludingOomKill() throws ParseException {
    KeyedValues v =
        VmstatParser.parse(
            """
        nr_free_pages 1122203
        pswpin 0
        pswpout 0
        workingset_refault_anon 0
        workingset_refault_file 1812
        oom_kill 2
        """,
            "/proc/vmstat");

    assertThat(v.get("oom_kill")).hasValue(2);
    assertThat(v.get("workingset_refault_file")).hasValue(1812);
    assertThat(v.line("oom_kill").orElseThrow().line()).isEqualTo(6);
  }

  @Test
  void vmstat_parse_driftedPerCpuCounterKeepsItsSign() throws ParseException {
    assertThat(VmstatParser.parse("nr_mlock 18446744073709551615\n", "v").get("nr_mlock"))
        .hasValue(-1);
  }

  @Test
  void vmstat_parse_emptyOrThreeFields_throws() {
    assertThatThrownBy(() -> VmstatParser.parse("", "v")).isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> VmstatParser.parse("a 1 2\n", "v"))
        .isInstanceOfSatisfying(ParseException.class, e -> assertThat(e.line()).isEqualTo(1));
  }

  @Test
  void pressure_parse_someAndFull() throws ParseException {
    PressureStall p =
        PressureParser.parse(
            """
        some avg10=38.21 avg60=22.47 avg300=7.90 total=112098233
        full avg10=30.02 avg60=17.11 avg300=5.83 total=90012344
        """,
            "/proc/pressure/memory");

    assertThat(p.some().avg10()).isEqualTo(38.21);
    assertThat(p.some().avg300()).isEqualTo(7.90);
    assertThat(p.some().totalMicros()).isEqualTo(112098233L);
    assertThat(p.full()).get().extracting(PressureStall.Line::avg60).isEqualTo(17.11);
    assertThat(p.full().orElseThrow().source().line()).isEqualTo(2);
  }

  @Test
  void pressure_parse_someOnly_fullIsEmpty() throws ParseException {
    PressureStall p =
        PressureParser.parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=153302\n", "cpu");
    assertThat(p.full()).isEmpty();
  }

  @Test
  void pressure_parse_missingField_throws() {
    assertThatThrownBy(() -> PressureParser.parse("some avg10=0.00 avg60=0.00 total=1\n", "p"))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> PressureParser.parse("", "p")).isInstanceOf(ParseException.class);
    assertThatThrownBy(
            () -> PressureParser.parse("some avg10=NaN avg60=0.00 avg300=0.00 total=1\n", "p"))
        .isInstanceOf(ParseException.class);
  }

  @Test
  void swaps_parse_zramAndFileWithEscapedSpace() throws ParseException {
    List<SwapDevice> s =
        SwapsParser.parse(
            """
        Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
        /dev/zram0                              partition\t2009084\t\t812344\t\t100
        /swap\\040file                             file\t\t1048572\t\t0\t\t-2
        """,
            "/proc/swaps");

    assertThat(s).hasSize(2);
    assertThat(s.get(0).isZram()).isTrue();
    assertThat(s.get(0).usedKb()).isEqualTo(812344);
    assertThat(s.get(0).priority()).isEqualTo(100);
    assertThat(s.get(1).filename()).isEqualTo("/swap file");
    assertThat(s.get(1).priority()).isEqualTo(-2);
    assertThat(s.get(1).source().line()).isEqualTo(3);
  }

  @Test
  void swaps_parse_headerOnly_isEmpty() throws ParseException {
    assertThat(SwapsParser.parse("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", "s"))
        .isEmpty();
  }

  @Test
  void swaps_parse_rowWithoutHeaderOrShort_throws() {
    assertThatThrownBy(() -> SwapsParser.parse("/dev/sda2 partition 1 0 -2\n", "s"))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> SwapsParser.parse("Filename Type\n/dev/sda2 partition 1\n", "s"))
        .isInstanceOfSatisfying(ParseException.class, e -> assertThat(e.line()).isEqualTo(2));
  }

  @Test
  void zram_parse_bracketedAlgorithmDisksizeAndMmStat() throws ParseException {
    assertThat(ZramParser.parseAlgorithm("lzo [lzo-rle] lz4 \n", "a")).contains("lzo-rle");
    assertThat(ZramParser.parseAlgorithm("lzo lzo-rle lz4 lz4hc 842 [zstd] \n", "a"))
        .contains("zstd");
    assertThat(ZramParser.parseDiskSize("2057302016\n", "d")).isEqualTo(2057302016L);
    ZramParser.MmStat mm =
        ZramParser.parseMmStat(
            " 831840256 205627392 212897792        0 250036224    12345        0     3456        0\n",
            "/sys/block/zram0/mm_stat");
    assertThat(mm.origDataBytes()).isEqualTo(831840256L);
    assertThat(mm.comprDataBytes()).isEqualTo(205627392L);
    assertThat(mm.memUsedTotalBytes()).isEqualTo(212897792L);
    assertThat(mm.memLimitBytes()).isZero();
    assertThat(mm.memUsedMaxBytes()).isEqualTo(250036224L);

    ZramDevice d =
        ZramParser.device("zram0", 2057302016L, Optional.of("zstd"), Optional.of(mm), mm.source());
    assertThat(d.comprDataBytes()).hasValue(205627392L);
    assertThat(d.source().file()).isEqualTo("/sys/block/zram0/mm_stat");
  }

  @Test
  void zram_parse_malformed_throws() {
    assertThatThrownBy(() -> ZramParser.parseAlgorithm("lzo lz4\n", "a"))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> ZramParser.parseMmStat("1 2 3\n", "m"))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> ZramParser.parseDiskSize("", "d")).isInstanceOf(ParseException.class);
  }
}
