package dev.oomlens.report.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.oomlens.core.diagnosis.Confirmation;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.diagnosis.IncidentDiagnosis;
import dev.oomlens.core.finding.Finding;
import dev.oomlens.core.finding.Fix;
import dev.oomlens.core.finding.LimitChange;
import dev.oomlens.core.host.CgroupMemory;
import dev.oomlens.core.host.HostSnapshot;
import dev.oomlens.core.host.KeyedValues;
import dev.oomlens.core.host.KillerEvent;
import dev.oomlens.core.host.PressureStall;
import dev.oomlens.core.host.SwapDevice;
import dev.oomlens.core.host.ZramDevice;
import dev.oomlens.core.model.Citation;
import dev.oomlens.core.model.FileValue;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.ObjectField;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SeriesWindow;
import dev.oomlens.core.model.SourceLine;
import dev.oomlens.core.model.Workload;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.rules.Incident;
import dev.oomlens.core.rules.RuleEngine;
import dev.oomlens.core.rules.RuleRegistry;
import java.io.IOException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The keys the root-cause engine adds to the document (docs/json.md, "Diagnosis"): written after
 * the kernel-log keys because they need every report first. The same rules hold as for the rest
 * of the document: every key always present (null or [] for what is not known), fixed key order,
 * kernel-named maps sorted, integers with their unit in the key.
 */

/**
 * Writes the diagnosis part of the JSON document: {@code incidents}, {@code findings}, {@code
 * userspace_kills} and {@code host}, as a {@link JsonReportWriter.Section}.
 */
public final class FindingsJsonWriter {
  /** The /proc/vmstat counters the {@code host.vmstat} object carries, in this order. */
  public static final List<String> VMSTAT_KEYS =
      List.of(
          "oom_kill",
          "pswpin",
          "pswpout",
          "workingset_refault",
          "workingset_refault_anon",
          "workingset_refault_file",
          "pgmajfault");

  private final JsonGenerator json;

  private FindingsJsonWriter(JsonGenerator json) {
    this.json = json;
  }

  /**
   * The section for {@code evidence} and {@code findings}. The reports of {@code evidence} must be
   * the ones the document's {@code reports} array holds, in the same order: incidents cite them by
   * their index there.
   */
  public static JsonReportWriter.Section section(Diagnosis diagnosis) {
    requireNonNull(diagnosis, "diagnosis");
    return json -> new FindingsJsonWriter(json).write(diagnosis);
  }

