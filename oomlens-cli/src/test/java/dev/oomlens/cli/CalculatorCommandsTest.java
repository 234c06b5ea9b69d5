package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oomlens.core.calc.JvmBudget;
import dev.oomlens.core.calc.KubevirtOverhead;
import dev.oomlens.core.calc.KubevirtOverhead.Version;
import dev.oomlens.core.calc.KubevirtOverhead.Vm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code oomlens kubevirt} and {@code oomlens jvm} through picocli: a table of arguments and what
 * they must give, seed 001's Harvester matrix and the java-buildpack README example reproduced
 * through the commands, and golden outputs.
 */
class CalculatorCommandsTest {
  private static final long MI = 1024L * 1024;
  private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

  /** Real-shaped NMT summaries, kept with the parser's tests. */
  private static final Path NMT = Path.of("..", "oomlens-core", "src", "test", "resources", "nmt");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  static CliTest.Run run(String args) {
    return CliTest.run(args.split(" "));
  }

  static Stream<Arguments> table() {
    String nmt17 = NMT.resolve("jdk17-spring-boot.txt").toString();
    return Stream.of(
        // args, exit code, stdout contains, stderr contains
        Arguments.of("kubevirt --memory 8Gi --vcpus 4", 0, "overhead            308Mi", ""),
        Arguments.of(
            "kubevirt --memory 8Gi --vcpus 4 --ratio 1.5", 0, "x ratio 1.5         462Mi", ""),
        Arguments.of(
            "kubevirt --memory 8Gi --vcpus 4 --arch arm64 --ratio 1.5",
            0,
            "x ratio 1.5         654Mi",
            ""),
        Arguments.of(
            "kubevirt --memory 8Gi --kubevirt-version v1.9.1", 0, "KubeVirt v1.5-v1.9", ""),
        Arguments.of("kubevirt --memory 8Gi --kubevirt-version v1.2", 0, "KubeVirt v0.59-v1.4", ""),
        Arguments.of(
            "kubevirt --memory 8Gi --kubevirt-version main", 0, "helper processes    240Mi", ""),
        Arguments.of(
            "kubevirt --memory 8Gi --kubevirt-version v0.50", 0, "graphics device      16Mi", ""),
        Arguments.of(
            "kubevirt --memory 2Gi --no-graphics --helper-rss 481Mi",
            0,
            "2.1   smallest tenth with 240Mi x ratio >= 481Mi",
            ""),
        Arguments.of(
            "kubevirt --memory 2Gi --no-graphics --helper-rss 100Mi", 0, "fits in the room", ""),
        Arguments.of(
            "kubevirt --memory 2Gi --no-graphics --helper-rss 3000Mi",
            0,
            "none   not even 10.0 covers it",
            ""),
        Arguments.of("kubevirt --vcpus 4", 2, "", "Missing required option: '--memory=SIZE'"),
        Arguments.of("kubevirt --memory 8gb", 2, "", "'8gb' is not a size"),
        Arguments.of("kubevirt --memory 8Gi --vcpus 0", 2, "", "--vcpus must be at least 1"),
        Arguments.of(
            "kubevirt --memory 8Gi --ratio 0.5",
            2,
            "",
            "--ratio: ratio must be 0 or 1.0..10.0: 0.5"),
        Arguments.of("kubevirt --memory 8Gi --ratio many", 2, "", "--ratio: not a number: many"),
        Arguments.of(
            "kubevirt --memory 2Gi --reserved 2Gi",
            2,
            "",
            "--reserved must be less than --memory (2048Mi)"),
        Arguments.of(
            "kubevirt --memory 8Gi --kubevirt-version v0.55",
            2,
            "",
            "'v0.55' has no overhead table"),
        Arguments.of("kubevirt --memory 8Gi --arch riscv64", 2, "", "--arch"),
        Arguments.of(
            "jvm --limit 1Gi --metaspace 100Mi",
            0,
            "heap              424Mi   1024Mi" + " - 600Mi",
            ""),
        Arguments.of("jvm --limit 1Gi --classes 0", 0, "-XX:MaxMetaspaceSize=14M", ""),
        Arguments.of(
            "jvm --limit 2Gi --threads 100 --classes 10000 --headroom 10",
            0,
            "204.8Mi   10% of 2048Mi",
            ""),
        Arguments.of(
            "jvm --limit 1Gi --nmt " + nmt17,
            0,
            "Largest off-heap region: Other, 128.2Mi committed",
            ""),
        Arguments.of("jvm --limit 700Mi --nmt " + nmt17, 0, "over the limit by 94.7Mi", ""),
        Arguments.of("jvm --limit 1Gi", 2, "", "metaspace unknown"),
        Arguments.of("jvm --limit 1Gi --classes 5 --metaspace 64Mi", 2, "", "mutually exclusive"),
        Arguments.of("jvm --limit 0 --classes 5", 2, "", "'0' is not a size above zero"),
        Arguments.of("jvm --limit 1g --classes 5", 2, "", "did you mean 1Gi?"),
        Arguments.of(
            "jvm --limit 512m --classes 5",
            2,
            "",
            "in Kubernetes m is milli; for mebibytes write 512Mi"),
        Arguments.of(
            "jvm --limit 1Gi --classes 5 --headroom 100",
            2,
            "",
            "--headroom must be between 0 and 99"),
        Arguments.of("jvm --limit 1z --classes 5", 2, "", "'1z' is not a size"),
        Arguments.of(
            "jvm --limit 1Gi --classes 5 --nmt " + dir.resolve("missing.txt"),
            3,
            "",
            "cannot read"),
        Arguments.of(
            "jvm --limit 1Gi --nmt " + NMT.resolve("not-nmt.txt"),
            3,
            "",
            "not-nmt.txt: no 'Total: reserved=..., committed=...' line"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void command_table(String args, int code, String out, String err) {
    CliTest.Run r = run(args);
    assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(code);
    assertThat(r.out()).contains(out);
    assertThat(r.err()).contains(err);
    if (code == 0) {
      assertThat(r.err()).isEmpty();
    }
  }

  /**
   * Seed 001's "Best Practices & Configuration Matrix" for a 2Gi VM, whose KubeVirt overhead is
   * 240Mi (1 vCPU, no graphics, v1.5-v1.9). The blog rounds the two reserved-memory totals ("~500
   * Mi", "~620 Mi"); the exact values are 496Mi and 616Mi.
   */
  @ParameterizedTest(name = "reserved {0}, ratio {1}")
  @CsvSource({
    // reserved, ratio, guest, pod limit, total overhead (Mi)
    "'',    0.0, 1948, 2288, 340",
    "256Mi, 0.0, 1792, 2288, 496",
    "'',    1.0, 2048, 2288, 240",
    "'',    3.0, 2048, 2768, 720",
    "'',    1.5, 2048, 2408, 360",
    "256Mi, 1.5, 1792, 2408, 616",
  })
  void kubevirt_seed001Matrix(
      String reserved, String ratio, long guestMi, long podLimitMi, long totalMi)
      throws IOException {
    String args =
        "kubevirt --memory 2Gi --vcpus 1 --no-graphics --kubevirt-version v1.5-v1.9"
            + " --ratio "
            + ratio
            + (reserved.isEmpty() ? "" : " --reserved " + reserved);
    CliTest.Run json = run(args + " --format json");
    assertThat(json.code()).isZero();
    JsonNode n = JSON.readTree(json.out());
    assertThat(n.get("overhead_bytes").asLong()).isEqualTo(240 * MI);
    assertThat(n.get("guest_bytes").asLong()).isEqualTo(guestMi * MI);
    assertThat(n.get("pod_limit_bytes").asLong()).isEqualTo(podLimitMi * MI);
    assertThat(n.get("total_overhead_bytes").asLong()).isEqualTo(totalMi * MI);
    assertThat(n.get("legacy").asBoolean()).isEqualTo(ratio.equals("0.0"));

    // The text says it the way the matrix does: 2 Gi + 240*ratio Mi, 2 Gi - reserved.
    CliTest.Run text = run(args);
    long scaledMi = podLimitMi - 2048;
    assertThat(text.out())
        .contains("pod memory limit  " + podLimitMi + "Mi   2048Mi + " + scaledMi + "Mi");
    assertThat(text.out()).containsPattern("guest memory +" + guestMi + "Mi");
    assertThat(text.out()).containsPattern("total overhead +" + totalMi + "Mi");
  }

  /** Every combination: the printed terms add up to the calculator's overhead. */
  @Test
  void kubevirt_termsAddUpToTheCalculator() throws IOException {
    for (Version version : Version.values()) {
      for (int mask = 0; mask < 64; mask++) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    "kubevirt",
                    "--memory",
                    "3000Mi",
                    "--vcpus",
                    "3",
                    "--kubevirt-version",
                    version.label(),
                    "--format",
                    "json"));
        boolean graphics = (mask & 1) != 0;
        boolean arm = (mask & 2) != 0;
        boolean vfio = (mask & 4) != 0;
        boolean tpm = (mask & 8) != 0;
        boolean sev = (mask & 16) != 0;
        boolean dedicated = (mask & 32) != 0;
        args.add(graphics ? "--graphics" : "--no-graphics");
        args.addAll(
            List.of(
                "--arch", arm ? "arm64" : "amd64", "--exec-probes", Integer.toString(mask % 3)));
        if (vfio) {
          args.add("--vfio");
        }
        if (tpm) {
          args.add("--tpm");
        }
        if (sev) {
          args.add("--sev");
        }
        if (dedicated) {
          args.add("--dedicated-cpu");
        }
        CliTest.Run r = CliTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode n = JSON.readTree(r.out());
        long sum = 0;
        for (JsonNode t : n.get("terms")) {
          sum += t.get("bytes").asLong();
        }
        long expected =
            KubevirtOverhead.overheadBytes(
                new Vm(3000 * MI, 3, version, graphics, arm, vfio, tpm, sev, dedicated, mask % 3));
        assertThat(sum).as("%s", args).isEqualTo(expected);
        assertThat(n.get("overhead_bytes").asLong()).isEqualTo(expected);
      }
    }
  }

