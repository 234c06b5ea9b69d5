package dev.oomlens.core.host.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.oomlens.core.kernel.KillerLogParser;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Problem;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Any input either parses or throws ParseException; nothing else escapes a parser. */
class HostParsersPropertyTest {
  private interface Parse {
    void run(String text) throws ParseException;
  }

  private static final List<Parse> PARSERS =
      List.of(
          t -> MeminfoParser.parse(t, "p"),
          t -> VmstatParser.parse(t, "p"),
          t -> PressureParser.parse(t, "p"),
          t -> SwapsParser.parse(t, "p"),
          t -> ZramParser.parseDiskSize(t, "p"),
          t -> ZramParser.parseAlgorithm(t, "p"),
          t -> ZramParser.parseMmStat(t, "p"),
          t -> CgroupV2MemoryParser.parseLimit(t, "p"),
          t -> CgroupV2MemoryParser.parseBytes(t, "p"),
          t -> CgroupV2MemoryParser.parseStat(t, "p"),
          t -> CgroupV2MemoryParser.parseEvents(t, "p"),
          t -> CgroupV2MemoryParser.parseOomGroup(t, "p"),
          t -> CgroupV1MemoryParser.parseLimit(t, "p"),
          t -> CgroupV1MemoryParser.parseNumber(t, "p"),
          t -> CgroupV1MemoryParser.parseStat(t, "p"),
          t -> CgroupV1MemoryParser.parseOomControl(t, "p"));

  /** Text made of the pieces these files are made of, so parsers get past their first checks. */
  private static Gen<String> kernelishText() {
    Gen<String> token =
        integers()
            .between(0, 24)
            .map(
                i ->
                    List.of(
                            "MemTotal:",
                            "MemFree:",
                            " kB",
                            "some",
                            "full",
                            "avg10=",
                            "avg60=",
                            "avg300=",
                            "total=",
                            "0.00",
                            "12.5",
                            "123",
                            "-1",
                            "18446744073709551616",
                            "max",
                            "Filename",
                            "partition",
                            "/dev/zram0",
                            "[zstd]",
                            "lzo",
                            "\t",
                            " ",
                            "\n",
                            ":",
                            "=")
                        .get(i));
    return lists().of(token).ofSizeBetween(0, 40).map(parts -> String.join("", parts));
  }

  private static void check(String text) {
    for (Parse p : PARSERS) {
      try {
        p.run(text);
      } catch (ParseException expected) {
        assertThat(expected.line()).isNotNegative();
      }
    }
  }

  @Test
  void parsers_anyString_parseOrThrowParseException() {
    qt().withExamples(300)
        .forAll(strings().allPossible().ofLengthBetween(0, 200))
        .checkAssert(HostParsersPropertyTest::check);
  }

  @Test
  void parsers_kernelLikeText_parseOrThrowParseException() {
    qt().withExamples(1000).forAll(kernelishText()).checkAssert(HostParsersPropertyTest::check);
  }

  @Test
  void cgroupParsers_anyFileContents_neverThrow() {
    qt().withExamples(200)
        .forAll(kernelishText(), strings().allPossible().ofLengthBetween(0, 60))
        .checkAssert(
            (a, b) -> {
              Map<String, String> files =
                  Map.of(
                      "memory.max",
                      a,
                      "memory.current",
                      b,
                      "memory.events",
                      a,
                      "memory.stat",
                      b,
                      "memory.pressure",
                      a,
                      "memory.oom.group",
                      b,
                      "memory.limit_in_bytes",
                      a,
                      "memory.oom_control",
                      b);
              List<Problem> problems = new ArrayList<>();
              CgroupV2MemoryParser.parse(new CgroupFiles("/x", "/d", files), problems);
              CgroupV1MemoryParser.parse(new CgroupFiles("/x", "/d", files), problems);
            });
  }

  @Test
  void killerLogParser_anyText_neverThrows() {
    ReaderOptions options = new ReaderOptions(LocalDate.of(2026, 1, 1));
    Gen<String> line =
        integers()
            .between(0, 9)
            .map(
                i ->
                    List.of(
                            "sending SIGKILL to process 99999999999999999999 uid 1 \"x\": VmRSS 999999999999999 MiB",
                            "Sending SIGKILL to the victim",
                            "  PID: 1, Name: a, badness: 1",
                            "escalating to SIGKILL after 1.0 seconds",
                            "kill failed: x",
                            "a.service: Main process exited, code=killed, status=9/KILL",
                            "\"Eviction manager: pods evicted, waiting for pod to be cleaned up\" pods=[",
                            "Killed / due to memory pressure",
                            "The node was low on resource: ",
                            "Dec 17 10:04:41 h t[1]: ")
                        .get(i));
    qt().withExamples(500)
        .forAll(
            lists().of(line).ofSizeBetween(0, 12), strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(
            (lines, noise) ->
                KillerLogParser.parse(String.join("\n", lines) + noise, "f", options));
  }
}
