package dev.oomlens.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a large, realistic kernel log for whole-process benchmarks: ordinary lines of many kernel
 * subsystems with about one OOM report per MiB spread through them, each report a varied copy of a
 * real one (see {@link ReportTemplates}), plus now and then a page allocation failure. The same
 * seed gives the same bytes.
 *
 * <p>Framings: {@code mixed} (the default) is raw dmesg ({@code [ 1234.567890] msg}, times
 * increasing) with a few segments in syslog framing, as when saved files are concatenated; {@code
 * dmesg} and {@code syslog} use one framing throughout; {@code --hosts N} interleaves N hosts in
 * syslog framing (BSD with kernel times, BSD without, RFC 3339), as a central log server writes
 * them, so their reports interleave too.
 *
 * {@snippet lang="shell" :
 * java -cp oomlens-bench/target/benchmarks.jar dev.oomlens.bench.KernelLogGenerator \
 *     --size 1G --seed 1 big.log
 * }
 *
 * <p>It prints one line of {@code key=value} facts, among them {@code oom_reports}: the number of
 * {@code invoked oom-killer} lines written, which a reader must find.
 */
public final class KernelLogGenerator {
  /** Bumped whenever the output for a given seed changes, so cached files can be told apart. */
  public static final int FORMAT_VERSION = 1;

  private static final long MIB = 1L << 20;

  /** 2026-11-21T00:00:00Z: the generated logs lie just before the benchmarks' reference date. */
  private static final long START_MICROS = 1_795_219_200L * 1_000_000L;

  private enum Style {
    DMESG,
    /** Ubuntu's kern.log: {@code Nov 21 00:00:01 host kernel: [ 1234.567890] msg}, #012 joins. */
    SYSLOG_KTIME,
    /** journalctl short: {@code Nov 21 00:00:01 host kernel: msg}, continuations indented. */
    SYSLOG,
    /** rsyslog RFC 3339: {@code 2026-11-21T00:00:01.123456+00:00 host kernel: msg}, #012 joins. */
    SYSLOG_ISO
  }

  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private static final class Host {
    final byte[] name;
    Style style;
    final long bootMicros;
    final ArrayDeque<ReportTemplates.Rec> pending = new ArrayDeque<>();
    int ordinaryAfter = -1;

    Host(String name, Style style, long bootMicros) {
      this.name = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      this.style = style;
      this.bootMicros = bootMicros;
    }
  }

  private final long targetBytes;
  private final SplittableRandom rnd;
  private final OrdinaryLines ordinary = new OrdinaryLines();
  private final ReportTemplates templates = new ReportTemplates();
  private final Host[] hosts;
  private final boolean mixed;
  private final double reportsPerMib;
  private final long[] segmentStart;
  private final long[] segmentEnd;

  private final ByteBuf out = new ByteBuf(8 << 20);
  private final ByteBuf line = new ByteBuf(4096);
  private long wallMicros = START_MICROS;
  private long cachedSecond = -1;
  private final ByteBuf bsdTime = new ByteBuf(32);
  private final ByteBuf isoTime = new ByteBuf(32);

  private long written;
  private long lines;
  private long syslogLines;
  private long oomReports;
  private long allocFailures;
  private int minOrdinary = Integer.MAX_VALUE;
  private int maxOrdinary;

  public KernelLogGenerator(
      long targetBytes, long seed, String framing, int hostCount, double reportsPerMib) {
    this.targetBytes = targetBytes;
    this.rnd = new SplittableRandom(seed);
    this.reportsPerMib = reportsPerMib;
    this.mixed = framing.equals("mixed") && hostCount == 1;
    this.hosts = new Host[hostCount];
    Style[] multi = {Style.SYSLOG_KTIME, Style.SYSLOG_ISO, Style.SYSLOG};
    for (int i = 0; i < hostCount; i++) {
      Style style =
          hostCount > 1
              ? multi[i % multi.length]
              : framing.equals("syslog") ? Style.SYSLOG_KTIME : Style.DMESG;
      String name = hostCount == 1 ? "node-01" : hostName(i);
      long uptime = rnd.nextLong(60_000_000L, 30L * 86_400 * 1_000_000L);
      hosts[i] = new Host(name, style, START_MICROS - uptime);
    }
    int segments = mixed ? (int) Math.max(2, targetBytes / (128 * MIB)) : 0;
    segmentStart = new long[segments];
    segmentEnd = new long[segments];
    for (int i = 0; i < segments; i++) {
      segmentStart[i] = (long) (targetBytes * (i + rnd.nextDouble(0.2, 0.8)) / segments);
      long length = Math.min(rnd.nextLong(256 << 10, 2 * MIB), targetBytes / segments / 4);
      segmentEnd[i] = segmentStart[i] + length;
    }
  }