  @Test
  void kubevirt_downwardMetrics_addsOneMiBeforeTheRatio() throws IOException {
    JsonNode without = JSON.readTree(run("kubevirt --memory 2Gi --ratio 2.0 --format json").out());
    JsonNode with =
        JSON.readTree(
            run("kubevirt --memory 2Gi --ratio 2.0 --downward-metrics" + " --format json").out());
    assertThat(with.get("overhead_bytes").asLong() - without.get("overhead_bytes").asLong())
        .isEqualTo(MI);
    assertThat(
            with.get("scaled_overhead_bytes").asLong()
                - without.get("scaled_overhead_bytes").asLong())
        .isEqualTo(2 * MI);
  }

  @Test
  void kubevirt_helperRss_ratioAndReservedThatCoverIt() throws IOException {
    JsonNode n =
        JSON.readTree(
            run("kubevirt --memory 2Gi --no-graphics --ratio 1.5"
                    + " --helper-rss 512Mi --format json")
                .out());
    assertThat(n.get("helper").get("rss_bytes").asLong()).isEqualTo(512 * MI);
    // 240Mi x 2.2 = 528Mi >= 512Mi; 2.1 gives 504Mi
    assertThat(n.get("helper").get("ratio_needed").decimalValue()).isEqualByComparingTo("2.2");
    assertThat(n.get("helper").get("reserved_needed_bytes").asLong()).isEqualTo((512 - 360) * MI);
  }

