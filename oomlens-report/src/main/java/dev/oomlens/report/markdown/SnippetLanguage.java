package dev.oomlens.report.markdown;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/*
 * A fix carries its snippet as plain text; the info string of the fenced block is read off the
 * snippet's shape, so a renderer needs no help from the analyzers:
 *   - an "[Section]" line: a systemd drop-in or a zram-generator.conf (ini);
 *   - "attr.path = value;" lines: a NixOS option (nix);
 *   - "key = value" lines without a semicolon: a sysctl.d file (ini);
 *   - "key:" or "- " lines first: Kubernetes or Harvester YAML (yaml);
 *   - a PromQL function or selector first: an alert expression (promql);
 *   - a command, a JVM flag or KEY=value first: shell.
 * Comment lines ("# systemctl edit x.service") are skipped when deciding, since every format here
 * writes comments the same way. Anything else is "text", so nothing is coloured wrongly.
 */

/** The fenced-code language of a fix's snippet: yaml, ini, nix, promql, shell or text. */
final class SnippetLanguage {
  private static final Pattern INI_SECTION = Pattern.compile("^\\[[A-Za-z0-9_. -]+]$");
  private static final Pattern NIX =
      Pattern.compile("^[A-Za-z_][\\w.\"-]*\\s*=\\s*.+;$|^[A-Za-z_][\\w.\"-]*\\s*=\\s*\\{$");
  private static final Pattern KEY_VALUE = Pattern.compile("^[a-z][\\w./-]*\\s*=\\s*[^;]*$");
  private static final Pattern PROMQL =
      Pattern.compile(
          "^((sum|max|min|avg|count|increase|rate"
              + "|irate|delta|changes|max_over_time|min_over_time|avg_over_time)\\s*\\("
              + "|[a-zA-Z_:][a-zA-Z0-9_:]*\\{)");
  private static final Pattern YAML = Pattern.compile("^(- |[A-Za-z_\"][\\w\".-]*:(\\s|$))");
  private static final Pattern ENV = Pattern.compile("^[A-Z_][A-Z0-9_]*=");
  private static final Set<String> COMMANDS =
      Set.of(
          "cat",
          "df",
          "docker",
          "du",
          "echo",
          "export",
          "free",
          "java",
          "jcmd",
          "journalctl",
          "kubectl",
          "mkswap",
          "modprobe",
          "mount",
          "numactl",
          "podman",
          "printf",
          "slabtop",
          "sudo",
          "swapon",
          "sysctl",
          "systemctl",
          "systemd-run",
          "tee",
          "virtctl",
          "zramctl");

  private SnippetLanguage() {}

  static String of(String snippet) {
    List<String> lines =
        snippet
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("//"))
            .toList();
    if (lines.isEmpty()) {
      return "text";
    }
    if (lines.stream().anyMatch(l -> INI_SECTION.matcher(l).matches())) {
      return "ini";
    }
    if (lines.stream().allMatch(l -> NIX.matcher(l).matches() || l.equals("};"))) {
      return "nix";
    }
    if (lines.stream().allMatch(l -> KEY_VALUE.matcher(l.replaceAll("\\s+#.*$", "")).matches())) {
      return "ini";
    }
    String first = lines.get(0);
    if (YAML.matcher(first).find()) {
      return "yaml";
    }
    if (PROMQL.matcher(first).find()) {
      return "promql";
    }
    String word = first.split("\\s+", 2)[0];
    if (COMMANDS.contains(word) || first.startsWith("-X") || ENV.matcher(first).find()) {
      return "shell";
    }
    return "text";
  }
}