  private void write(Diagnosis d) throws IOException {
    EvidenceSet evidence = d.evidence();
    List<Finding> findings = d.findings();
    Map<OomReport, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < evidence.reports().size(); i++) {
      index.putIfAbsent(evidence.reports().get(i), i);
    }
    Map<String, IncidentDiagnosis> ranked = new HashMap<>();
    d.incidents().forEach(i -> ranked.put(i.incident().id(), i));
    json.writeArrayFieldStart("incidents");
    for (Incident incident : evidence.incidents()) {
      writeIncident(incident, ranked.get(incident.id()), index, evidence.podOf(incident));
    }
    json.writeEndArray();
    json.writeArrayFieldStart("findings");
    for (Finding finding : findings) {
      writeFinding(finding);
    }
    json.writeEndArray();
    json.writeArrayFieldStart("userspace_kills");
    for (KillerEvent event : evidence.killers()) {
      writeKiller(event);
    }
    json.writeEndArray();
    json.writeFieldName("host");
    if (evidence.host().isPresent()) {
      writeHost(evidence.host().get());
    } else {
      json.writeNull();
    }
    writeConfirmed(d.confirmation());
    json.writeArrayFieldStart("inputs");
    for (Input input : evidence.inputs()) {
      writeInput(input);
    }
    json.writeEndArray();
  }

  private void writeConfirmed(Confirmation c) throws IOException {
    json.writeObjectFieldStart("confirmed");
    json.writeStringField("state", c.state().name().toLowerCase(Locale.ROOT));
    json.writeNumberField("kernel_kills", c.kernelKills());
    json.writeNumberField("reports_without_kill", c.reportsWithoutKill());
    json.writeObjectFieldStart("userspace_kills");
    for (Map.Entry<String, Long> e : c.userspaceKills().entrySet()) {
      json.writeNumberField(e.getKey(), e.getValue());
    }
    json.writeEndObject();
    json.writeBooleanField("partial", c.partial());
    string("selection", c.selection().isEmpty() ? Optional.empty() : Optional.of(c.selection()));
    json.writeNumberField("unplaced_reports", c.unplaced());
    json.writeEndObject();
  }

  private void writeInput(Input input) throws IOException {
    json.writeStartObject();
    json.writeStringField("name", input.name());
    json.writeStringField("kind", input.kind().jsonName());
    string("span", input.span());
    json.writeBooleanField("read_whole", input.isWhole());
    string("why_not_whole", input.whyNotWhole());
    json.writeNumberField("events", input.events());
    json.writeNumberField("problems", input.problems().size());
    json.writeEndObject();
  }

  private void writeIncident(
      Incident incident,
      IncidentDiagnosis ranked,
      Map<OomReport, Integer> index,
      Optional<String> pod)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("id", incident.id());
    json.writeNumberField("rank", ranked.rank());
    json.writeStringField("where", ranked.where());
    json.writeNumberField("kills", ranked.kills());
    json.writeStringField("severity", ranked.severity().jsonName());
    string("host", incident.host());
    string("cgroup", incident.cgroup());
    // Only when doctor asked a cluster for pod names and it named this one.
    if (pod.isPresent()) {
      json.writeStringField("pod", pod.get());
    }
    json.writeArrayFieldStart("reports");
    for (OomReport report : incident.reports()) {
      Integer i = index.get(report);
      if (i != null) {
        json.writeNumber(i);
      }
    }
    json.writeEndArray();
    json.writeFieldName("first_time");
    writeTime(incident.reports().getFirst().time());
    json.writeFieldName("last_time");
    writeTime(incident.reports().getLast().time());
    json.writeEndObject();
  }

  private void writeFinding(Finding f) throws IOException {
    json.writeStartObject();
    json.writeStringField("code", f.code());
    json.writeStringField("severity", f.severity().jsonName());
    json.writeStringField("confidence", f.confidence().jsonName());
    string(
        "scope", RuleRegistry.info(f.code()).map(i -> i.scope().name().toLowerCase(Locale.ROOT)));
    json.writeStringField("summary", f.summary());
    json.writeStringField("reasoning", f.reasoning());
    json.writeArrayFieldStart("evidence");
    for (Citation c : f.evidence()) {
      writeCitation(c);
    }
    json.writeEndArray();
    writeObjects(f);
    json.writeArrayFieldStart("fixes");
    for (Fix fix : f.fixes()) {
      json.writeStartObject();
      json.writeStringField("layer", fix.layer().jsonName());
      json.writeStringField("action", fix.action());
      string("snippet", fix.snippet());
      json.writeFieldName("limit_change");
      if (fix.limit().isPresent()) {
        LimitChange c = fix.limit().get();
        json.writeStartObject();
        json.writeStringField("cgroup", c.cgroup());
        json.writeStringField("limit", c.knob().jsonName());
        number("current_bytes", c.currentBytes());
        json.writeNumberField("new_bytes", c.newBytes());
        json.writeEndObject();
      } else {
        json.writeNull();
      }
      json.writeEndObject();
    }
    json.writeEndArray();
    string("doc", docPath(f));
    json.writeArrayFieldStart("incidents");
    for (String id : f.incidents()) {
      json.writeString(id);
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  /** The rule's page, {@code docs/rules/<CODE>.md}; none for the engine's own error finding. */
  public static Optional<String> docPath(Finding f) {
    return f.code().equals(RuleEngine.ENGINE_ERROR)
        ? Optional.empty()
        : Optional.of("docs/rules/" + f.code() + ".md");
  }

  /*
   * A log line keeps the three keys it always had; the kind key says which shape an entry has, so
   * readers that knew only log lines keep working and new ones can switch on it.
   */
  private void writeCitation(Citation c) throws IOException {
    switch (c) {
      case SourceLine line -> writeLine(line);
      case FileValue v -> {
        json.writeStartObject();
        json.writeStringField("kind", "file_value");
        json.writeStringField("path", v.path());
        json.writeStringField("key", v.key());
        json.writeStringField("value", v.value());
        json.writeNumberField("line", v.line());
        json.writeEndObject();
      }
      case SeriesWindow w -> {
        json.writeStartObject();
        json.writeStringField("kind", "series_window");
        json.writeStringField("query", w.query());
        json.writeObjectFieldStart("labels");
        for (Map.Entry<String, String> e : w.labels().entrySet()) {
          json.writeStringField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
        json.writeStringField("from", w.from().toString());
        json.writeStringField("to", w.to().toString());
        json.writeArrayFieldStart("samples");
        for (SeriesWindow.Sample sample : w.samples()) {
          json.writeStartArray();
          json.writeString(sample.time().toString());
          json.writeNumber(sample.value());
          json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      case ObjectField o -> {
        json.writeStartObject();
        json.writeStringField("kind", "object_field");
        json.writeStringField("object_kind", o.kind());
        string("namespace", o.namespace());
        json.writeStringField("name", o.name());
        json.writeStringField("field", o.fieldPath());
        string("value", o.value());
        json.writeEndObject();
      }
    }
  }

  /*
   * The Kubernetes objects a finding is about, each field once: what the cluster command's users
   * filter on. Only findings that cite objects have the key, so the reports of kernel logs keep
   * the shape they had.
   */
  private void writeObjects(Finding f) throws IOException {
    record Field(String kind, Optional<String> namespace, String name, String field) {}
    java.util.Set<Field> seen = new java.util.LinkedHashSet<>();
    for (Citation c : f.evidence()) {
      if (c instanceof ObjectField o) {
        seen.add(new Field(o.kind(), o.namespace(), o.name(), o.fieldPath()));
      }
    }
    if (seen.isEmpty()) {
      return;
    }
    json.writeArrayFieldStart("objects");
    for (Field o : seen) {
      json.writeStartObject();
      json.writeStringField("kind", o.kind());
      string("namespace", o.namespace());
      json.writeStringField("name", o.name());
      json.writeStringField("field", o.field());
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private void writeLine(SourceLine line) throws IOException {
    json.writeStartObject();
    json.writeStringField("kind", "log_line");
    json.writeStringField("file", line.file());
    json.writeNumberField("line", line.line());
    json.writeStringField("text", line.text());
    json.writeEndObject();
  }

  private void writeKiller(KillerEvent e) throws IOException {
    json.writeStartObject();
    json.writeStringField("killer", e.killer().jsonName());
    json.writeStringField("action", e.action().jsonName());
    string("host", e.host());
    json.writeFieldName("time");
    writeTime(e.time());
    number("pid", e.pid());
    string("comm", e.comm());
    string("unit", e.unit());
    string("reason", e.reason());
    number("rss_bytes", e.rssBytes());
    json.writeStringField("message", e.message());
    json.writeFieldName("source");
    writeLine(e.source());
    json.writeEndObject();
  }

  private void writeHost(HostSnapshot h) throws IOException {
    json.writeStartObject();
    string("hostname", h.hostname());
    string("kernel", h.kernelRelease());
    json.writeFieldName("meminfo");
    writeSorted(h.meminfo());
    json.writeObjectFieldStart("vmstat");
    for (String key : VMSTAT_KEYS) {
      number(key, h.vmstat().map(v -> v.get(key)).orElse(OptionalLong.empty()));
    }
    json.writeEndObject();
    json.writeFieldName("pressure");
    writePressure(h.memoryPressure());
    json.writeArrayFieldStart("swaps");
    for (SwapDevice s : h.swaps()) {
      json.writeStartObject();
      json.writeStringField("filename", s.filename());
      json.writeStringField("type", s.type());
      json.writeNumberField("size_kb", s.sizeKb());
      json.writeNumberField("used_kb", s.usedKb());
      json.writeNumberField("priority", s.priority());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeArrayFieldStart("zram");
    for (ZramDevice z : h.zram()) {
      json.writeStartObject();
      json.writeStringField("name", z.name());
      json.writeNumberField("disksize_bytes", z.diskSizeBytes());
      string("algorithm", z.algorithm());
      number("orig_data_bytes", z.origDataBytes());
      number("compr_data_bytes", z.comprDataBytes());
      number("mem_used_total_bytes", z.memUsedTotalBytes());
      number("mem_limit_bytes", z.memLimitBytes());
      json.writeEndObject();
    }
    json.writeEndArray();
    bool("zswap_enabled", h.zswapEnabled());
    bool("virtio_balloon", h.virtioBalloon());
    number("configured_vm_memory_bytes", h.configuredVmMemoryBytes());
    json.writeArrayFieldStart("cgroups");
    for (CgroupMemory c : h.cgroups()) {
      writeCgroup(c);
    }
    json.writeEndArray();
    json.writeArrayFieldStart("problems");
    for (Problem p : h.problems()) {
      json.writeStartObject();
      json.writeStringField("file", p.file());
      json.writeNumberField("line", p.line());
      json.writeStringField("message", p.message());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private void writeCgroup(CgroupMemory c) throws IOException {
    json.writeStartObject();
    json.writeStringField("path", c.path());
    json.writeNumberField("version", c.version());
    number("limit_bytes", c.limitBytes());
    number("high_bytes", c.highBytes());
    number("current_bytes", c.currentBytes());
    number("peak_bytes", c.peakBytes());
    number("swap_limit_bytes", c.swapLimitBytes());
    number("swap_current_bytes", c.swapCurrentBytes());
    number("memsw_limit_bytes", c.memswLimitBytes());
    number("memsw_usage_bytes", c.memswUsageBytes());
    number("failcnt", c.failcnt());
    json.writeFieldName("events");
    writeSorted(c.events());
    bool("oom_group", c.oomGroup());
    json.writeFieldName("pressure");
    writePressure(c.pressure());
    Workload w = c.workload();
    json.writeObjectFieldStart("workload");
    json.writeStringField("kind", w.kind().jsonName());
    string("pod_uid", w.podUid());
    string("container_id", w.containerId());
    string("qos_class", w.qosClass().map(Enum::name));
    string("unit", w.unit());
    json.writeEndObject();
    json.writeEndObject();
  }

  private void writePressure(Optional<PressureStall> pressure) throws IOException {
    if (pressure.isEmpty()) {
      json.writeNull();
      return;
    }
    json.writeStartObject();
    json.writeFieldName("some");
    writeStall(Optional.of(pressure.get().some()));
    json.writeFieldName("full");
    writeStall(pressure.get().full());
    json.writeEndObject();
  }

  private void writeStall(Optional<PressureStall.Line> line) throws IOException {
    if (line.isEmpty()) {
      json.writeNull();
      return;
    }
    PressureStall.Line l = line.get();
    json.writeStartObject();
    percent("avg10", l.avg10());
    percent("avg60", l.avg60());
    percent("avg300", l.avg300());
    json.writeNumberField("total_us", l.totalMicros());
    json.writeEndObject();
  }

  private void percent(String name, double value) throws IOException {
    json.writeFieldName(name);
    // The kernel prints two decimals; the binary expansion of the double would add noise.
    json.writeNumber(String.format(Locale.ROOT, "%.2f", value));
  }

  private void writeSorted(Optional<KeyedValues> values) throws IOException {
    if (values.isEmpty()) {
      json.writeNull();
      return;
    }
    JsonFields.sortedCounters(json, values.get().values());
  }

  private void writeTime(LogTime time) throws IOException {
    JsonFields.time(json, time);
  }

  private void string(String name, Optional<String> value) throws IOException {
    JsonFields.string(json, name, value);
  }

  private void number(String name, OptionalLong value) throws IOException {
    JsonFields.number(json, name, value);
  }

  private void bool(String name, Optional<Boolean> value) throws IOException {
    JsonFields.bool(json, name, value);
  }
}