  /** The java-buildpack README: 1G, 250 threads: heap = 524M - metaspace. */
  @ParameterizedTest(name = "metaspace {0}")
  @CsvSource({"100Mi, 424", "64Mi, 460", "200Mi, 324"})
  void jvm_readmeExample(String metaspace, long heapMi) throws IOException {
    JsonNode n =
        JSON.readTree(
            run("jvm --limit 1Gi --threads 250 --metaspace " + metaspace + " --format json").out());
    assertThat(n.get("heap_bytes").asLong()).isEqualTo(heapMi * MI);
    assertThat(n.get("overhead_bytes").asLong()).isEqualTo((1024 - heapMi) * MI);
    JvmBudget expected =
        JvmBudget.calculate(
            1024 * MI,
            JvmBudget.Regions.defaults(Long.parseLong(metaspace.replace("Mi", "")) * MI));
    assertThat(n.get("xmx").asText()).isEqualTo(expected.xmxFlag());
    List<String> flags = new ArrayList<>();
    n.get("flags").forEach(f -> flags.add(f.asText()));
    assertThat(flags).isEqualTo(expected.flags());
  }

  @Test
  void jvm_regionsOverTheLimit_exit2WithOneLine() {
    CliTest.Run r = run("jvm --limit 512Mi --threads 300 --classes 20000");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines())
        .containsExactly(
            "oomlens: the regions besides the heap need"
                + " 674.0Mi (direct 10Mi + metaspace 124.0Mi + code cache 240Mi + stacks 1Mi x 300),"
                + " more than the 512Mi limit: no room for a heap");
  }

  @Test
  void jvm_nmtJson_comparesCommittedWithTheLimit() throws IOException {
    JsonNode n =
        JSON.readTree(
            run("jvm --limit 700Mi --nmt " + NMT.resolve("jdk21-netty.txt") + " --format json")
                .out());
    JsonNode nmt = n.get("nmt");
    assertThat(nmt.get("committed_bytes").asLong()).isEqualTo(815018L * 1024);
    assertThat(nmt.get("committed_exceeds_limit").asBoolean()).isTrue();
    assertThat(nmt.get("largest_off_heap").asText()).isEqualTo("Other");
    assertThat(nmt.get("threads").asLong()).isEqualTo(64);
    assertThat(nmt.get("loaded_classes").asLong()).isEqualTo(16342);
    // metaspace from NMT's class count, threads the default 250 (more than the 64 counted)
    assertThat(n.get("metaspace_bytes").asLong()).isEqualTo(5800L * 16342 + 14_000_000);
    assertThat(n.get("thread_count").asInt()).isEqualTo(250);
  }

  @Test
  void jvm_output_writesTheFile() throws IOException {
    Path file = dir.resolve("budget.txt");
    CliTest.Run r = run("jvm --limit 1Gi --metaspace 100Mi --output " + file);
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(Files.readString(file)).contains("-Xmx424M");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "kubevirt-8gi-4vcpu.txt | kubevirt --memory 8Gi --vcpus 4",
        "kubevirt-harvester-helper.txt | kubevirt --memory 2Gi --no-graphics --ratio 1.5"
            + " --reserved 256Mi --helper-rss 700Mi",
        "kubevirt-everything.json | kubevirt --memory 8Gi --vcpus 4 --arch arm64 --vfio --tpm --sev"
            + " --dedicated-cpu --exec-probes 2 --downward-metrics --ratio 2.0 --format json",
        "jvm-readme.txt | jvm --limit 1Gi --metaspace 100Mi",
        "jvm-nmt-jdk17.txt | jvm --limit 1Gi --nmt ../oomlens-core/src/test/resources/nmt/"
            + "jdk17-spring-boot.txt",
        "jvm-nmt-jdk21.json | jvm --limit 700Mi --nmt ../oomlens-core/src/test/resources/nmt/"
            + "jdk21-netty.txt --format json",
      })
  void command_matchesGolden(String golden, String args) throws IOException {
    CliTest.Run r = CliTest.run(Arrays.stream(args.strip().split(" ")).toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    String actual = r.out().replace("\r\n", "\n");
    Path file = GOLDEN.resolve(golden.strip());
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(file).as("golden file (run with -Dgolden.update=true to create it)").exists();
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }
}
