package dev.oomlens.metrics;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.kernel.KernelLogReader;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Problem;
import dev.oomlens.core.rules.EvidenceSet;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.core.source.IoReasons;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/*
 * A fleet's kernel lines from Loki, read by the same kernel-log reader as a file: the query's
 * entries are split per host by their stream's labels (host, hostname, nodename, node_name,
 * instance, the first present), spooled to one temporary file per host in time order, then each
 * file is read as an input named by Loki and the host. Spooling keeps memory flat for a week of a
 * fleet and lets the reader see a host's lines whole and in order, as it does a file.
 *
 * A line that carries no framing of its own (promtail's journal and syslog targets strip it) gets
 * journalctl's short-iso-precise framing from the entry's time and the host, so reports keep their
 * time and host; a line that has one (a dmesg or syslog line shipped as read) is kept as it is.
 * If the query fails, every host read so far is kept but the input is unreadable (exit 3): a
 * fleet half read must not be taken as a fleet without kills.
 */

/** Kernel lines of many hosts from Loki's query_range, diagnosed per host. */
public final class LokiKernelLog implements EvidenceSource {
  static final List<String> HOST_LABELS =
      List.of("host", "hostname", "nodename", "node_name", "instance");
  private static final Pattern FRAMED =
      Pattern.compile(
          "^(<\\d+>|\\[\\s*\\d+\\.\\d+\\]|[A-Z][a-z]{2} [ \\d]\\d \\d\\d:|\\d{4}-\\d\\d-\\d\\d[T ]\\d).*");
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxx").withZone(ZoneOffset.UTC);

  private final LokiClient client;
  private final String query;
  private final Instant from;
  private final Instant to;
  private final ReaderOptions options;

  public LokiKernelLog(
      LokiClient client, String query, Instant from, Instant to, ReaderOptions options) {
    this.client = requireNonNull(client, "client");
    this.query = requireNonNull(query, "query");
    this.from = requireNonNull(from, "from");
    this.to = requireNonNull(to, "to");
    this.options = requireNonNull(options, "options");
  }

  /** The host an entry's stream is about; empty when its labels name none. */
  static String hostOf(Map<String, String> stream) {
    for (String l : HOST_LABELS) {
      String v = stream.get(l);
      if (v != null && !v.isEmpty()) {
        int colon = v.lastIndexOf(':');
        return colon > 0 && v.substring(colon + 1).matches("[0-9]+") ? v.substring(0, colon) : v;
      }
    }
    return "";
  }

  /** The line as the kernel-log reader should see it. */
  static String framed(LokiClient.Entry e, String host) {
    String line = e.line().stripTrailing();
    if (FRAMED.matcher(line).matches()) {
      return line;
    }
    Instant t = Instant.ofEpochSecond(e.nanos() / 1_000_000_000L, e.nanos() % 1_000_000_000L);
    return ISO.format(t) + " " + (host.isEmpty() ? "localhost" : host) + " kernel: " + line;
  }

  @Override
  public void readInto(EvidenceSet.Builder evidence) {
    String name = client.base() + " " + query;
    Map<String, Path> spools = new LinkedHashMap<>();
    Map<String, BufferedWriter> writers = new LinkedHashMap<>();
    String failure = null;
    try {
      client.queryRange(
          query,
          from,
          to,
          page -> {
            for (LokiClient.Entry e : page) {
              String host = hostOf(e.stream());
              BufferedWriter w = writers.get(host);
              if (w == null) {
                Path p = Files.createTempFile("oomlens-loki-", ".log");
                p.toFile().deleteOnExit();
                spools.put(host, p);
                w = Files.newBufferedWriter(p, StandardCharsets.UTF_8);
                writers.put(host, w);
              }
              w.write(framed(e, host));
              w.write('\n');
            }
          });
    } catch (IOException e) {
      failure =
          e instanceof PrometheusClient.QueryFailed
              ? e.getMessage()
              : name + ": " + IoReasons.of(e);
    } finally {
      for (BufferedWriter w : writers.values()) {
        try {
          w.close();
        } catch (IOException e) {
          failure = failure != null ? failure : name + ": " + IoReasons.of(e);
        }
      }
    }
    KernelLogReader reader = new KernelLogReader(options);
    for (Map.Entry<String, Path> s : spools.entrySet()) {
      String input = name + (s.getKey().isEmpty() ? "" : " {host=" + s.getKey() + "}");
      try (EvidenceSet.InputSink sink = evidence.read(input, Input.Kind.KERNEL_LOG, true)) {
        try (InputStream in = Files.newInputStream(s.getValue())) {
          reader.read(input, in, sink);
        } catch (IOException e) {
          sink.problem(
              new Problem(
                  input,
                  0,
                  "cannot read the lines spooled from Loki: " + IoReasons.of(e),
                  Problem.Kind.UNREADABLE));
        }
      } finally {
        try {
          Files.deleteIfExists(s.getValue());
        } catch (IOException ignored) {
          // a temporary file; deleteOnExit is the fallback
        }
      }
    }
    if (failure != null || spools.isEmpty()) {
      evidence.input(
          new Input(
              name,
              Input.Kind.KERNEL_LOG,
              0,
              failure == null
                  ? List.of()
                  : List.of(new Problem(name, 0, failure, Problem.Kind.UNREADABLE))));
    }
  }
}
