package dev.oomlens.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The report is the real one of core's kmsg/systemd-service.kmsg (a 6.18 kernel killing a
 * process at a systemd unit's limit), with every name the process, its cgroup and its host chose
 * replaced by one the test chooses, and one more row in the task table so that a row's name is
 * not the victim's. The names are bytes, not strings: what a process can call itself is any byte
 * but NUL (and a log can be forged to hold that too), including bytes that are no UTF-8.
 */

/** An OOM report whose names are chosen by the test, written in the framings that carry them. */
final class HostileLog {
  /** How the lines are framed, as dmesg, /dev/kmsg and a syslog daemon write them. */
  enum Framing {
    DMESG,
    KMSG,
    SYSLOG
  }

  /** The names, each in the one place it goes. */
  record Names(
      byte[] trigger,
      byte[] cpuComm,
      byte[] task,
      byte[] victim,
      byte[] slice,
      byte[] unit,
      byte[] host) {
    /** The same names, given as text. */
    static Names of(
        String trigger,
        String cpuComm,
        String task,
        String victim,
        String slice,
        String unit,
        String host) {
      return new Names(
          trigger.getBytes(UTF_8),
          cpuComm.getBytes(UTF_8),
          task.getBytes(UTF_8),
          victim.getBytes(UTF_8),
          slice.getBytes(UTF_8),
          unit.getBytes(UTF_8),
          host.getBytes(UTF_8));
    }
  }

  /** The reference date the CLI tests' clock gives: the log's year is taken from it. */
  static final ReaderOptions OPTIONS = new ReaderOptions(LocalDate.of(2026, 2, 3));

  private static final Pattern KMSG = Pattern.compile("^(\\d+),(\\d+),(\\d+),[^;]*;(.*)$");
  private static final Pattern MARK = Pattern.compile("@(TRIGGER|CPU|TASK|VICTIM|PATH)@");

  /** The lines of the template: prefix (seq, usec) and the message with its marks. */
  private record Line(long seq, long usec, String message) {}

  private static final List<Line> TEMPLATE = template();

  private HostileLog() {}

  private static List<Line> template() {
    String text;
    try (InputStream in = HostileLog.class.getResourceAsStream("/kmsg/systemd-service.kmsg")) {
      assertThat(in).as("kmsg/systemd-service.kmsg (oomlens-core test-jar)").isNotNull();
      text = new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Line> lines = new ArrayList<>();
    for (String l : text.split("\n")) {
      Matcher m = KMSG.matcher(l);
      assertThat(m.matches()).as(l).isTrue();
      String message =
          m.group(4)
              .replace("/system.slice/oomlens-test-21299.service", "@PATH@")
              .replace("stress-hog invoked oom-killer", "@TRIGGER@ invoked oom-killer")
              .replace("Comm: stress-hog", "Comm: @CPU@")
              .replace("task=stress-hog", "task=@VICTIM@")
              .replace("(stress-hog)", "(@VICTIM@)");
      long seq = Long.parseLong(m.group(2));
      long usec = Long.parseLong(m.group(3));
      if (message.endsWith(" stress-hog") && message.startsWith("[")) {
        lines.add(
            new Line(
                seq,
                usec,
                "[  21800]     0 21800     1000      100       90       10"
                    + "         0    24576        0           250 @TASK@"));
        message = message.replace(" stress-hog", " @VICTIM@");
      }
      lines.add(new Line(seq, usec, message));
    }
    assertThat(lines.stream().map(Line::message).filter(s -> s.contains("stress-hog"))).isEmpty();
    return List.copyOf(lines);
  }

  /** The report with {@code names}, framed as {@code framing}. */
  static byte[] log(Names names, Framing framing) {
    Map<String, byte[]> values =
        Map.of(
            "TRIGGER",
            names.trigger(),
            "CPU",
            names.cpuComm(),
            "TASK",
            names.task(),
            "VICTIM",
            names.victim(),
            "PATH",
            path(names));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int seq = 0;
    for (Line line : TEMPLATE) {
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      Matcher m = MARK.matcher(line.message());
      int at = 0;
      while (m.find()) {
        message.writeBytes(line.message().substring(at, m.start()).getBytes(UTF_8));
        message.writeBytes(values.get(m.group(1)));
        at = m.end();
      }
      message.writeBytes(line.message().substring(at).getBytes(UTF_8));
      String seconds =
          String.format(
              Locale.ROOT, "[%5d.%06d] ", line.usec() / 1_000_000, line.usec() % 1_000_000);
      switch (framing) {
        case DMESG -> out.writeBytes(seconds.getBytes(UTF_8));
        case KMSG ->
            out.writeBytes(("6," + (900 + seq) + "," + line.usec() + ",-;").getBytes(UTF_8));
        case SYSLOG -> {
          out.writeBytes("Feb  3 09:00:00 ".getBytes(UTF_8));
          out.writeBytes(names.host());
          out.writeBytes((" kernel: " + seconds).getBytes(UTF_8));
        }
      }
      out.writeBytes(
          framing == Framing.KMSG ? kmsgEscaped(message.toByteArray()) : message.toByteArray());
      out.write('\n');
      seq++;
    }
    return out.toByteArray();
  }

  /** The memory cgroup: the unit in a slice of the test's naming. */
  private static byte[] path(Names names) {
    ByteArrayOutputStream path = new ByteArrayOutputStream();
    path.writeBytes("/".getBytes(UTF_8));
    path.writeBytes(names.slice());
    path.writeBytes(".slice/".getBytes(UTF_8));
    path.writeBytes(names.unit());
    path.writeBytes(".service".getBytes(UTF_8));
    return path.toByteArray();
  }

  /**
   * The message as /dev/kmsg prints it: control bytes, bytes above 0x7e and the backslash as {@code
   * \xNN} (printk's devkmsg_read escapes every byte that is not printable ASCII).
   */
  static byte[] kmsgEscaped(byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : message) {
      int u = b & 0xff;
      if (u < 0x20 || u >= 0x7f || u == '\\') {
        out.writeBytes(String.format(Locale.ROOT, "\\x%02x", u).getBytes(UTF_8));
      } else {
        out.write(u);
      }
    }
    return out.toByteArray();
  }

  /** The reports the kernel-log reader makes of {@code file}, as the CLI reads it. */
  static List<OomReport> read(Path file) {
    List<OomReport> reports = new ArrayList<>();
    try {
      new KernelLogReader(OPTIONS)
          .read(
              file,
              new KernelLogSink() {
                @Override
                public void report(OomReport report) {
                  reports.add(report);
                }

                @Override
                public void allocFailure(AllocFailure failure) {}

                @Override
                public void problem(Problem problem) {}
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return reports;
  }
}
