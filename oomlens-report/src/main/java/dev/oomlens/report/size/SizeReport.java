package dev.oomlens.report.size;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.oomlens.core.calc.JvmBudget;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.rules.Shell;
import dev.oomlens.core.series.MemoryShape;
import dev.oomlens.core.series.Sizing;
import dev.oomlens.report.escape.EscapingWriter;
import dev.oomlens.report.json.FindingsJsonWriter;
import dev.oomlens.report.markdown.Markdown;
import dev.oomlens.report.text.DiagnosisTextWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * The plans are computed in core (Sizing); this only lays them out. The patch targets the pod's
 * controller, since a pod's resources cannot be patched in place on most clusters: a pod named
 * NAME-<replicaset hash>-<5 chars> belongs to Deployment NAME, NAME-<ordinal> to StatefulSet NAME;
 * for any other pod the resources are printed as YAML with the pod named in a comment. A leak gets
 * no patch: its limit is not the fix.
 */

/** Writes {@code oomlens size}'s plans as a table, JSON or a patch. */
public final class SizeReport {
  private static final Pattern DEPLOYMENT_POD =
      Pattern.compile("^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$");
  private static final Pattern STATEFUL_POD = Pattern.compile("^(.+)-[0-9]+$");

  private SizeReport() {}

  /** The table, then the findings, then why ours differs from the VPA recommender and KRR. */
  public static void text(
      PrintWriter out, String source, List<Sizing.SizePlan> plans, Diagnosis d) {
    out.print(
        "Memory of "
            + plans.size()
            + (plans.size() == 1 ? " workload" : " workloads")
            + " from "
            + source
            + "\n\n");
    String fmt = "%-40s %-10s %8s %9s %9s %9s %9s | %9s %9s | %9s %9s\n";
    out.print(
        String.format(
            Locale.ROOT,
            fmt,
            "WORKLOAD",
            "SHAPE",
            "RESTARTS",
            "P50",
            "P95",
            "PEAK",
            "LIMIT",
            "REQUEST",
            "LIMIT",
            "VPA",
            "KRR"));
    for (Sizing.SizePlan p : plans) {
      MemoryShape s = p.shape();
      out.print(
          String.format(
              Locale.ROOT,
              fmt,
              p.id().name(),
              s.shape().label(),
              count(s.restarts()),
              mi(s.p50Bytes()),
              mi(s.p95Bytes()),
              mi(s.peakBytes()),
              mi(s.limitBytes()),
              mi(p.ours().requestBytes()),
              mi(p.ours().limitBytes()),
              mi(p.vpa().requestBytes()),
              mi(p.krr().limitBytes())));
    }
    out.print(
        "\nRESTARTS are kube-state-metrics' restart counter's in the window (- without it). The"
            + " columns after the first bar are oomlens's request and limit; VPA is the"
            + " VPA recommender's target request, KRR its simple strategy's request and limit.\n");
    for (Sizing.SizePlan p : plans) {
      out.print("  " + p.id().name() + ": " + p.ours().why() + "\n");
      p.jvm().ifPresent(j -> out.print("    a JVM (" + basis(j) + "): " + j.summary() + "\n"));
      vpaRange(p).ifPresent(r -> out.print("    " + r + "\n"));
    }
    out.print("\nWhy oomlens differs:\n");
    for (MemoryShape shape : firstOfEachShape(plans)) {
      out.print("  " + shape.shape().label() + ": " + Sizing.whyOursDiffers(shape) + "\n");
    }
    if (!d.findings().isEmpty()) {
      out.print("\n");
      new DiagnosisTextWriter(out).findings(d);
    }
    out.flush();
  }