  private static String hostName(int i) {
    return switch (i % 3) {
      case 0 -> String.format(Locale.ROOT, "node-%02d", i + 1);
      case 1 -> String.format(Locale.ROOT, "ip-10-0-%d-%d", i % 7, 10 + i);
      default -> String.format(Locale.ROOT, "aks-nodepool1-3141592-vmss%06d", i);
    };
  }

  /** Writes the log; returns the facts printed on completion. */
  public String write(OutputStream sink) throws IOException {
    long started = System.nanoTime();
    long nextEvent = nextEventGap();
    int segment = 0;
    int allocEvery = 40;
    while (true) {
      Host h = hosts.length == 1 ? hosts[0] : hosts[rnd.nextInt(hosts.length)];
      boolean done = written >= targetBytes;
      if (done) {
        h = firstPending();
        if (h == null) {
          break;
        }
      }
      if (!h.pending.isEmpty()) {
        if (h.ordinaryAfter == 0) {
          h.ordinaryAfter = -1;
          ordinaryLine(h);
        } else {
          h.ordinaryAfter--;
          reportRecord(h, h.pending.poll());
        }
      } else if (written >= nextEvent) {
        startEvent(h, (oomReports + allocFailures + 1) % allocEvery == 0);
        nextEvent = written + nextEventGap();
      } else {
        if (mixed && segment < segmentStart.length && h.pending.isEmpty()) {
          if (h.style == Style.DMESG && written >= segmentStart[segment]) {
            h.style = segment % 2 == 0 ? Style.SYSLOG_KTIME : Style.SYSLOG;
          } else if (h.style != Style.DMESG && written >= segmentEnd[segment]) {
            h.style = Style.DMESG;
            segment++;
          }
        }
        ordinaryLine(h);
      }
      if (out.size() >= 4 << 20) {
        out.writeTo(sink);
        out.clear();
      }
    }
    out.writeTo(sink);
    out.clear();
    double seconds = (System.nanoTime() - started) / 1e9;
    return String.format(
        Locale.ROOT,
        "bytes=%d lines=%d oom_reports=%d alloc_failures=%d syslog_lines=%d hosts=%d"
            + " ordinary_dmesg_line_chars=%s seconds=%.2f mib_per_s=%.0f",
        written,
        lines,
        oomReports,
        allocFailures,
        syslogLines,
        hosts.length,
        maxOrdinary == 0 ? "none" : minOrdinary + ".." + maxOrdinary,
        seconds,
        written / (double) MIB / seconds);
  }

  private Host firstPending() {
    for (Host h : hosts) {
      if (!h.pending.isEmpty()) {
        return h;
      }
    }
    return null;
  }

  private long nextEventGap() {
    double mean = MIB / reportsPerMib;
    return (long) rnd.nextDouble(0.5 * mean, 1.5 * mean);
  }

  private void startEvent(Host h, boolean allocFailure) {
    List<ReportTemplates.Template> pool =
        allocFailure ? templates.allocFailureTemplates() : templates.oomTemplates();
    ReportTemplates.Template t = pool.get(rnd.nextInt(pool.size()));
    List<ReportTemplates.Rec> records = ReportTemplates.vary(t, rnd);
    h.pending.addAll(records);
    // now and then another subsystem's line lands inside a report, as on a busy machine
    h.ordinaryAfter = rnd.nextInt(20) == 0 ? rnd.nextInt(1, records.size()) : -1;
    if (t.oom()) {
      oomReports++;
    } else {
      allocFailures++;
    }
  }

  private void ordinaryLine(Host h) {
    wallMicros += rnd.nextLong(0, 4000);
    line.clear();
    boolean user = h.style != Style.DMESG && rnd.nextInt(4) == 0;
    int prefix = prefix(h, !user);
    if (user) {
      ordinary.user(line, rnd);
    } else {
      ordinary.kernel(line, rnd);
      if (h.style == Style.DMESG) {
        minOrdinary = Math.min(minOrdinary, line.size());
        maxOrdinary = Math.max(maxOrdinary, line.size());
      }
    }
    finish(h);
  }

  private void reportRecord(Host h, ReportTemplates.Rec r) {
    wallMicros += rnd.nextLong(1, 80);
    line.clear();
    int prefix = prefix(h, true);
    line.append(r.first());
    boolean escaped = h.style == Style.SYSLOG_KTIME || h.style == Style.SYSLOG_ISO;
    for (String c : r.continuations()) {
      if (escaped) {
        line.append("#012");
      } else {
        line.append('\n').spaces(prefix);
        lines++;
        syslogLines += h.style == Style.DMESG ? 0 : 1;
      }
      line.append(c);
    }
    finish(h);
  }

