package dev.oomlens.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.oomlens.core.calc.JvmBudget;
import dev.oomlens.core.calc.JvmBudget.Regions;
import dev.oomlens.core.calc.NmtSummaryParser;
import dev.oomlens.core.calc.NmtSummaryParser.Region;
import dev.oomlens.core.calc.NmtSummaryParser.Summary;
import dev.oomlens.core.host.parse.ParseException;
import dev.oomlens.report.escape.EscapingWriter;
import dev.oomlens.report.json.JsonEscapes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/*
 * The budget is JvmBudget's (the java-buildpack memory calculator): everything but the heap is set
 * aside first, the heap gets what is left. A native-memory summary, when given, is the measured
 * side of the same picture: what the JVM had committed, heap and off-heap, against the limit. The
 * calculator's regions are caps; NMT shows use, and regions the calculator does not model (GC,
 * Symbol, Internal, Other: malloc'd buffers) are where a JVM under its -Xmx still outgrows its
 * container. When the measured off-heap exceeds what the budget set aside, the heap that would
 * really fit is printed too.
 *
 * Sizes on the command line are Kubernetes quantities, as every option of oomlens reads them
 * (SizeConverter): 512Mi and 1Gi are binary, 1G is 10^9 bytes; the JVM's own 512m is refused
 * with the hint to write 512Mi, since Kubernetes reads m as milli.
 */

/** {@code oomlens jvm}: budgets a JVM's heap, metaspace, code cache, direct memory and stacks. */
@Command(
    name = "jvm",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Budgets a JVM's memory in a container limit and prints the flags that fit.",
      "As the java-buildpack memory calculator does: direct memory, metaspace, code cache and"
          + " thread stacks first, the heap gets the rest, with the arithmetic.",
      "Given a native-memory summary (jcmd <pid> VM.native_memory summary, from a JVM started"
          + " with native memory tracking on), compares what the JVM committed with the limit"
          + " and names the largest region outside the heap.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP,
      "2:Usage error, or the regions besides the heap do not fit in the limit.",
      ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens jvm --limit 1Gi --classes 17000",
      "  oomlens jvm --limit 2Gi --threads 400 --metaspace 192Mi --direct 256Mi",
      "  jcmd 1 VM.native_memory summary > nmt.txt",
      "  oomlens jvm --limit 1Gi --nmt nmt.txt",
    })
final class JvmCommand implements Callable<Integer> {
  private static final long MIB = 1024L * 1024;

  /** Regions of an NMT summary listed, largest first; the rest are summed. */
  static final int NMT_REGIONS_LISTED = 8;

  @Spec CommandSpec spec;

