package dev.oomlens.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.oomlens.core.calc.KubevirtOverhead;
import dev.oomlens.core.calc.KubevirtOverhead.HarvesterLayout;
import dev.oomlens.core.calc.KubevirtOverhead.Version;
import dev.oomlens.core.calc.KubevirtOverhead.Vm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/*
 * The arithmetic is KubevirtOverhead's; this command only lays it out. Each term of the breakdown
 * is what the calculator adds for it (the overhead with the feature minus the overhead without),
 * so the constants live in one place. One term the calculator leaves out is added here, before the
 * ratio as KubeVirt does: the downward-metrics disk (1Mi, template.go).
 *
 * Without --ratio the layout is plain KubeVirt's (ratio 1.0: the pod limit is the VM's memory plus
 * the overhead). --ratio is Harvester's additional-guest-memory-overhead-ratio ("0" is its legacy
 * mode) and --reserved its per-VM Reserved Memory, carved out of the guest.
 */

/** {@code oomlens kubevirt}: the memory a KubeVirt virt-launcher pod adds to its VM, by term. */
@Command(
    name = "kubevirt",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Computes the memory KubeVirt adds to a VM's pod, with Harvester's overhead ratio and"
          + " reserved memory.",
      "Prints the virt-launcher overhead (virt-launcher, virtqemud, virtlogd, qemu) term by term"
          + " for a KubeVirt version, then the pod limit and the guest memory that follow.",
      "Given the helpers' RSS seen in an OOM report (--helper-rss), prints the ratio or the"
          + " reserved memory that would have made room for it.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP,
      ExitCodes.USAGE_HELP,
      ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens kubevirt --memory 8Gi --vcpus 4",
      "  oomlens kubevirt --memory 2Gi --no-graphics --ratio 1.5 --reserved 256Mi",
      "  oomlens kubevirt --memory 16Gi --vcpus 8 --vfio --helper-rss 900Mi",
    })
final class KubevirtCommand implements Callable<Integer> {
  private static final long MIB = 1024L * 1024;
  private static final long DOWNWARD_METRICS_BYTES = MIB;

  @Spec CommandSpec spec;