  /**
   * The table, the reasons, the findings and the patch as Markdown, for a ticket or a pull request:
   * every name from the input goes through the project's Markdown escaping.
   */
  public static void markdown(
      PrintWriter out, String source, List<Sizing.SizePlan> plans, Diagnosis d) {
    out.print(
        "## Memory sizes of "
            + plans.size()
            + (plans.size() == 1 ? " workload" : " workloads")
            + "\n\nFrom "
            + Markdown.code(source)
            + ". Restarts are kube-state-metrics' restart counter's in the window. Request and"
            + " limit are oomlens's; VPA is the VPA recommender's target request, KRR"
            + " its simple strategy's request and limit.\n\n");
    List<String> header =
        List.of(
            "Workload",
            "Shape",
            "Restarts",
            "P50",
            "P95",
            "Peak",
            "Limit now",
            "Request",
            "Limit",
            "VPA",
            "KRR");
    out.print(Markdown.row(header));
    out.print(Markdown.separator(header.size()));
    for (Sizing.SizePlan p : plans) {
      MemoryShape s = p.shape();
      out.print(
          Markdown.row(
              List.of(
                  Markdown.cell(Markdown.code(p.id().name())),
                  s.shape().label(),
                  count(s.restarts()),
                  mi(s.p50Bytes()),
                  mi(s.p95Bytes()),
                  mi(s.peakBytes()),
                  mi(s.limitBytes()),
                  mi(p.ours().requestBytes()),
                  mi(p.ours().limitBytes()),
                  mi(p.vpa().requestBytes()),
                  mi(p.krr().limitBytes()))));
    }
    out.print("\n### Why these sizes\n\n");
    for (Sizing.SizePlan p : plans) {
      out.print("- " + Markdown.code(p.id().name()) + ": " + Markdown.text(p.ours().why()));
      p.jvm().ifPresent(j -> out.print(" A JVM (" + basis(j) + "): " + jvmMarkdown(j) + "."));
      vpaRange(p).ifPresent(r -> out.print(" " + Markdown.text(r) + "."));
      out.print("\n");
    }
    out.print("\n### Why oomlens differs from the VPA recommender and KRR\n\n");
    for (MemoryShape shape : firstOfEachShape(plans)) {
      out.print(
          "- " + shape.shape().label() + ": " + Markdown.text(Sizing.whyOursDiffers(shape)) + "\n");
    }
    if (!d.findings().isEmpty()) {
      out.print("\n### Findings\n\n");
      for (Finding f : d.findings()) {
        out.print(
            "- **"
                + f.code()
                + "** ("
                + f.severity().jsonName()
                + "): "
                + Markdown.text(f.summary())
                + "\n");
        for (Fix fix : f.fixes()) {
          out.print("  - Fix: " + Markdown.text(fix.action()) + "\n");
        }
      }
    }
    StringWriter patch = new StringWriter();
    PrintWriter shown = EscapingWriter.wrap(new PrintWriter(patch));
    patch(shown, plans);
    shown.flush();
    out.print("\n### Patch\n\n" + Markdown.fenced("sh", patch.toString()));
    out.flush();
  }

  /** The first workload of each shape, in the shapes' order: the one whose numbers explain it. */
  private static Collection<MemoryShape> firstOfEachShape(List<Sizing.SizePlan> plans) {
    Map<MemoryShape.Shape, MemoryShape> first = new EnumMap<>(MemoryShape.Shape.class);
    for (Sizing.SizePlan p : plans) {
      first.putIfAbsent(p.shape().shape(), p.shape());
    }
    return first.values();
  }