  @Option(
      names = "--limit",
      paramLabel = "SIZE",
      required = true,
      converter = SizeConverter.class,
      description =
          "The memory the whole JVM process must fit in: the container's limit ("
              + SizeConverter.HELP
              + ").")
  long limitBytes;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Threads the JVM runs at most. Default: 250, or the threads a --nmt summary"
              + " counted if more.")
  Integer threads;

  @ArgGroup(exclusive = true)
  Metaspace metaspace;

  /** Metaspace from a class count or given outright. */
  static final class Metaspace {
    @Option(
        names = "--classes",
        paramLabel = "N",
        description = "Classes the application loads: metaspace = 5800 B x N + 14,000,000 B.")
    Long classes;

    @Option(
        names = "--metaspace",
        paramLabel = "SIZE",
        converter = SizeConverter.class,
        description = "-XX:MaxMetaspaceSize, when it is set.")
    Long bytes;
  }

  @Option(
      names = "--code-cache",
      paramLabel = "SIZE",
      defaultValue = "240Mi",
      converter = SizeConverter.class,
      description = "-XX:ReservedCodeCacheSize. Default: ${DEFAULT-VALUE}.")
  long codeCacheBytes;

  @Option(
      names = "--direct",
      paramLabel = "SIZE",
      defaultValue = "10Mi",
      converter = SizeConverter.class,
      description = "-XX:MaxDirectMemorySize. Default: ${DEFAULT-VALUE}.")
  long directBytes;

  @Option(
      names = "--stack",
      paramLabel = "SIZE",
      defaultValue = "1Mi",
      converter = SizeConverter.class,
      description = "-Xss. Default: ${DEFAULT-VALUE}.")
  long stackBytes;

  @Option(
      names = "--headroom",
      paramLabel = "PERCENT",
      defaultValue = "0",
      description =
          "Share of the limit left to the rest of the process (malloc arenas, GC,"
              + " mapped files), 0 to 99. Default: ${DEFAULT-VALUE}.")
  int headroomPercent;

  @Option(
      names = "--nmt",
      paramLabel = "FILE",
      description = "Output of jcmd <pid> VM.native_memory summary, to compare with the limit.")
  Path nmt;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  KubevirtCommand.Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE instead of standard output.")
  Path output;

  @Override
  public Integer call() {
    if (limitBytes <= 0) {
      throw new ParameterException(spec.commandLine(), "--limit must be more than 0");
    }
    if (headroomPercent < 0 || headroomPercent > 99) {
      throw new ParameterException(
          spec.commandLine(), "--headroom must be between 0 and 99, not " + headroomPercent);
    }
    if (threads != null && threads < 0) {
      throw new ParameterException(spec.commandLine(), "--threads must not be negative");
    }
    Optional<Summary> summary = Optional.empty();
    if (nmt != null) {
      try {
        summary = Optional.of(NmtSummaryParser.parse(read(nmt), nmt.toString()));
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println(
                "oomlens: cannot read " + nmt + ": " + dev.oomlens.core.source.IoReasons.of(e));
        return ExitCodes.INPUT;
      } catch (ParseException e) {
        spec.commandLine().getErr().println("oomlens: " + e.getMessage());
        return ExitCodes.INPUT;
      }
    }
    long metaspaceBytes;
    String metaspaceHow;
    if (metaspace != null && metaspace.bytes != null) {
      metaspaceBytes = metaspace.bytes;
      metaspaceHow = "-XX:MaxMetaspaceSize";
    } else {
      Optional<Long> classes =
          metaspace != null && metaspace.classes != null
              ? Optional.of(metaspace.classes)
              : summary.flatMap(s -> s.loadedClasses().stream().boxed().findFirst());
      if (classes.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "metaspace unknown: give --classes N,"
                + " --metaspace SIZE, or --nmt FILE of a summary that counts the classes");
      }
      if (classes.get() < 0) {
        throw new ParameterException(spec.commandLine(), "--classes must not be negative");
      }
      metaspaceBytes = JvmBudget.metaspaceForClasses(classes.get());
      metaspaceHow =
          "5800 B x "
              + classes.get()
              + " classes + 14000000 B"
              + (metaspace == null || metaspace.classes == null ? " (classes counted by NMT)" : "");
    }
    int threadCount =
        threads != null
            ? threads
            : Math.max(
                JvmBudget.DEFAULT_THREAD_COUNT,
                (int)
                    Math.min(
                        Integer.MAX_VALUE,
                        summary.flatMap(s -> s.threads().stream().boxed().findFirst()).orElse(0L)));
    JvmBudget budget =
        JvmBudget.calculate(
            limitBytes,
            new Regions(
                headroomPercent,
                directBytes,
                metaspaceBytes,
                codeCacheBytes,
                stackBytes,
                threadCount));
    if (!budget.fits()) {
      spec.commandLine()
          .getErr()
          .println(
              "oomlens: the regions besides the heap need "
                  + mi(budget.overheadBytes())
                  + " ("
                  + breakdown(budget)
                  + "), "
                  + (budget.heapBytes() == 0 ? "all of" : "more than")
                  + " the "
                  + mi(limitBytes)
                  + " limit: no room for a heap");
      return ExitCodes.USAGE;
    }
    String text =
        format == KubevirtCommand.Format.json
            ? json(budget, summary)
            : text(budget, metaspaceHow, threadCount, summary);
    return KubevirtCommand.ReportFile.write(spec, output, text);
  }

  private static String breakdown(JvmBudget b) {
    List<String> parts = new ArrayList<>();
    if (b.headroomBytes() > 0) {
      parts.add("headroom " + mi(b.headroomBytes()));
    }
    parts.add("direct " + mi(b.directBytes()));
    parts.add("metaspace " + mi(b.metaspaceBytes()));
    parts.add("code cache " + mi(b.codeCacheBytes()));
    parts.add("stacks " + mi(b.stackBytes()) + " x " + b.threadCount());
    return String.join(" + ", parts);
  }

  private String text(
      JvmBudget b, String metaspaceHow, int threadCount, Optional<Summary> summary) {
    StringWriter buffer = new StringWriter();
    // The regions are named by the NMT file.
    PrintWriter out = EscapingWriter.wrap(new PrintWriter(buffer));
    out.println(
        "JVM memory budget in a " + mi(limitBytes) + " limit (java-buildpack memory calculator)");
    out.println();
    List<String[]> rows = new ArrayList<>();
    if (b.headroomBytes() > 0) {
      rows.add(
          new String[] {
            "headroom", mi(b.headroomBytes()), headroomPercent + "% of " + mi(limitBytes)
          });
    }
    rows.add(new String[] {"direct memory", mi(b.directBytes()), "-XX:MaxDirectMemorySize"});
    rows.add(new String[] {"metaspace", mi(b.metaspaceBytes()), metaspaceHow});
    rows.add(new String[] {"code cache", mi(b.codeCacheBytes()), "-XX:ReservedCodeCacheSize"});
    rows.add(
        new String[] {
          "thread stacks",
          mi(b.stackBytes() * b.threadCount()),
          "-Xss " + mi(b.stackBytes()) + " x " + threadCount + " threads"
        });
    rows.add(new String[] {"besides the heap", mi(b.overheadBytes()), "the sum"});
    rows.add(
        new String[] {"heap", mi(b.heapBytes()), mi(limitBytes) + " - " + mi(b.overheadBytes())});
    table(out, rows);
    out.println();
    List<String> flags = b.flags();
    out.println("Flags that fit (the heap follows the limit):");
    out.println("  " + String.join(" ", flags));
    out.println("Or with a fixed heap:");
    out.println("  " + b.xmxFlag() + " " + String.join(" ", flags.subList(1, flags.size())));
    summary.ifPresent(s -> nmtText(out, b, s));
    out.flush();
    return buffer.toString();
  }

  private void nmtText(PrintWriter out, JvmBudget b, Summary s) {
    out.println();
    long committed = s.total().committedBytes();
    out.println(
        "Native memory tracking ("
            + s.path()
            + ":"
            + s.total().source().line()
            + "): committed "
            + mi(committed)
            + " of the "
            + mi(limitBytes)
            + " limit ("
            + percent(committed, limitBytes)
            + ")");
    out.println();
    List<String[]> rows = new ArrayList<>();
    Optional<Region> heap = s.region(Summary.JAVA_HEAP);
    heap.ifPresent(
        h ->
            rows.add(
                new String[] {
                  "Java Heap",
                  mi(h.committedBytes()),
                  "committed; " + mi(h.reservedBytes()) + " reserved (its maximum)"
                }));
    rows.add(
        new String[] {
          "off-heap",
          mi(s.offHeapCommittedBytes()),
          "committed, budgeted " + mi(b.overheadBytes() - b.headroomBytes())
        });
    List<Region> offHeap =
        s.regions().stream()
            .filter(r -> !r.name().equalsIgnoreCase(Summary.JAVA_HEAP))
            .sorted(Comparator.comparingLong(Region::committedBytes).reversed())
            .toList();
    for (Region r : offHeap.subList(0, Math.min(offHeap.size(), NMT_REGIONS_LISTED))) {
      rows.add(new String[] {"  " + r.name(), mi(r.committedBytes()), "line " + r.source().line()});
    }
    if (offHeap.size() > NMT_REGIONS_LISTED) {
      long rest =
          offHeap.subList(NMT_REGIONS_LISTED, offHeap.size()).stream()
              .mapToLong(Region::committedBytes)
              .sum();
      rows.add(new String[] {"  " + (offHeap.size() - NMT_REGIONS_LISTED) + " more", mi(rest), ""});
    }
    table(out, rows);
    out.println();
    s.largestOffHeap()
        .ifPresent(
            r ->
                out.println(
                    "Largest off-heap region: "
                        + r.name()
                        + ", "
                        + mi(r.committedBytes())
                        + " committed ("
                        + percent(r.committedBytes(), limitBytes)
                        + " of the limit)"
                        + hint(r.name())));
    s.threads()
        .ifPresent(
            t ->
                out.println(
                    "Threads counted: "
                        + t
                        + (t > b.threadCount()
                            ? ", more than the " + b.threadCount() + " budgeted"
                            : "")));
    if (heap.isPresent()) {
      long atMax = heap.get().reservedBytes() + s.offHeapCommittedBytes();
      out.println(
          "With the heap at its maximum: "
              + mi(heap.get().reservedBytes())
              + " + "
              + mi(s.offHeapCommittedBytes())
              + " off-heap = "
              + mi(atMax)
              + (atMax > limitBytes
                  ? ", over the limit by "
                      + mi(atMax - limitBytes)
                      + ": the kernel kills the JVM before the heap is full"
                  : ", within the limit (" + mi(limitBytes - atMax) + " to spare)"));
    }
    long fits = limitBytes - b.headroomBytes() - s.offHeapCommittedBytes();
    if (s.offHeapCommittedBytes() > b.overheadBytes() - b.headroomBytes()) {
      out.println(
          "Measured off-heap exceeds the budget's: a heap that fits beside it is at most "
              + mi(Math.max(0, fits))
              + " (-Xmx"
              + Math.max(0, fits) / MIB
              + "M), before growth.");
    }
    out.println(
        "NMT does not see memory that native libraries malloc themselves: the process's"
            + " RSS can exceed its total.");
  }

  private static String hint(String region) {
    return switch (region) {
      case "Other" ->
          ": direct ByteBuffers and other native allocations; cap with"
              + " -XX:MaxDirectMemorySize";
      case "Thread" -> ": thread stacks; fewer threads or a smaller -Xss";
      case "Class", "Metaspace" -> ": loaded classes; cap with -XX:MaxMetaspaceSize";
      case "Code" -> ": JIT-compiled code; cap with -XX:ReservedCodeCacheSize";
      case "GC" -> ": the collector's own structures; they grow with the heap";
      case "Symbol" -> ": interned strings and symbols";
      case "Internal", "Arena Chunk" -> ": JVM-internal allocations";
      default -> "";
    };
  }

  private String json(JvmBudget b, Optional<Summary> summary) {
    StringWriter buffer = new StringWriter();
    JsonFactory factory = new JsonFactoryBuilder().characterEscapes(JsonEscapes.INSTANCE).build();
    try (JsonGenerator g = factory.createGenerator(buffer)) {
      KubevirtCommand.pretty(g);
      g.writeStartObject();
      g.writeNumberField("limit_bytes", limitBytes);
      g.writeNumberField("headroom_bytes", b.headroomBytes());
      g.writeNumberField("direct_bytes", b.directBytes());
      g.writeNumberField("metaspace_bytes", b.metaspaceBytes());
      g.writeNumberField("code_cache_bytes", b.codeCacheBytes());
      g.writeNumberField("stack_bytes", b.stackBytes());
      g.writeNumberField("thread_count", b.threadCount());
      g.writeNumberField("overhead_bytes", b.overheadBytes());
      g.writeNumberField("heap_bytes", b.heapBytes());
      g.writeFieldName("max_ram_percentage");
      g.writeNumber(BigDecimal.valueOf(b.maxRamPercentage()).setScale(1, RoundingMode.DOWN));
      g.writeArrayFieldStart("flags");
      for (String f : b.flags()) {
        g.writeString(f);
      }
      g.writeEndArray();
      g.writeStringField("xmx", b.xmxFlag());
      if (summary.isPresent()) {
        Summary s = summary.get();
        g.writeObjectFieldStart("nmt");
        g.writeStringField("file", s.path());
        g.writeNumberField("reserved_bytes", s.total().reservedBytes());
        g.writeNumberField("committed_bytes", s.total().committedBytes());
        g.writeNumberField("off_heap_committed_bytes", s.offHeapCommittedBytes());
        g.writeBooleanField("committed_exceeds_limit", s.total().committedBytes() > limitBytes);
        if (s.threads().isPresent()) {
          g.writeNumberField("threads", s.threads().getAsLong());
        }
        if (s.loadedClasses().isPresent()) {
          g.writeNumberField("loaded_classes", s.loadedClasses().getAsLong());
        }
        if (s.largestOffHeap().isPresent()) {
          g.writeStringField("largest_off_heap", s.largestOffHeap().get().name());
        }
        g.writeArrayFieldStart("regions");
        for (Region r : s.regions()) {
          g.writeStartObject();
          g.writeStringField("name", r.name());
          g.writeNumberField("reserved_bytes", r.reservedBytes());
          g.writeNumberField("committed_bytes", r.committedBytes());
          g.writeNumberField("line", r.source().line());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory failed", e);
    }
    return buffer + "\n";
  }

  private static void table(PrintWriter out, List<String[]> rows) {
    int name = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    int size = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
    for (String[] r : rows) {
      String line =
          "  "
              + r[0]
              + " ".repeat(name - r[0].length() + 2)
              + " ".repeat(size - r[1].length())
              + r[1]
              + (r[2].isEmpty() ? "" : "   " + r[2]);
      out.print(line + "\n");
    }
  }

  private static String read(Path file) throws IOException {
    // A summary is ASCII; a stray byte must become a problem of the parser, not a crash here.
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
        .toString();
  }

  private static String percent(long part, long whole) {
    return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  /** Bytes as MiB with one decimal when not whole. */
  static String mi(long bytes) {
    if (bytes % MIB == 0) {
      return bytes / MIB + "Mi";
    }
    return String.format(Locale.ROOT, "%.1fMi", bytes / (double) MIB);
  }
}