  @Option(
      names = "--kubevirt-version",
      paramLabel = "VERSION",
      defaultValue = "v1.5-v1.9",
      converter = VersionConverter.class,
      description =
          "The overhead table: v0.50, v0.59-v1.4, v1.5-v1.9, main, or the one of a"
              + " release (v1.3.2). Default: ${DEFAULT-VALUE}.")
  Version version;

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      required = true,
      converter = SizeConverter.class,
      description = "The VM's memory request, as a Kubernetes quantity: 8Gi, 2048Mi.")
  long memoryBytes;

  @Option(
      names = "--vcpus",
      paramLabel = "N",
      defaultValue = "1",
      description = "vCPUs: sockets x cores x threads. Default: ${DEFAULT-VALUE}.")
  int vcpus;

  @Option(
      names = "--arch",
      paramLabel = "ARCH",
      defaultValue = "amd64",
      description = "CPU architecture: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Arch arch;

  @Option(
      names = "--graphics",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "A graphics device is attached (autoattachGraphicsDevice, KubeVirt's"
              + " default). --no-graphics for headless VMs.")
  boolean graphics;

  @Option(names = "--vfio", description = "The VM has a VFIO device (GPU, host device, SR-IOV).")
  boolean vfio;

  @Option(names = "--tpm", description = "The VM has a TPM (swtpm).")
  boolean tpm;

  @Option(names = "--sev", description = "The VM uses AMD SEV, SEV-ES or SEV-SNP.")
  boolean sev;

  @Option(
      names = "--dedicated-cpu",
      description = "dedicatedCpuPlacement, or guaranteed QoS requested.")
  boolean dedicatedCpu;

  @Option(
      names = "--exec-probes",
      paramLabel = "N",
      defaultValue = "0",
      description = "Exec liveness and readiness probes. Default: ${DEFAULT-VALUE}.")
  int execProbes;

  @Option(names = "--downward-metrics", description = "The VM has a downwardMetrics disk.")
  boolean downwardMetrics;

  @Option(
      names = "--ratio",
      paramLabel = "RATIO",
      description =
          "Harvester's additional-guest-memory-overhead-ratio: 0 (legacy mode) or"
              + " 1.0 to 10.0; Harvester's default is 1.5. Without it, plain KubeVirt (1.0).")
  String ratio;

  @Option(
      names = "--reserved",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Harvester's Reserved Memory of the VM: taken from the guest, left to the" + " helpers.")
  Long reservedBytes;

  @Option(
      names = "--helper-rss",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "The RSS the pod needed beside the guest (the helpers' rows of an OOM"
              + " report's task table, plus qemu's own beyond guest RAM): prints the ratio and the"
              + " reserved memory that would have covered it.")
  Long helperRssBytes;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE instead of standard output.")
  Path output;

  /** The output formats. */
  enum Format {
    text,
    json
  }

  /** The architectures KubeVirt sizes differently: only arm64 adds a term. */
  enum Arch {
    amd64,
    arm64,
    ppc64le,
    s390x
  }

  /** One line of the breakdown. */
  record Term(String name, long bytes, String how) {}

  /** Everything the command prints. */
  record Result(
      Vm vm,
      List<Term> terms,
      long baseBytes,
      String ratioText,
      HarvesterLayout layout,
      OptionalLong helperRssBytes,
      OptionalDouble ratioNeeded,
      OptionalLong reservedNeeded) {}

  @Override
  public Integer call() {
    if (vcpus < 1) {
      throw new ParameterException(spec.commandLine(), "--vcpus must be at least 1, not " + vcpus);
    }
    if (execProbes < 0) {
      throw new ParameterException(spec.commandLine(), "--exec-probes must not be negative");
    }
    Result result = compute();
    String text = format == Format.json ? json(result) : text(result);
    return ReportFile.write(spec, output, text);
  }

  Result compute() {
    Vm vm =
        new Vm(
            memoryBytes,
            vcpus,
            version,
            graphics,
            arch == Arch.arm64,
            vfio,
            tpm,
            sev,
            dedicatedCpu,
            execProbes);
    List<Term> terms = terms(vm);
    long base = terms.stream().mapToLong(Term::bytes).sum();
    String ratioText = ratio == null ? "1.0" : ratio;
    OptionalLong reserved =
        reservedBytes == null ? OptionalLong.empty() : OptionalLong.of(reservedBytes);
    try {
      KubevirtOverhead.parseHarvesterRatio(ratioText);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--ratio: " + e.getMessage());
    }
    HarvesterLayout layout;
    try {
      layout = KubevirtOverhead.harvester(memoryBytes, base, reserved, ratioText);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--reserved must be less than --memory (" + mi(memoryBytes) + ")");
    }
    OptionalLong helper =
        helperRssBytes == null ? OptionalLong.empty() : OptionalLong.of(helperRssBytes);
    OptionalDouble needed =
        helper.isPresent()
            ? KubevirtOverhead.ratioCovering(base, helper.getAsLong())
            : OptionalDouble.empty();
    OptionalLong reservedNeeded =
        helper.isPresent()
            ? OptionalLong.of(Math.max(0, helper.getAsLong() - layout.scaledOverheadBytes()))
            : OptionalLong.empty();
    return new Result(vm, terms, base, ratioText, layout, helper, needed, reservedNeeded);
  }

  /** The overhead term by term; the terms add up to the calculator's total. */
  private List<Term> terms(Vm vm) {
    List<Term> terms = new ArrayList<>();
    Vm bare =
        new Vm(
            vm.memoryRequestBytes(),
            vm.vcpus(),
            vm.version(),
            false,
            false,
            false,
            false,
            false,
            false,
            0);
    long pageTables = Math.ceilDiv(vm.memoryRequestBytes(), 1024L) * 1024 / 512;
    long fixed = vm.version().fixedBytes();
    long cpus = KubevirtOverhead.overheadBytes(bare) - pageTables - fixed;
    terms.add(new Term("guest page tables", pageTables, mi(vm.memoryRequestBytes()) + " / 512"));
    terms.add(
        new Term(
            "helper processes",
            fixed,
            vm.version() == Version.V0_50
                ? "virt-launcher, libvirt and qemu, one flat budget"
                : "virt-launcher-monitor, virt-launcher, virtlogd, virtqemud, qemu"));
    terms.add(
        new Term(
            "vCPUs and IOThread",
            cpus,
            "8Mi x " + vm.vcpus() + (vm.vcpus() == 1 ? " vCPU" : " vCPUs") + " + 8Mi"));
    long total = KubevirtOverhead.overheadBytes(vm);
    addTerm(terms, "graphics device", total, vm, without(vm, "graphics"), "VGA framebuffer");
    addTerm(terms, "arm64 UEFI", total, vm, without(vm, "arm64"), "2 x 64Mi pflash");
    addTerm(terms, "VFIO device", total, vm, without(vm, "vfio"), "GPU, host device or SR-IOV");
    addTerm(terms, "TPM", total, vm, without(vm, "tpm"), "swtpm");
    addTerm(terms, "SEV", total, vm, without(vm, "sev"), "encrypted guest memory");
    addTerm(
        terms,
        "dedicated CPUs",
        total,
        vm,
        without(vm, "dedicated"),
        "dedicatedCpuPlacement or guaranteed QoS");
    addTerm(
        terms,
        "exec probes",
        total,
        vm,
        without(vm, "probes"),
        "10Mi x " + vm.execProbes() + " + 100Mi");
    if (downwardMetrics) {
      terms.add(new Term("downward metrics", DOWNWARD_METRICS_BYTES, "downwardMetrics disk"));
    }
    return List.copyOf(terms);
  }

  private static void addTerm(
      List<Term> terms, String name, long total, Vm vm, Vm without, String how) {
    long bytes = total - KubevirtOverhead.overheadBytes(without);
    if (bytes != 0) {
      terms.add(new Term(name, bytes, how));
    }
  }

  private static Vm without(Vm vm, String feature) {
    return new Vm(
        vm.memoryRequestBytes(),
        vm.vcpus(),
        vm.version(),
        vm.graphics() && !feature.equals("graphics"),
        vm.arm64() && !feature.equals("arm64"),
        vm.vfio() && !feature.equals("vfio"),
        vm.tpm() && !feature.equals("tpm"),
        vm.sev() && !feature.equals("sev"),
        vm.dedicatedOrGuaranteed() && !feature.equals("dedicated"),
        feature.equals("probes") ? 0 : vm.execProbes());
  }

  private String text(Result r) {
    StringWriter buffer = new StringWriter();
    PrintWriter out = new PrintWriter(buffer);
    HarvesterLayout l = r.layout();
    out.printf(
        Locale.ROOT,
        "virt-launcher memory overhead: KubeVirt %s, %s, %s VM with %d %s%n",
        r.vm().version().label(),
        arch,
        mi(memoryBytes),
        vcpus,
        vcpus == 1 ? "vCPU" : "vCPUs");
    out.println();
    List<String[]> rows = new ArrayList<>();
    for (Term t : r.terms()) {
      rows.add(new String[] {t.name(), mi(t.bytes()), t.how()});
    }
    rows.add(new String[] {"overhead", mi(r.baseBytes()), "KubeVirt's estimate"});
    if (ratio != null) {
      rows.add(
          new String[] {
            "x ratio " + r.ratioText(),
            mi(l.scaledOverheadBytes()),
            l.legacy()
                ? "legacy mode (ratio 0): not scaled"
                : "Harvester additional-guest-memory-overhead-ratio"
          });
    }
    if (l.reservedBytes() > 0) {
      rows.add(
          new String[] {
            "reserved memory",
            mi(l.reservedBytes()),
            reservedBytes == null
                ? "legacy mode's default, taken from the guest"
                : "taken from the guest"
          });
    }
    table(out, rows);
    out.println();
    rows.clear();
    rows.add(
        new String[] {
          "pod memory limit",
          mi(l.podLimitBytes()),
          mi(memoryBytes) + " + " + mi(l.scaledOverheadBytes())
        });
    rows.add(
        new String[] {
          "guest memory",
          mi(l.guestBytes()),
          l.reservedBytes() == 0
              ? "all of the VM's memory"
              : mi(memoryBytes) + " - " + mi(l.reservedBytes())
        });
    rows.add(
        new String[] {
          "total overhead",
          mi(l.totalOverheadBytes()),
          l.reservedBytes() == 0
              ? "room beside the guest"
              : mi(l.scaledOverheadBytes())
                  + " + "
                  + mi(l.reservedBytes())
                  + ": room beside the guest"
        });
    if (r.helperRssBytes().isPresent()) {
      long helper = r.helperRssBytes().getAsLong();
      rows.add(
          new String[] {
            "helper RSS",
            mi(helper),
            helper > l.totalOverheadBytes()
                ? "more than the room: the pod hits its limit once the guest uses its memory"
                : "fits in the room"
          });
      rows.add(
          new String[] {
            "ratio needed",
            r.ratioNeeded().isPresent() ? ratioString(r.ratioNeeded().getAsDouble()) : "none",
            r.ratioNeeded().isPresent()
                ? "smallest tenth with " + mi(r.baseBytes()) + " x ratio >= " + mi(helper)
                : "not even 10.0 covers it: use reserved memory or fewer devices"
          });
      long reserve = r.reservedNeeded().getAsLong();
      rows.add(
          new String[] {
            "or reserved",
            mi(reserve),
            reserve == 0
                ? "none needed at this ratio"
                : mi(helper)
                    + " - "
                    + mi(l.scaledOverheadBytes())
                    + " at this ratio"
                    + (reserve >= memoryBytes
                        ? ": more than the VM's memory, give the VM more"
                        : "")
          });
    }
    table(out, rows);
    out.flush();
    return buffer.toString();
  }

  private static void table(PrintWriter out, List<String[]> rows) {
    int name = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    int size = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
    for (String[] r : rows) {
      out.print(
          "  "
              + r[0]
              + " ".repeat(name - r[0].length() + 2)
              + " ".repeat(size - r[1].length())
              + r[1]
              + "   "
              + r[2]
              + "\n");
    }
  }

  private String json(Result r) {
    StringWriter buffer = new StringWriter();
    HarvesterLayout l = r.layout();
    try (JsonGenerator g = new JsonFactory().createGenerator(buffer)) {
      pretty(g);
      g.writeStartObject();
      g.writeStringField("kubevirt_version", r.vm().version().label());
      g.writeStringField("arch", arch.name());
      g.writeNumberField("memory_bytes", memoryBytes);
      g.writeNumberField("vcpus", vcpus);
      g.writeArrayFieldStart("terms");
      for (Term t : r.terms()) {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeNumberField("bytes", t.bytes());
        g.writeStringField("how", t.how());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("overhead_bytes", r.baseBytes());
      g.writeFieldName("ratio");
      g.writeNumber(
          new BigDecimal(
              ratio == null
                  ? "1.0"
                  : Double.toString(KubevirtOverhead.parseHarvesterRatio(r.ratioText()))));
      g.writeBooleanField("legacy", l.legacy());
      g.writeNumberField("scaled_overhead_bytes", l.scaledOverheadBytes());
      g.writeNumberField("reserved_bytes", l.reservedBytes());
      g.writeNumberField("pod_limit_bytes", l.podLimitBytes());
      g.writeNumberField("guest_bytes", l.guestBytes());
      g.writeNumberField("total_overhead_bytes", l.totalOverheadBytes());
      if (r.helperRssBytes().isPresent()) {
        g.writeObjectFieldStart("helper");
        g.writeNumberField("rss_bytes", r.helperRssBytes().getAsLong());
        g.writeFieldName("ratio_needed");
        if (r.ratioNeeded().isPresent()) {
          g.writeNumber(new BigDecimal(ratioString(r.ratioNeeded().getAsDouble())));
        } else {
          g.writeNull();
        }
        g.writeNumberField("reserved_needed_bytes", r.reservedNeeded().getAsLong());
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing JSON to memory failed", e);
    }
    return buffer + "\n";
  }

  /** Indents JSON as the JSON report does: two spaces, {@code "key": value}. */
  static void pretty(JsonGenerator g) {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    Separators separators =
        Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator("");
    g.setPrettyPrinter(
        new DefaultPrettyPrinter(separators)
            .withObjectIndenter(indenter)
            .withArrayIndenter(indenter));
  }

  private static String ratioString(double ratio) {
    return String.format(Locale.ROOT, "%.1f", ratio);
  }

  /** Bytes as Mi, with up to two decimals when not whole: {@code 240Mi}, {@code 5.86Mi}. */
  static String mi(long bytes) {
    if (bytes % MIB == 0) {
      return bytes / MIB + "Mi";
    }
    return BigDecimal.valueOf(bytes)
            .divide(BigDecimal.valueOf(MIB), 2, RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString()
        + "Mi";
  }

  /** KubeVirt's overhead table for a range label or a release. */
  static final class VersionConverter implements ITypeConverter<Version> {
    private static final Pattern RELEASE = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.\\d+)?");

    @Override
    public Version convert(String value) {
      for (Version v : Version.values()) {
        if (v.label().equalsIgnoreCase(value)) {
          return v;
        }
      }
      Matcher m = RELEASE.matcher(value.strip());
      if (m.matches()) {
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        int n = major * 1000 + minor;
        if (n == 50) {
          return Version.V0_50;
        }
        if (n >= 59 && n <= 1004) {
          return Version.V0_59_TO_1_4;
        }
        if (n >= 1005 && n <= 1009) {
          return Version.V1_5_TO_1_9;
        }
        if (n >= 1010) {
          return Version.MAIN;
        }
      }
      throw new TypeConversionException(
          "'"
              + value
              + "' has no overhead table: use v0.50,"
              + " v0.59-v1.4, v1.5-v1.9, main, or a release from v0.59 on");
    }
  }

  /** Writes a command's output to standard output or {@code --output}. */
  static final class ReportFile {
    private ReportFile() {}

    static int write(CommandSpec spec, Path output, String text) {
      if (output == null) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(text);
        out.flush();
        return ExitCodes.OK;
      }
      try {
        Files.writeString(output, text, StandardCharsets.UTF_8);
        return ExitCodes.OK;
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println(
                "oomlens: cannot write " + output + ": " + dev.oomlens.core.source.IoReasons.of(e));
        return ExitCodes.INPUT;
      }
    }
  }
}