  private void finish(Host h) {
    line.append('\n');
    lines++;
    if (h.style != Style.DMESG) {
      syslogLines++;
    }
    written += line.size();
    out.append(line);
  }

  /** Writes the framing of a line into {@code line}; returns its length. */
  private int prefix(Host h, boolean kernel) {
    switch (h.style) {
      case DMESG -> monotonic(h);
      case SYSLOG_KTIME, SYSLOG -> {
        wallclock();
        line.append(bsdTime).append(' ').append(h.name).append(' ');
        if (kernel) {
          line.append("kernel: ");
          if (h.style == Style.SYSLOG_KTIME) {
            monotonic(h);
          }
        }
      }
      case SYSLOG_ISO -> {
        wallclock();
        line.append(isoTime).decimal(wallMicros % 1_000_000, 6, (byte) '0').append("+00:00 ");
        line.append(h.name).append(' ');
        if (kernel) {
          line.append("kernel: ");
        }
      }
    }
    return line.size();
  }

  private void monotonic(Host h) {
    long mono = wallMicros - h.bootMicros;
    line.append('[').decimal(mono / 1_000_000, 5, (byte) ' ').append('.');
    line.decimal(mono % 1_000_000, 6, (byte) '0').append("] ");
  }

  /** Refreshes the cached wall-clock prefixes when the second has changed. */
  private void wallclock() {
    long second = wallMicros / 1_000_000;
    if (second == cachedSecond) {
      return;
    }
    cachedSecond = second;
    LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(second), ZoneOffset.UTC);
    bsdTime.clear();
    bsdTime.append(MONTHS[t.getMonthValue() - 1]).append(' ');
    bsdTime.decimal(t.getDayOfMonth(), 2, (byte) ' ').append(' ');
    time(bsdTime, t);
    isoTime.clear();
    isoTime.decimal(t.getYear()).append('-').decimal(t.getMonthValue(), 2, (byte) '0');
    isoTime.append('-').decimal(t.getDayOfMonth(), 2, (byte) '0').append('T');
    time(isoTime, t);
    isoTime.append('.');
  }

  private static void time(ByteBuf b, LocalDateTime t) {
    b.decimal(t.getHour(), 2, (byte) '0').append(':').decimal(t.getMinute(), 2, (byte) '0');
    b.append(':').decimal(t.getSecond(), 2, (byte) '0');
  }

  /** Parses a size: bytes, or a number with K, M or G (binary units). */
  static long parseSize(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long unit =
        switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
          case 'K' -> 1L << 10;
          case 'M' -> 1L << 20;
          case 'G' -> 1L << 30;
          default -> 1;
        };
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    return (long) (Double.parseDouble(digits) * unit);
  }

  private static final String USAGE =
      """
      usage: KernelLogGenerator --size SIZE [--seed N] [--framing mixed|dmesg|syslog] [--hosts N]
                                [--reports-per-mib R] OUTPUT
        --size       bytes to write, with K, M or G for KiB, MiB, GiB (the last report is finished)
        --seed       random seed (default 1); the same seed gives the same file
        --framing    mixed: raw dmesg with a few syslog segments (default); dmesg; syslog
        --hosts      N > 1 interleaves N hosts in syslog framing
        --reports-per-mib  mean OOM reports per MiB (default 1)
        --version    prints the output format version""";

  /** Runs the generator; exit status 2 on a usage error. */
  public static void main(String[] args) throws IOException {
    long size = -1;
    long seed = 1;
    String framing = "mixed";
    int hostCount = 1;
    double perMib = 1.0;
    Path output = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--size" -> size = parseSize(args[++i]);
          case "--seed" -> seed = Long.parseLong(args[++i]);
          case "--framing" -> framing = args[++i];
          case "--hosts" -> hostCount = Integer.parseInt(args[++i]);
          case "--reports-per-mib" -> perMib = Double.parseDouble(args[++i]);
          case "--version" -> {
            System.out.println("format_version=" + FORMAT_VERSION);
            return;
          }
          default -> {
            if (args[i].startsWith("-") || output != null) {
              throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            output = Path.of(args[i]);
          }
        }
      }
      if (size <= 0
          || output == null
          || hostCount < 1
          || perMib <= 0
          || !List.of("mixed", "dmesg", "syslog").contains(framing)) {
        throw new IllegalArgumentException("missing or bad argument");
      }
    } catch (RuntimeException e) {
      System.err.println("KernelLogGenerator: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    KernelLogGenerator g = new KernelLogGenerator(size, seed, framing, hostCount, perMib);
    try (OutputStream sink = Files.newOutputStream(output)) {
      System.out.println(g.write(sink));
    }
  }
}
