package dev.oomlens.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl oomlens} under the real {@code kubectl}: deploy/package.sh builds the plugin's
 * archive and krew manifest from the packaged jar, the archive is unpacked onto a PATH of its own
 * (the documented install step), and kubectl finds and runs it. Skipped, saying so, where no
 * kubectl is installed.
 */
class KubectlPluginIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
  private static final String SEED_002 =
      ROOT.resolve("oomlens-k8s/src/test/resources/clusters/seed002").toString();

  @TempDir static Path bin;
  private static Path archive;
  private static String manifest;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void install() throws IOException, InterruptedException {
    assumeTrue(
        Files.isExecutable(KUBECTL),
        "no kubectl at "
            + KUBECTL
            + ": the plugin test needs"
            + " the real binary (Debian: apt install kubernetes-client)");
    Run packaged =
        run(
            List.of(ROOT.resolve("deploy/package.sh").toString(), "https://example.invalid/v0"),
            Map.of());
    assertThat(packaged.code()).as(packaged.err()).isZero();
    archive = ROOT.resolve("target/kubectl-oomlens.tar.gz");
    manifest = Files.readString(ROOT.resolve("target/krew/oomlens.yaml"));
    Run unpacked = run(List.of("tar", "-xzf", archive.toString(), "-C", bin.toString()), Map.of());
    assertThat(unpacked.code()).as(unpacked.err()).isZero();
  }

  private static Run run(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Path out = Files.createTempFile(bin, "out", ".txt");
    Path err = Files.createTempFile(bin, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    String o = Files.readString(out, StandardCharsets.UTF_8);
    String e = Files.readString(err, StandardCharsets.UTF_8);
    Files.delete(out);
    Files.delete(err);
    return new Run(p.exitValue(), o, e);
  }

  /** kubectl with only the plugin's directory and the system's on PATH, and a JDK 21+. */
  private static Run kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString()));
    command.addAll(List.of(args));
    return run(
        command,
        Map.of(
            "PATH",
            bin + ":/usr/bin:/bin",
            "JAVA_HOME",
            System.getProperty("java.home"),
            "KUBECONFIG",
            bin.resolve("none").toString()));
  }

  @Test
  void manifest_namesTheArchiveItWasBuiltFrom() throws IOException, InterruptedException {
    Matcher m = Pattern.compile("sha256: ([0-9a-f]{64})").matcher(manifest);
    assertThat(m.find()).isTrue();
    Run sum = run(List.of("sha256sum", archive.toString()), Map.of());
    assertThat(sum.out()).startsWith(m.group(1));
    assertThat(manifest)
        .contains("uri: https://example.invalid/v0/kubectl-oomlens.tar.gz", "bin: kubectl-oomlens");
  }

  @Test
  void pluginList_findsIt() throws IOException, InterruptedException {
    Run r = kubectl("plugin", "list");
    assertThat(r.out()).contains(bin.resolve("kubectl-oomlens").toString());
  }

  @Test
  void seed002_reportAndExitCodes() throws IOException, InterruptedException {
    Run r = kubectl("oomlens", "--dump", SEED_002, "--vm-memory", "k3s-replica-0=4Gi");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains(
            "Nodes, the most at risk first",
            "SYSTEM-OOM: Node k3s-server-0",
            "DEAD-NODE: Node k3s-replica-2 is gone");
    assertThat(kubectl("oomlens", "--dump", SEED_002, "--fail-on", "high").code())
        .isEqualTo(ExitCodes.FINDINGS);
    Run missing = kubectl("oomlens", "--dump", bin.resolve("nothing.json").toString());
    assertThat(missing.code()).isEqualTo(ExitCodes.INPUT);
    assertThat(missing.err()).contains("cannot read " + bin.resolve("nothing.json"));
  }

  @Test
  void help_isTheK8sCommandsHelp() throws IOException, InterruptedException {
    Run r = kubectl("oomlens", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Usage: oomlens k8s");
  }

  @Test
  void olderJava_isToldWhatToInstall() throws IOException, InterruptedException {
    Path fake = bin.resolve("old-jdk/bin");
    Files.createDirectories(fake);
    Files.writeString(
        fake.resolve("java"),
        """
        #!/bin/sh
        echo '    java.specification.version = 17' >&2
        echo 'openjdk version "17.0.2"' >&2
        """);
    fake.resolve("java").toFile().setExecutable(true);
    List<String> command = List.of(KUBECTL.toString(), "oomlens", "--dump", SEED_002);
    Run r =
        run(
            command,
            Map.of("PATH", bin + ":/usr/bin:/bin", "JAVA_HOME", fake.getParent().toString()));
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains("is Java 17; oomlens needs Java 21 or newer");
  }
}
