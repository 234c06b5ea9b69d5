package dev.oomlens.cli;

import dev.oomlens.agent.History;
import dev.oomlens.agent.HistorySource;
import dev.oomlens.core.diagnosis.Diagnosis;
import dev.oomlens.core.finding.Severity;
import dev.oomlens.core.kernel.ReaderOptions;
import dev.oomlens.core.model.Input;
import dev.oomlens.core.model.Quantity;
import dev.oomlens.core.source.EvidenceSource;
import dev.oomlens.core.source.IoReasons;
import dev.oomlens.core.source.KernelLogFile;
import dev.oomlens.k8s.ClusterDumps;
import dev.oomlens.k8s.LiveCluster;
import dev.oomlens.report.escape.Controls;
import dev.oomlens.report.escape.EscapingWriter;
import dev.oomlens.report.html.HtmlReport;
import dev.oomlens.report.markdown.MarkdownReport;
import dev.oomlens.report.text.ClusterTextWriter;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code oomlens k8s}: every OOM kill and memory risk of a cluster, live or from dumps. */
@Command(
    name = "k8s",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Every OOM kill and memory risk of a Kubernetes cluster, live or from dumps, ranked, with"
          + " what to change.",
      "OOMKilled containers, node-wide OOMs (SystemOOM), containers and sidecars without"
          + " limits, overcommitted and ballooned nodes, dead nodes holding volumes, reserved"
          + " PriorityClass names, blocked Flux reconciliations, no headroom, JVM heaps against"
          + " their limits: each a finding with the objects it is about and a fix.",
      "Reads the cluster's API server (read-only: get and list; --kubeconfig, --context, or"
          + " the pod's service account) or, with --dump, saved kubectl get -o json|yaml output"
          + " and manifests. As a kubectl plugin: kubectl oomlens.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      ExitCodes.OK_HELP,
      ExitCodes.FINDINGS_HELP,
      ExitCodes.USAGE_HELP,
      ExitCodes.INPUT_HELP,
      ExitCodes.INTERNAL_HELP
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  oomlens k8s                      the cluster of kubectl's current context",
      "  oomlens k8s --context prod --fail-on high",
      "  kubectl get nodes,pods,events,ds,deploy,sts,rs,pvc,pv,pc -A -o json >d.json",
      "  kubectl get kustomizations,helmreleases,podmetrics -A -o yaml >flux.yaml",
      "  oomlens k8s --dump d.json flux.yaml --vm-memory k3s-replica-0=4Gi",
      "  oomlens k8s --dump cluster/ --format markdown --output report.md",
    })
final class K8sCommand implements Callable<Integer> {
  @ParentCommand OomlensCommand root;

  @Spec CommandSpec spec;