  /** {@code workloads} (each plan) and the diagnosis's sections ({@code findings}, ...). */
  public static void json(Writer out, List<Sizing.SizePlan> plans, Diagnosis d) throws IOException {
    JsonGenerator json = new JsonFactory().createGenerator(out);
    json.setPrettyPrinter(new DefaultPrettyPrinter());
    json.writeStartObject();
    json.writeArrayFieldStart("workloads");
    for (Sizing.SizePlan p : plans) {
      MemoryShape s = p.shape();
      json.writeStartObject();
      json.writeStringField("namespace", p.id().namespace());
      json.writeStringField("pod", p.id().pod());
      json.writeStringField("container", p.id().container());
      json.writeStringField("shape", s.shape().label());
      json.writeNumberField("p50_bytes", s.p50Bytes());
      json.writeNumberField("p95_bytes", s.p95Bytes());
      json.writeNumberField("peak_bytes", s.peakBytes());
      bytes(json, "current_request_bytes", s.requestBytes());
      bytes(json, "current_limit_bytes", s.limitBytes());
      bytes(json, "request_bytes", p.ours().requestBytes());
      bytes(json, "limit_bytes", p.ours().limitBytes());
      json.writeStringField("why", p.ours().why());
      bytes(json, "held_at_kill_bytes", p.heldAtKillBytes());
      if (p.jvm().isPresent() && !p.jvm().get().flags().isEmpty()) {
        json.writeStringField("jvm_flags", String.join(" ", p.jvm().get().flags()));
      } else {
        json.writeNullField("jvm_flags");
      }
      jvm(json, p.jvm());
      json.writeNumberField("kills", p.kills());
      if (!Double.isNaN(s.slopeBytesPerHour())) {
        json.writeNumberField("trend_bytes_per_hour", Math.round(s.slopeBytesPerHour()));
      }
      json.writeNumberField("lives", s.lives());
      if (s.restarts().isPresent()) {
        json.writeNumberField("restarts", s.restarts().getAsLong());
      } else {
        json.writeNullField("restarts");
      }
      json.writeStringField("from", s.from().toString());
      json.writeStringField("to", s.to().toString());
      json.writeNumberField("samples", s.samples());
      json.writeObjectFieldStart("vpa");
      bytes(json, "target_request_bytes", p.vpa().requestBytes());
      bytes(json, "lower_bound_bytes", p.vpaBounds().lowerBytes());
      bytes(json, "upper_bound_bytes", p.vpaBounds().upperBytes());
      json.writeNumberField(
          "confidence_days", Math.round(p.vpaBounds().confidenceDays() * 100) / 100.0);
      json.writeStringField("why", p.vpa().why());
      json.writeEndObject();
      json.writeObjectFieldStart("krr");
      bytes(json, "request_bytes", p.krr().requestBytes());
      bytes(json, "limit_bytes", p.krr().limitBytes());
      json.writeStringField("why", p.krr().why());
      json.writeEndObject();
      json.writeStringField("why_ours_differs", Sizing.whyOursDiffers(s));
      json.writeEndObject();
    }
    json.writeEndArray();
    FindingsJsonWriter.section(d).write(json);
    json.writeEndObject();
    json.flush();
    out.write("\n");
    out.flush();
  }

  private static String basis(Sizing.JvmPlan j) {
    return j.basis() == Sizing.JvmBasis.METRICS ? "by its JVM metrics" : "killed as java";
  }

  /** The flags in code, the arithmetic after them in words. */
  private static String jvmMarkdown(Sizing.JvmPlan j) {
    if (j.flags().isEmpty()) {
      return Markdown.text(j.summary());
    }
    String flags = String.join(" ", j.flags());
    String rest = j.summary().substring(flags.length()).strip();
    return Markdown.code(flags) + " " + Markdown.text(rest.replaceFirst("^# ", ""));
  }

  /** The budget behind {@code jvm_flags}; null for a workload that is not a JVM. */
  private static void jvm(JsonGenerator json, java.util.Optional<Sizing.JvmPlan> plan)
      throws IOException {
    if (plan.isEmpty()) {
      json.writeNullField("jvm");
      return;
    }
    Sizing.JvmPlan j = plan.get();
    json.writeObjectFieldStart("jvm");
    json.writeStringField("basis", j.basis().jsonName());
    json.writeBooleanField("fits", !j.flags().isEmpty());
    json.writeArrayFieldStart("flags");
    for (String f : j.flags()) {
      json.writeString(f);
    }
    json.writeEndArray();
    if (j.budget().isPresent()) {
      JvmBudget b = j.budget().get();
      json.writeNumberField("heap_bytes", b.heapBytes());
      json.writeNumberField("metaspace_bytes", b.metaspaceBytes());
      json.writeNumberField("code_cache_bytes", b.codeCacheBytes());
      json.writeNumberField("direct_bytes", b.directBytes());
      json.writeNumberField("stack_bytes", b.stackBytes());
      json.writeNumberField("thread_count", b.threadCount());
      json.writeNumberField("overhead_bytes", b.overheadBytes());
    }
    strings(json, "measured", j.measured());
    strings(json, "defaults", j.defaults());
    json.writeStringField("why", j.summary());
    json.writeEndObject();
  }

