package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code doctor --series FILE}: series evidence reaches doctor's diagnosis as it reaches diagnose's
 * (the same pipeline), here node_exporter's series of a host that never had swap.
 */
class DoctorSeriesTest {
  static final long MIB = 1L << 20;

  @TempDir Path dir;

  /**
   * A day of two 2 GiB hosts at 5-minute steps, vm3 without swap and stalled (PSI full 40 %) for
   * half an hour, vm1 with swap and no stall; as CSV in {@code dir}.
   */
  static Path hostsCsv(Path dir) throws IOException {
    StringBuilder csv = new StringBuilder("time,series,value\n");
    long t0 = Instant.parse("2026-02-10T00:00:00Z").getEpochSecond();
    for (String h : List.of("vm1", "vm3")) {
      double stalled = 0;
      for (int i = 0; i < 288; i++) {
        stalled += h.equals("vm3") && i >= 60 && i < 66 ? 120 : 0.3;
        long t = t0 + i * 300L;
        String l = "{instance=\"" + h + ":9100\"}";
        csv.append(t)
            .append(",node_memory_SwapTotal_bytes")
            .append(l)
            .append(',')
            .append(h.equals("vm3") ? 0 : 2047 * MIB)
            .append('\n')
            .append(t)
            .append(",node_memory_MemTotal_bytes")
            .append(l)
            .append(',')
            .append(2048 * MIB)
            .append('\n')
            .append(t)
            .append(",node_memory_MemAvailable_bytes")
            .append(l)
            .append(',')
            .append(i == 60 ? 20 * MIB : 900 * MIB)
            .append('\n')
            .append(t)
            .append(",node_pressure_memory_stalled_seconds_total")
            .append(l)
            .append(',')
            .append(String.format(java.util.Locale.ROOT, "%.1f", stalled))
            .append('\n');
      }
    }
    Path file = dir.resolve("hosts.csv");
    Files.writeString(file, csv);
    return file;
  }

  private CliTest.Run doctor(String... more) throws IOException {
    Path quiet = dir.resolve("quiet.log");
    Files.writeString(quiet, "[    0.000000] Linux version 6.1.0-18-amd64\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "doctor",
                "--no-cluster",
                "--path.rootfs",
                Path.of("..", "oomlens-host", "src", "test", "resources", "hosts", "no-psi")
                    .toString(),
                "--kernel-log",
                quiet.toString(),
                "--series",
                hostsCsv(dir).toString()));
    args.addAll(List.of(more));
    return CliTest.run(args.toArray(String[]::new));
  }

  @Test
  void doctor_series_namesTheHostWithoutSwap() throws IOException {
    CliTest.Run r = doctor();
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("; series " + dir.resolve("hosts.csv"))
        .contains("NO-SWAP")
        .contains("Host vm3 had no swap from 2026-02-10T00:00:00Z")
        .contains("Host vm3 stalled on memory for 25 min (PSI full up to 40%)")
        .doesNotContain("Host vm1");
  }

  @Test
  void doctor_series_json() throws IOException {
    CliTest.Run r = doctor("--format", "json", "--fail-on", "high");
    assertThat(r.code()).isEqualTo(1);
    JsonNode doc = new ObjectMapper().readTree(r.out());
    List<String> noSwap = new ArrayList<>();
    doc.get("findings")
        .forEach(
            f -> {
              if (f.get("code").asText().equals("NO-SWAP")) {
                noSwap.add(f.get("summary").asText());
              }
            });
    assertThat(noSwap).singleElement().asString().startsWith("Host vm3 had no swap");
  }
}
