package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.oomlens.core.model.Framing;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.SourceLine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tests of {@link LineFramer} on one file that mixes every framing (see framing/SOURCE.md). */
class LineFramerMixedFileTest {

  private static List<LogLine> frameResource(String name) throws IOException {
    String text;
    try (InputStream in = LineFramerMixedFileTest.class.getResourceAsStream(name)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    LineFramer framer = new LineFramer(new ReaderOptions(LocalDate.of(2024, 12, 31)));
    List<LogLine> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      framer.frame(new SourceLine(name, i + 1, lines[i]), out::add);
    }
    return out;
  }

  @Test
  void frame_mixedFile_detectsEachLinesFraming() throws IOException {
    List<LogLine> lines = frameResource("/framing/mixed.log");

    assertThat(lines)
        .extracting(l -> l.source().line(), LogLine::framing, LogLine::continuation)
        .containsExactly(
            tuple(1L, Framing.DMESG, false),
            tuple(2L, Framing.DMESG, false),
            tuple(3L, Framing.DMESG, true),
            tuple(4L, Framing.SYSLOG, false),
            tuple(5L, Framing.KMSG, false),
            tuple(6L, Framing.KMSG, false),
            tuple(10L, Framing.DMESG_T, false),
            tuple(11L, Framing.BARE, false),
            tuple(12L, Framing.BARE, false),
            tuple(12L, Framing.BARE, true),
            tuple(12L, Framing.BARE, true),
            tuple(12L, Framing.BARE, true),
            tuple(12L, Framing.BARE, true),
            tuple(12L, Framing.BARE, true),
            tuple(13L, Framing.SYSLOG, false),
            tuple(14L, Framing.SYSLOG, false),
            tuple(15L, Framing.BARE, false),
            tuple(16L, Framing.BARE, false),
            tuple(17L, Framing.DMESG, false),
            tuple(18L, Framing.SYSLOG_ISO, false),
            tuple(19L, Framing.JOURNAL_MONOTONIC, false),
            tuple(20L, Framing.RFC5424, false));
  }

  @Test
  void frame_mixedFile_carriesTimeAndHostOfEachFraming() throws IOException {
    List<LogLine> lines = frameResource("/framing/mixed.log");

    assertThat(lines)
        .extracting(
            l -> l.source().line(),
            LogLine::host,
            l -> l.time().monotonicSeconds().orElse(-1),
            l -> l.time().wallclock().orElse(""))
        .contains(
            tuple(3L, Optional.empty(), 130.783726, ""),
            tuple(4L, Optional.of("fanatica"), -1.0, "2024-12-17T00:34:31"),
            tuple(5L, Optional.empty(), 453.931144, ""),
            tuple(10L, Optional.empty(), -1.0, "2019-04-27T22:56:09"),
            tuple(11L, Optional.empty(), -1.0, ""),
            tuple(
                13L,
                Optional.of("aks-ubuntu-26835060-vmss000000"),
                36370.036951,
                "2024-12-13T07:23:21"),
            tuple(18L, Optional.of("host"), -1.0, "2024-05-09T14:52:38+00:00"),
            tuple(19L, Optional.of("host"), 3981.080995, ""));
  }

  @Test
  void frame_mixedFile_takesFramingOffMessages() throws IOException {
    List<LogLine> lines = frameResource("/framing/mixed.log");

    assertThat(lines)
        .filteredOn(l -> l.source().line() == 3 || l.source().line() == 16)
        .extracting(LogLine::message)
        .containsExactly(
            "active_file:28 inactive_file:59 isolated_file:0",
            "runc:[2:INIT] invoked oom-killer: gfp_mask=0x500cc2(GFP_HIGHUSER|__GFP_ACCOUNT), "
                + "order=0, oom_score_adj=0");
    assertThat(lines)
        .filteredOn(l -> l.message().contains("Killed process"))
        .extracting(LogLine::message)
        .containsExactly(
            "Killed process 12906 (stress) total-vm:2104620kB, anon-rss:956008kB, file-rss:0kB, "
                + "shmem-rss:0kB",
            "Killed process 32308 (stress) total-vm:110644kB, anon-rss:99620kB, file-rss:192kB, "
                + "shmem-rss:0kB",
            "Out of memory: Killed process 3921 (uvicorn) total-vm:9008816kB",
            "Out of memory: Killed process 5515 (a.out)",
            "Out of memory: Killed process 5515 (a.out)");
  }
}
