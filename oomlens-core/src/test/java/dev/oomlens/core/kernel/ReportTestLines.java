package dev.oomlens.core.kernel;

import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Framing;
import dev.oomlens.core.model.LogLine;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test support: turns a text block into {@link LogLine}s with {@link Framing#BARE} framing, and
 * runs an assembler over them the way the reader does (only oom/ill/failure lines while no report
 * is open).
 *
 * <p>{@link #unframed} strips the dmesg, dmesg -T and syslog prefixes and splits rsyslog {@code
 * #012} escapes, so that corpus files can be fed as bare messages; the real framing is the framer's
 * job and is not tested here.
 */
final class ReportTestLines {
  private static final Pattern DMESG = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)\\] ?");
  private static final Pattern DMESG_T =
      Pattern.compile("^\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\] ");
  private static final Pattern SYSLOG =
      Pattern.compile("^[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S* ?kernel: ");

  private ReportTestLines() {}

  /** One BARE line per physical line, message = text. */
  static List<LogLine> bare(String file, String text) {
    List<LogLine> out = new ArrayList<>();
    String[] physical = text.split("\n", -1);
    for (int i = 0; i < physical.length; i++) {
      if (i == physical.length - 1 && physical[i].isEmpty()) {
        break;
      }
      SourceLine source = new SourceLine(file, i + 1, physical[i]);
      out.add(line(source, Optional.empty(), LogTime.UNKNOWN, physical[i]));
    }
    return out;
  }

  /**
   * Corpus text with its framing stripped, as BARE lines with the dmesg time when there was one.
   */
  static List<LogLine> unframed(String file, String text) {
    List<LogLine> out = new ArrayList<>();
    String[] physical = text.split("\n", -1);
    for (int i = 0; i < physical.length; i++) {
      if (i == physical.length - 1 && physical[i].isEmpty()) {
        break;
      }
      String raw = physical[i];
      String m = raw;
      Matcher sys = SYSLOG.matcher(m);
      if (sys.lookingAt()) {
        m = m.substring(sys.end());
      }
      Matcher t = DMESG_T.matcher(m);
      if (t.lookingAt()) {
        m = m.substring(t.end());
      }
      LogTime time = LogTime.UNKNOWN;
      Matcher d = DMESG.matcher(m);
      if (d.lookingAt()) {
        time =
            new LogTime(OptionalDouble.of(Double.parseDouble(d.group(1))), Optional.empty(), false);
        m = m.substring(d.end());
      }
      SourceLine source = new SourceLine(file, i + 1, raw);
      for (String part : m.split("#012", -1)) {
        out.add(line(source, Optional.empty(), time, part.strip()));
      }
    }
    return out;
  }

  static LogLine line(SourceLine source, Optional<String> host, LogTime time, String message) {
    return new LogLine(source, Framing.BARE, host, Optional.empty(), time, false, message);
  }

  /** The same lines, said to come from {@code host}. */
  static List<LogLine> onHost(List<LogLine> lines, String host) {
    return lines.stream()
        .map(
            l ->
                new LogLine(
                    l.source(),
                    l.framing(),
                    Optional.of(host),
                    l.tag(),
                    l.time(),
                    l.continuation(),
                    l.message()))
        .toList();
  }

  /** The same lines renumbered from {@code first}, in order. */
  static List<LogLine> renumbered(List<LogLine> lines, String file, long first) {
    List<LogLine> out = new ArrayList<>();
    long n = first - 1;
    SourceLine previous = null;
    for (LogLine l : lines) {
      if (previous == null || !l.source().equals(previous)) {
        n++;
      }
      previous = l.source();
      out.add(
          new LogLine(
              new SourceLine(file, n, l.source().text()),
              l.framing(),
              l.host(),
              l.tag(),
              l.time(),
              l.continuation(),
              l.message()));
    }
    return out;
  }

  static String resource(String path) {
    try (InputStream in = ReportTestLines.class.getResourceAsStream("/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything a sink was handed. */
  static final class Collected implements KernelLogSink {
    final List<OomReport> reports = new ArrayList<>();
    final List<AllocFailure> allocFailures = new ArrayList<>();
    final List<Problem> problems = new ArrayList<>();
    final List<dev.oomlens.core.host.KillerEvent> killerEvents = new ArrayList<>();

    @Override
    public void killerEvent(dev.oomlens.core.host.KillerEvent event) {
      killerEvents.add(event);
    }

    @Override
    public void report(OomReport report) {
      reports.add(report);
    }

    @Override
    public void allocFailure(AllocFailure failure) {
      allocFailures.add(failure);
    }

    @Override
    public void problem(Problem problem) {
      problems.add(problem);
    }

    OomReport only() {
      if (reports.size() != 1) {
        throw new AssertionError("expected one report, got " + reports.size() + ": " + reports);
      }
      return reports.getFirst();
    }
  }

  /** The assembler's contract with the reader, written independently of the scanner. */
  private static final java.util.regex.Pattern FED_WHEN_IDLE =
      java.util.regex.Pattern.compile("oom|[Kk]ill|failure[:.] order");

  /**
   * Runs the lines through an assembler as the reader does: while no report is open, only lines
   * holding {@code oom}, {@code Kill}/{@code kill} or {@code failure: order} are fed, the others
   * skipped.
   */
  static Collected assemble(List<LogLine> lines) {
    Collected sink = new Collected();
    ReportAssembler assembler = new ReportAssembler(sink);
    for (LogLine l : lines) {
      if (assembler.inReport() || FED_WHEN_IDLE.matcher(l.message()).find()) {
        assembler.accept(l);
      } else {
        assembler.skippedTo(l.source().line() + 1);
      }
    }
    assembler.finish();
    return sink;
  }

  /** Runs every line through an assembler, without the reader's filter. */
  static Collected assembleAll(List<LogLine> lines) {
    Collected sink = new Collected();
    ReportAssembler assembler = new ReportAssembler(sink);
    lines.forEach(assembler::accept);
    assembler.finish();
    return sink;
  }
}
