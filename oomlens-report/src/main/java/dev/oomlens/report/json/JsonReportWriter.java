package dev.oomlens.report.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.oomlens.core.kernel.KernelLogSink;
import dev.oomlens.core.model.AllocFailure;
import dev.oomlens.core.model.Constraint;
import dev.oomlens.core.model.GroupKill;
import dev.oomlens.core.model.HostMemory;
import dev.oomlens.core.model.KiB;
import dev.oomlens.core.model.KilledTask;
import dev.oomlens.core.model.LogTime;
import dev.oomlens.core.model.MemcgState;
import dev.oomlens.core.model.OomReport;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceRange;
import dev.oomlens.core.model.TaskRow;
import dev.oomlens.core.model.Trigger;
import dev.oomlens.core.model.Victim;
import dev.oomlens.core.model.Workload;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A {@link KernelLogSink} that writes what a kernel log holds as one JSON document, in the schema
 * documented in {@code docs/json.md}.
 *
 * <p>Reports are written, and flushed to the target, as they arrive, so a consumer sees each one
 * while a long log is still being read and memory stays flat however many reports there are.
 * Allocation failures and problems belong after the reports in the document, so they are held until
 * {@link #close()}; to keep that memory bounded, only the first {@value #MAX_BUFFERED} of each are
 * kept and the rest are counted ({@code alloc_failures_dropped}, {@code problems_dropped}).
 *
 * <p>{@link #close()} ends the document and flushes; it does not close the target, which belongs to
 * the caller (it is often standard output). Not thread-safe: feed it from one thread, as the
 * kernel-log reader does. An I/O error of the target is thrown as {@link UncheckedIOException}.
 */
/*
 * jackson-core's streaming JsonGenerator rather than databind: the document is never held whole,
 * and every key is written by hand, which is what keeps the key order fixed and the schema in one
 * place. Maps whose order the model does not keep (memcg stat, Mem-Info counters) are written with
 * their keys sorted, so the same input always gives the same bytes.
 */
public final class JsonReportWriter implements KernelLogSink, Closeable {
  /** The {@code schema_version} written; raised only for a change that is not additive. */
  public static final int SCHEMA_VERSION = 1;

  /** How many allocation failures, and how many problems, are kept for the end of the document. */
  public static final int MAX_BUFFERED = 10_000;

  private static final JsonFactory FACTORY =
      new JsonFactoryBuilder()
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .characterEscapes(JsonEscapes.INSTANCE)
          .build();

  private final JsonGenerator json;
  private final List<AllocFailure> allocFailures = new ArrayList<>();
  private final List<Problem> problems = new ArrayList<>();
  private long allocFailuresDropped;
  private long problemsDropped;
  private boolean closed;

  /** Writes UTF-8 to {@code out}; {@code pretty} indents by two spaces, one key per line. */
  public JsonReportWriter(OutputStream out, boolean pretty) {
    this(
        create(() -> FACTORY.createGenerator(requireNonNull(out, "out"), JsonEncoding.UTF8)),
        pretty);
  }

  /** Writes characters to {@code out}; {@code pretty} indents by two spaces, one key per line. */
  public JsonReportWriter(Writer out, boolean pretty) {
    this(create(() -> FACTORY.createGenerator(requireNonNull(out, "out"))), pretty);
  }

  private JsonReportWriter(JsonGenerator json, boolean pretty) {
    this.json = json;
    if (pretty) {
      DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
      Separators separators =
          Separators.createDefaultInstance()
              .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
              .withObjectEmptySeparator("")
              .withArrayEmptySeparator("");
      json.setPrettyPrinter(
          new DefaultPrettyPrinter(separators)
              .withObjectIndenter(indenter)
              .withArrayIndenter(indenter));
    }
    io(
        () -> {
          json.writeStartObject();
          json.writeNumberField("schema_version", SCHEMA_VERSION);
          json.writeArrayFieldStart("reports");
        });
  }

  @Override
  public void report(OomReport report) {
    requireNonNull(report, "report");
    checkOpen();
    io(
        () -> {
          writeReport(report);
          json.flush();
        });
  }

  @Override
  public void allocFailure(AllocFailure failure) {
    requireNonNull(failure, "failure");
    checkOpen();
    if (allocFailures.size() < MAX_BUFFERED) {
      allocFailures.add(failure);
    } else {
      allocFailuresDropped++;
    }
  }

  @Override
  public void problem(Problem problem) {
    requireNonNull(problem, "problem");
    checkOpen();
    if (problems.size() < MAX_BUFFERED) {
      problems.add(problem);
    } else {
      problemsDropped++;
    }
  }

  /** Writes the buffered allocation failures and problems, ends the document and flushes. */
  @Override
  public void close() {
    close(json -> {});
  }

  /**
   * More top-level keys, written after the document's own by a caller that knows more than the
   * kernel log (the findings, the host): see {@link FindingsJsonWriter}.
   */
  @FunctionalInterface
  public interface Section {
    /** Writes complete {@code "key": value} pairs into the open top-level object. */
    void write(JsonGenerator json) throws IOException;
  }

  /**
   * Like {@link #close()}, with {@code more} writing its keys after {@code problems_dropped},
   * before the document ends.
   */
  public void close(Section more) {
    requireNonNull(more, "more");
    if (closed) {
      return;
    }
    closed = true;
    io(
        () -> {
          json.writeEndArray();
          json.writeArrayFieldStart("alloc_failures");
          for (AllocFailure failure : allocFailures) {
            writeAllocFailure(failure);
          }
          json.writeEndArray();
          json.writeNumberField("alloc_failures_dropped", allocFailuresDropped);
          json.writeArrayFieldStart("problems");
          for (Problem problem : problems) {
            json.writeStartObject();
            json.writeStringField("file", problem.file());
            json.writeNumberField("line", problem.line());
            json.writeStringField("message", problem.message());
            json.writeEndObject();
          }
          json.writeEndArray();
          json.writeNumberField("problems_dropped", problemsDropped);
          more.write(json);
          json.writeEndObject();
          json.writeRaw('\n');
          json.close();
        });
    allocFailures.clear();
    problems.clear();
  }

  private void writeReport(OomReport r) throws IOException {
    json.writeStartObject();
    writeSource(r.source());
    string("host", r.host());
    writeTime(r.time());
    string("kernel", r.kernel());
    string("hardware", r.hardware());
    json.writeBooleanField("complete", r.complete());
    json.writeFieldName("trigger");
    if (r.trigger().isPresent()) {
      writeTrigger(r.trigger().get());
    } else {
      json.writeNull();
    }
    string("constraint", r.constraint().map(Constraint::name));
    string("scope", r.scope().map(s -> s.name().toLowerCase(Locale.ROOT)));
    string("cpuset", r.cpuset());
    string("mems_allowed", r.memsAllowed());
    string("oom_memcg", r.oomMemcg());
    string("task_memcg", r.taskMemcg());
    json.writeFieldName("memcg");
    if (r.memcg().isPresent()) {
      writeMemcg(r.memcg().get());
    } else {
      json.writeNull();
    }
    json.writeFieldName("host_memory");
    writeHostMemory(r.hostMemory(), r.pageSizeBytes());
    json.writeArrayFieldStart("tasks");
    for (TaskRow task : r.tasks()) {
      writeTask(task, r.pageSizeBytes());
    }
    json.writeEndArray();
    json.writeFieldName("victim");
    if (r.victim().isPresent()) {
      writeVictim(r.victim().get());
    } else {
      json.writeNull();
    }
    json.writeFieldName("group_kill");
    if (r.groupKill().isPresent()) {
      writeGroupKill(r.groupKill().get());
    } else {
      json.writeNull();
    }
    json.writeFieldName("reaped");
    if (r.reaped().isPresent()) {
      json.writeBoolean(r.reaped().get());
    } else {
      json.writeNull();
    }
    string("panic", r.panic());
    json.writeBooleanField("no_killable_processes", r.noKillableProcesses());
    writeWorkload(r.workload());
    json.writeEndObject();
  }

  private void writeSource(SourceRange source) throws IOException {
    json.writeObjectFieldStart("source");
    json.writeStringField("file", source.file());
    json.writeNumberField("first_line", source.firstLine());
    json.writeNumberField("last_line", source.lastLine());
    json.writeEndObject();
  }

  private void writeTime(LogTime time) throws IOException {
    json.writeFieldName("time");
    JsonFields.time(json, time);
  }

  private void writeTrigger(Trigger t) throws IOException {
    json.writeStartObject();
    json.writeStringField("comm", t.comm());
    number("pid", t.pid());
    string("gfp_mask", t.gfpMask());
    number("order", t.order());
    number("oom_score_adj", t.oomScoreAdj());
    json.writeEndObject();
  }

  private void writeMemcg(MemcgState m) throws IOException {
    json.writeStartObject();
    json.writeNumberField("usage_kb", KiB.fromBytes(m.usageBytes()));
    json.writeNumberField("limit_kb", KiB.fromBytes(m.limitBytes()));
    number("failcnt", m.failcnt());
    kb("swap_usage_kb", m.swapUsageBytes());
    kb("swap_limit_kb", m.swapLimitBytes());
    number("swap_failcnt", m.swapFailcnt());
    kb("memsw_usage_kb", m.memswUsageBytes());
    kb("memsw_limit_kb", m.memswLimitBytes());
    number("memsw_failcnt", m.memswFailcnt());
    kb("kmem_usage_kb", m.kmemUsageBytes());
    kb("kmem_limit_kb", m.kmemLimitBytes());
    number("kmem_failcnt", m.kmemFailcnt());
    string("stat_cgroup", m.statCgroup());
    json.writeFieldName("stat");
    writeSortedCounters(m.stat());
    json.writeObjectFieldStart("stat_by_cgroup");
    for (Map.Entry<String, Map<String, Long>> block : m.statByCgroup().entrySet()) {
      json.writeFieldName(block.getKey());
      writeSortedCounters(block.getValue());
    }
    json.writeEndObject();
    json.writeEndObject();
  }

  /** The block as the kernel printed it: page counts at {@code pageBytes}, sizes in kB. */
  private void writeHostMemory(Optional<HostMemory> hostMemory, long pageBytes) throws IOException {
    if (hostMemory.isEmpty()) {
      json.writeNull();
      return;
    }
    HostMemory h = hostMemory.get();
    json.writeStartObject();
    json.writeFieldName("counters_pages");
    Map<String, Long> counterPages = new LinkedHashMap<>();
    h.counterBytes().forEach((k, v) -> counterPages.put(k, v / pageBytes));
    writeSortedCounters(counterPages);
    json.writeArrayFieldStart("zones");
    for (HostMemory.ZoneMemory z : h.zones()) {
      json.writeStartObject();
      json.writeNumberField("node", z.node());
      json.writeStringField("zone", z.zone());
      kb("free_kb", z.freeBytes());
      kb("min_kb", z.minBytes());
      kb("low_kb", z.lowBytes());
      kb("high_kb", z.highBytes());
      kb("present_kb", z.presentBytes());
      kb("managed_kb", z.managedBytes());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeArrayFieldStart("hugepages");
    for (HostMemory.Hugepages p : h.hugepages()) {
      json.writeStartObject();
      json.writeNumberField("node", p.node());
      json.writeNumberField("total", p.total());
      json.writeNumberField("free", p.free());
      json.writeNumberField("surp", p.surp());
      json.writeNumberField("size_kb", KiB.fromBytes(p.sizeBytes()));
      json.writeEndObject();
    }
    json.writeEndArray();
    pages("pagecache_pages", h.pagecacheBytes(), pageBytes);
    pages("swap_cache_pages", h.swapCacheBytes(), pageBytes);
    kb("free_swap_kb", h.freeSwapBytes());
    kb("total_swap_kb", h.totalSwapBytes());
    pages("ram_pages", h.ramBytes(), pageBytes);
    pages("reserved_pages", h.reservedBytes(), pageBytes);
    pages("cma_reserved_pages", h.cmaReservedBytes(), pageBytes);
    pages("highmem_pages", h.highmemBytes(), pageBytes);
    pages("hwpoisoned_pages", h.hwpoisonedBytes(), pageBytes);
    json.writeArrayFieldStart("unreclaimable_slab");
    for (HostMemory.SlabEntry s : h.unreclaimableSlab()) {
      json.writeStartObject();
      json.writeStringField("name", s.name());
      json.writeNumberField("used_kb", KiB.fromBytes(s.usedBytes()));
      json.writeNumberField("total_kb", KiB.fromBytes(s.totalBytes()));
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  /** The row as the kernel printed it: memory columns in pages of {@code pageBytes}. */
  private void writeTask(TaskRow t, long pageBytes) throws IOException {
    json.writeStartObject();
    json.writeNumberField("pid", t.pid());
    number("uid", t.uid());
    number("tgid", t.tgid());
    json.writeNumberField("total_vm_pages", t.totalVmBytes() / pageBytes);
    json.writeNumberField("rss_pages", t.rssBytes() / pageBytes);
    pages("rss_anon_pages", t.rssAnonBytes(), pageBytes);
    pages("rss_file_pages", t.rssFileBytes(), pageBytes);
    pages("rss_shmem_pages", t.rssShmemBytes(), pageBytes);
    number("pgtables_bytes", t.pgtablesBytes());
    pages("nr_ptes_pages", t.nrPtesBytes(), pageBytes);
    pages("nr_pmds_pages", t.nrPmdsBytes(), pageBytes);
    pages("swapents", t.swapBytes(), pageBytes);
    json.writeNumberField("oom_score_adj", t.oomScoreAdj());
    json.writeStringField("comm", t.comm());
    json.writeEndObject();
  }

  private void writeVictim(Victim v) throws IOException {
    json.writeStartObject();
    json.writeNumberField("pid", v.pid());
    json.writeStringField("comm", v.comm());
    kb("total_vm_kb", v.totalVmBytes());
    kb("anon_rss_kb", v.anonRssBytes());
    kb("file_rss_kb", v.fileRssBytes());
    kb("shmem_rss_kb", v.shmemRssBytes());
    number("uid", v.uid());
    kb("pgtables_kb", v.pgtablesBytes());
    number("oom_score_adj", v.oomScoreAdj());
    number("score", v.score());
    json.writeEndObject();
  }

  private void writeGroupKill(GroupKill g) throws IOException {
    json.writeStartObject();
    json.writeStringField("cgroup", g.cgroup());
    json.writeArrayFieldStart("killed");
    for (KilledTask k : g.killed()) {
      json.writeStartObject();
      json.writeNumberField("pid", k.pid());
      json.writeStringField("comm", k.comm());
      kb("anon_rss_kb", k.anonRssBytes());
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private void writeWorkload(Workload w) throws IOException {
    json.writeObjectFieldStart("workload");
    json.writeStringField("kind", w.kind().jsonName());
    string("cgroup", w.cgroup());
    string("pod_uid", w.podUid());
    string("container_id", w.containerId());
    string("runtime", w.runtime());
    string("qos_class", w.qosClass().map(Enum::name));
    string("unit", w.unit());
    json.writeBooleanField("kubevirt", w.kubevirt());
    json.writeEndObject();
  }

  private void writeAllocFailure(AllocFailure f) throws IOException {
    json.writeStartObject();
    writeSource(f.source());
    string("host", f.host());
    writeTime(f.time());
    json.writeStringField("comm", f.comm());
    number("pid", f.pid());
    json.writeNumberField("order", f.order());
    string("gfp_mask", f.gfpMask());
    json.writeStringField("kind", f.kind());
    json.writeFieldName("host_memory");
    writeHostMemory(f.hostMemory(), f.pageSizeBytes());
    json.writeEndObject();
  }

  private void writeSortedCounters(Map<String, Long> counters) throws IOException {
    JsonFields.sortedCounters(json, counters);
  }

  private void string(String name, Optional<String> value) throws IOException {
    JsonFields.string(json, name, value);
  }

  private void number(String name, OptionalLong value) throws IOException {
    JsonFields.number(json, name, value);
  }

  private void number(String name, OptionalInt value) throws IOException {
    JsonFields.number(json, name, value);
  }

  /** A size in bytes as the kB the kernel printed. */
  private void kb(String name, OptionalLong bytes) throws IOException {
    number(
        name,
        bytes.isPresent()
            ? OptionalLong.of(KiB.fromBytes(bytes.getAsLong()))
            : OptionalLong.empty());
  }

  /** A size in bytes as the page count the kernel printed. */
  private void pages(String name, OptionalLong bytes, long pageBytes) throws IOException {
    number(
        name,
        bytes.isPresent() ? OptionalLong.of(bytes.getAsLong() / pageBytes) : OptionalLong.empty());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the JSON document is already closed");
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T create(IoSupplier<T> supplier) {
    try {
      return supplier.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void io(IoAction action) {
    try {
      action.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