  @Option(
      names = "--dump",
      paramLabel = "PATH",
      arity = "1..*",
      description =
          "Read saved objects instead of the API server: files of kubectl get -o"
              + " json|yaml output (a List, single objects, or multi-document YAML), manifests,"
              + " helm template output, or directories of them (.json, .yaml, .yml).")
  List<Path> dumps = new ArrayList<>();

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "The kubeconfig to use. Default: $KUBECONFIG, ~/.kube/config, or the pod's"
              + " service account.")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "The kubeconfig context to use. Default: its current context.")
  String context;

  @Option(
      names = "--vm-memory",
      paramLabel = "[NODE=]SIZE",
      description =
          "The memory a node's VM was configured with, to see a memory balloon in its"
              + " capacity; without NODE=, every node's. Repeatable. "
              + SizeConverter.HELP
              + ".")
  List<String> vmMemory = new ArrayList<>();

  @Option(
      names = "--kernel-log",
      paramLabel = "FILE",
      description =
          "Also read a saved kernel log of a node (dmesg, journalctl -k): its OOM"
              + " reports are diagnosed beside the cluster's objects.")
  List<String> kernelLogs = new ArrayList<>();

  @Option(
      names = "--db",
      paramLabel = "FILE",
      description =
          "Also read the kills 'oomlens watch' recorded in this history (a node's"
              + " oomlens.db), joined to the cluster's pods by pod UID and container ID as"
              + " --kernel-log's are.")
  Path db;

  @Option(
      names = "--fail-on",
      paramLabel = "SEVERITY",
      converter = DiagnosisOptions.SeverityConverter.class,
      completionCandidates = DiagnosisOptions.SeverityConverter.Names.class,
      description =
          "Exit 1 when a finding is at or above SEVERITY: ${COMPLETION-CANDIDATES}."
              + " Default: exit 0 whatever is found.")
  Severity failOn;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "Report format: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  OutputOptions.Format format = OutputOptions.Format.text;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the report to FILE instead of standard output.")
  Path output;

  @Override
  public Integer call() {
    if (!dumps.isEmpty() && (kubeconfig != null || context != null)) {
      throw new ParameterException(
          spec.commandLine(),
          "--dump reads saved objects;"
              + " --kubeconfig and --context are for the API server: give one or the other");
    }
    Map<String, Long> vm = vmMemory();
    List<EvidenceSource> sources = new ArrayList<>();
    Environment env = root.environment();
    ReaderOptions options = new ReaderOptions(java.time.LocalDate.now(env.clock()));
    kernelLogs.forEach(f -> sources.add(new KernelLogFile(f, options, env.stdin())));
    Optional<History> history =
        db == null ? Optional.empty() : DoctorCommand.openHistory(db, env, sources);
    history.ifPresent(h -> sources.add(new HistorySource(h, options, kill -> true)));
    if (!dumps.isEmpty()) {
      sources.add(new ClusterDumps(dumps, vm));
    } else {
      sources.add(
          new LiveCluster(client(kubeconfig, context), clusterName(kubeconfig, context), vm));
    }
    Diagnosis d;
    try {
      d = Diagnosis.run(sources, false);
    } finally {
      history.ifPresent(History::close);
    }
    PrintWriter err = spec.commandLine().getErr();
    int code = ExitCodes.OK;
    for (Input input : d.evidence().inputs()) {
      Optional<String> why = input.whyNotWholeNamed();
      if (why.isPresent()) {
        err.println("oomlens: " + Controls.visible(why.get()));
        code = ExitCodes.INPUT;
      } else {
        for (var p : input.problems()) {
          err.println("oomlens: " + Controls.visible(p.toString()));
        }
      }
    }
    err.flush();
    try {
      write(d, spec.commandLine().getOut());
    } catch (IOException e) {
      err.println(
          "oomlens: cannot write "
              + (output == null ? "standard output" : output)
              + ": "
              + IoReasons.of(e));
      err.flush();
      return ExitCodes.INPUT;
    }
    if (failOn != null && d.findings().stream().anyMatch(f -> f.severity().atLeast(failOn))) {
      code = Math.max(code, ExitCodes.FINDINGS);
    }
    return code;
  }

  private Map<String, Long> vmMemory() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String v : vmMemory) {
      int eq = v.lastIndexOf('=');
      String node = eq < 0 ? "" : v.substring(0, eq);
      String size = eq < 0 ? v : v.substring(eq + 1);
      try {
        out.put(node, Quantity.parseBytes(size));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "--vm-memory " + v + ": " + e.getMessage());
      }
    }
    return out;
  }

  /** How messages name the cluster of {@code kubeconfig} and {@code context}. */
  static String clusterName(Path kubeconfig, String context) {
    return "cluster"
        + (context != null ? " (context " + context + ")" : "")
        + (kubeconfig != null ? " (kubeconfig " + kubeconfig + ")" : "");
  }

  /** A client of the cluster kubectl would use, or of {@code kubeconfig} and {@code context}. */
  static Supplier<KubernetesClient> client(Path kubeconfig, String context) {
    return () -> {
      Config config =
          kubeconfig != null
              ? Config.fromKubeconfig(context, kubeconfig.toFile())
              : Config.autoConfigure(context);
      // A report is wanted now: no retries with backoff against a server that does not answer
      // (fabric8 retries 10 times by default, minutes in all).
      config.setRequestRetryBackoffLimit(0);
      config.setConnectionTimeout(10_000);
      return new KubernetesClientBuilder().withConfig(config).build();
    };
  }

  private void write(Diagnosis d, PrintWriter stdout) throws IOException {
    Writer file = null;
    PrintWriter target = stdout;
    if (output != null) {
      file = new BufferedWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8));
      target = new PrintWriter(file);
    }
    try {
      PrintWriter shown = EscapingWriter.wrap(target);
      switch (format) {
        case text -> new ClusterTextWriter(shown).write(d);
        case json -> OutputOptions.writeJson(d, target);
        case markdown -> MarkdownReport.write(shown, d);
        case html -> HtmlReport.diagnosis(target, "oomlens k8s", d);
      }
      shown.flush();
      target.flush();
      if (target.checkError()) {
        throw new IOException("write failed");
      }
    } finally {
      if (file != null) {
        file.close();
      }
    }
  }
}