  private static void strings(JsonGenerator json, String name, List<String> values)
      throws IOException {
    json.writeArrayFieldStart(name);
    for (String v : values) {
      json.writeString(v);
    }
    json.writeEndArray();
  }

  /** One {@code kubectl patch} per workload whose limit or request should change. */
  public static void patch(PrintWriter out, List<Sizing.SizePlan> plans) {
    for (Sizing.SizePlan p : plans) {
      if (p.ours().requestBytes().isEmpty() || p.ours().limitBytes().isEmpty()) {
        out.print("# " + p.id().name() + ": no change (" + p.ours().why() + ")\n");
        continue;
      }
      if (p.shape().shape() == MemoryShape.Shape.LEAK) {
        out.print("# " + p.id().name() + ": a leak; the limit stays (see the LEAK finding)\n");
        continue;
      }
      String resources =
          "{\"name\":"
              + jsonString(p.id().container())
              + ",\"resources\":{\"requests\":{\"memory\":\""
              + mib(p.ours().requestBytes())
              + "\"},\"limits\":{\"memory\":\""
              + mib(p.ours().limitBytes())
              + "\"}}}";
      List<String> owner = owner(p.id().pod());
      String ns = p.id().namespace().isEmpty() ? "" : " -n " + Shell.quote(p.id().namespace());
      out.print(
          "# " + p.id().name() + ": " + p.shape().shape().label() + ", " + p.ours().why() + "\n");
      if (owner.isEmpty()) {
        out.print(
            "# the controller of pod "
                + p.id().pod()
                + " is not known from its name;"
                + " set on it:\n# resources: {requests: {memory: "
                + mib(p.ours().requestBytes())
                + "}, limits: {memory: "
                + mib(p.ours().limitBytes())
                + "}}\n");
        continue;
      }
      // Deployments and StatefulSets both keep their pods' spec under spec.template.
      String patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[" + resources + "]}}}}";
      out.print(
          "kubectl"
              + ns
              + " patch "
              + owner.get(0)
              + " "
              + Shell.quote(owner.get(1))
              + " --type=strategic -p "
              + Shell.quote(patch)
              + "\n");
    }
    out.flush();
  }

  /** {@code [kind, name]} of the controller a pod's name points to; empty when it does not. */
  static List<String> owner(String pod) {
    Matcher d = DEPLOYMENT_POD.matcher(pod);
    if (d.matches()) {
      return List.of("deployment", d.group(1));
    }
    Matcher s = STATEFUL_POD.matcher(pod);
    if (s.matches()) {
      return List.of("statefulset", s.group(1));
    }
    return new ArrayList<>();
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** The range the VPA updater keeps the request in, in words; empty when the VPA has no target. */
  static java.util.Optional<String> vpaRange(Sizing.SizePlan p) {
    Sizing.VpaBounds b = p.vpaBounds();
    if (b.lowerBytes().isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        String.format(
            Locale.ROOT,
            "the VPA updater would keep the request between %s and %s (confidence %.1f days)",
            mib(b.lowerBytes()),
            b.upperBytes().isPresent() ? mib(b.upperBytes()) : "no upper bound",
            b.confidenceDays()));
  }

  private static void bytes(JsonGenerator json, String name, OptionalLong v) throws IOException {
    if (v.isPresent()) {
      json.writeNumberField(name, v.getAsLong());
    } else {
      json.writeNullField(name);
    }
  }

  private static String mib(OptionalLong v) {
    return Math.ceilDiv(v.getAsLong(), 1L << 20) + "Mi";
  }

  private static String mi(long v) {
    return Math.ceilDiv(v, 1L << 20) + "Mi";
  }

  /** A count, or "-" where the series that gives it did not come. */
  private static String count(OptionalLong v) {
    return v.isPresent() ? Long.toString(v.getAsLong()) : "-";
  }

  private static String mi(OptionalLong v) {
    return v.isPresent() ? mi(v.getAsLong()) : "-";
  }
}
