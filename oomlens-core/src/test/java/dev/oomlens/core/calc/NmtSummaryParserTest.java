package dev.oomlens.core.calc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oomlens.core.calc.NmtSummaryParser.Region;
import dev.oomlens.core.calc.NmtSummaryParser.Summary;
import dev.oomlens.core.host.parse.ParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NmtSummaryParserTest {
  private static final long KB = 1024;

  static String resource(String name) throws IOException {
    try (InputStream in = NmtSummaryParserTest.class.getResourceAsStream("/nmt/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void parse_jdk17Summary_readsTotalCategoriesThreadsAndClasses() throws Exception {
    Summary s = NmtSummaryParser.parse(resource("jdk17-spring-boot.txt"), "nmt.txt");

    assertThat(s.total().reservedBytes()).isEqualTo(2120223 * KB);
    assertThat(s.total().committedBytes()).isEqualTo(813751 * KB);
    assertThat(s.total().source().line()).isEqualTo(5);
    assertThat(s.regions())
        .extracting(Region::name)
        .containsExactly(
            "Java Heap",
            "Class",
            "Thread",
            "Code",
            "GC",
            "Compiler",
            "Internal",
            "Other",
            "Symbol",
            "Native Memory Tracking",
            "Shared class space",
            "Arena Chunk",
            "Logging",
            "Arguments",
            "Module",
            "Safepoint",
            "Synchronization");
    assertThat(s.region("java heap").orElseThrow().committedBytes()).isEqualTo(524288 * KB);
    assertThat(s.region("Thread").orElseThrow().reservedBytes()).isEqualTo(65890 * KB);
    assertThat(s.region("Code").orElseThrow().source().text())
        .isEqualTo("-                      Code (reserved=254013KB, committed=47653KB)");
    assertThat(s.threads()).hasValue(64);
    assertThat(s.loadedClasses()).hasValue(16342);
    // The categories add up to the total, as in HotSpot's own report.
    assertThat(s.regions().stream().mapToLong(Region::committedBytes).sum())
        .isEqualTo(s.total().committedBytes());
    assertThat(s.offHeapCommittedBytes()).isEqualTo((813751 - 524288) * KB);
    assertThat(s.largestOffHeap().orElseThrow().name()).isEqualTo("Other");
  }

  @Test
  void parse_jdk21Summary_readsThreadsPluralAndIgnoresPeaksAndMallocTotals() throws Exception {
    Summary s = NmtSummaryParser.parse(resource("jdk21-netty.txt"), "nmt21.txt");

    assertThat(s.total().committedBytes()).isEqualTo(815018 * KB);
    assertThat(s.threads()).hasValue(64);
    assertThat(s.loadedClasses()).hasValue(16342);
    assertThat(s.region("GCCardSet").orElseThrow().committedBytes()).isEqualTo(1210 * KB);
    assertThat(s.region("Object Monitors")).isPresent();
    assertThat(s.region("Logging")).isEmpty();
    assertThat(s.regions())
        .noneMatch(r -> r.name().startsWith("malloc") || r.name().startsWith("mmap"));
  }

  @Test
  void parse_scaleMb_convertsToBytes() throws Exception {
    String text =
        """
        Native Memory Tracking:

        Total: reserved=5616MB, committed=350MB
        -                 Java Heap (reserved=4096MB, committed=258MB)
        -                     Class (reserved=1024MB, committed=1MB)
                                    (classes #2831)
        -                    Thread (reserved=36MB, committed=0MB)
                                    (threads #18)
        """;
    Summary s = NmtSummaryParser.parse(text, "scale-mb.txt");
    assertThat(s.total().reservedBytes()).isEqualTo(5616L * 1024 * 1024);
    assertThat(s.region("Java Heap").orElseThrow().committedBytes()).isEqualTo(258L << 20);
    assertThat(s.threads()).hasValue(18);
    assertThat(s.loadedClasses()).hasValue(2831);
    assertThat(s.largestOffHeap().orElseThrow().name()).isEqualTo("Class");
  }

  @Test
  void parse_summaryDiff_readsCurrentValuesNotDeltas() throws Exception {
    String text =
        """
        Total: reserved=1470626KB +1024KB, committed=170826KB +2048KB
        -                     Class (reserved=1048853KB +512KB, committed=5909KB +512KB)
        """;
    Summary s = NmtSummaryParser.parse(text, "diff.txt");
    assertThat(s.total().committedBytes()).isEqualTo(170826 * KB);
    assertThat(s.region("Class").orElseThrow().reservedBytes()).isEqualTo(1048853 * KB);
  }

  @Test
  void parse_nmtOff_failsNamingTheFlag() {
    assertThatThrownBy(
            () ->
                NmtSummaryParser.parse("4177:\nNative memory tracking is not enabled\n", "off.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("off.txt:2")
        .hasMessageContaining("-XX:NativeMemoryTracking=summary");
  }

  @Test
  void parse_noTotal_fails() {
    assertThatThrownBy(() -> NmtSummaryParser.parse("hello\n", "x.txt"))
        .isInstanceOf(ParseException.class)
        .satisfies(e -> assertThat(((ParseException) e).line()).isZero())
        .hasMessageContaining("no 'Total:");
  }

  @Test
  void parse_categoryWithoutSizes_failsAtItsLine() {
    String text = "Total: reserved=10KB, committed=5KB\n-    Code (malloc=36KB #396)\n";
    assertThatThrownBy(() -> NmtSummaryParser.parse(text, "bad.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageStartingWith("bad.txt:2: expected 'reserved=<size>, committed=<size>' for Code");
  }

  @Test
  void parse_hugeNumber_isAProblemNotACrash() {
    String text = "Total: reserved=99999999999999999999KB, committed=1KB\n";
    assertThatThrownBy(() -> NmtSummaryParser.parse(text, "big.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("out of range");
  }

  /** Cut anywhere, a summary parses or fails with ParseException; nothing else escapes. */
  @Test
  void parse_truncatedOrDamaged_onlyParseException() throws Exception {
    String whole = resource("jdk21-netty.txt");
    Random random = new Random(42);
    for (int i = 0; i < 500; i++) {
      StringBuilder s = new StringBuilder(whole.substring(0, random.nextInt(whole.length())));
      if (s.length() > 0 && random.nextBoolean()) {
        s.setCharAt(random.nextInt(s.length()), (char) random.nextInt(0x3000));
      }
      try {
        Summary parsed = NmtSummaryParser.parse(s.toString(), "cut.txt");
        assertThat(parsed.total().committedBytes()).isNotNegative();
      } catch (ParseException expected) {
        assertThat(expected.path()).isEqualTo("cut.txt");
      }
    }
  }
}
