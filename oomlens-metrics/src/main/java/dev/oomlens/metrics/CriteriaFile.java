package dev.oomlens.metrics;

import dev.oomlens.core.verify.Criterion;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/*
 * The file is read as YAML nodes (SnakeYAML's composer), not bound to objects, so every mistake
 * names the line it is on: an unknown key, a time that is not ISO 8601, a criterion with neither
 * expr nor a known check. Example: docs/examples/seed-000-zram.yaml.
 */

/** A criteria file for {@code oomlens verify}: window, hosts, criteria. */
public record CriteriaFile(
    Instant since,
    Optional<Instant> until,
    Optional<Duration> step,
    String hostLabel,
    List<String> hosts,
    List<Criterion> criteria) {

  /** A mistake in the file: the message names the file and line. */
  public static final class Invalid extends IOException {
    Invalid(String message) {
      super(message);
    }
  }

  /** Reads and checks {@code file}. */
  public static CriteriaFile read(Path file) throws IOException {
    String name = file.toString();
    Node root;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = new Yaml(new LoaderOptions()).compose(r);
    } catch (MarkedYAMLException e) {
      throw new Invalid(
          name + ":" + (e.getProblemMark().getLine() + 1) + ": not YAML: " + e.getProblem());
    }
    if (!(root instanceof MappingNode map)) {
      throw new Invalid(name + ": expected keys since, hosts and criteria");
    }
    Instant since = null;
    Optional<Instant> until = Optional.empty();
    Optional<Duration> step = Optional.empty();
    String hostLabel = "instance";
    List<String> hosts = new ArrayList<>();
    List<Criterion> criteria = new ArrayList<>();
    for (NodeTuple t : map.getValue()) {
      String key = scalar(name, t.getKeyNode());
      Node v = t.getValueNode();
      switch (key) {
        case "since" -> since = time(name, v);
        case "until" -> until = Optional.of(time(name, v));
        case "step" -> step = Optional.of(duration(name, v));
        case "host_label" -> hostLabel = scalar(name, v);
        case "hosts" -> {
          for (Node h : sequence(name, v, "hosts")) {
            hosts.add(scalar(name, h));
          }
        }
        case "criteria" -> {
          for (Node c : sequence(name, v, "criteria")) {
            criteria.add(criterion(name, c));
          }
        }
        default ->
            throw new Invalid(
                at(name, t.getKeyNode())
                    + "unknown key '"
                    + key
                    + "' (expected since, until, step, hosts, host_label, criteria)");
      }
    }
    if (since == null) {
      throw new Invalid(name + ": 'since' is missing: the time of the fix, ISO 8601");
    }
    if (criteria.isEmpty()) {
      throw new Invalid(name + ": 'criteria' is missing or empty");
    }
    if (until.isPresent() && until.get().isBefore(since)) {
      throw new Invalid(name + ": 'until' is before 'since'");
    }
    return new CriteriaFile(since, until, step, hostLabel, hosts, criteria);
  }

  private static Criterion criterion(String file, Node n) throws Invalid {
    long line = n.getStartMark().getLine() + 1;
    try {
      if (n instanceof ScalarNode s) {
        return Criterion.builtIn(s.getValue(), Optional.empty(), line);
      }
      if (n instanceof MappingNode m) {
        String nameOf = null;
        String expr = null;
        for (NodeTuple t : m.getValue()) {
          String k = scalar(file, t.getKeyNode());
          switch (k) {
            case "name" -> nameOf = scalar(file, t.getValueNode());
            case "expr" -> expr = scalar(file, t.getValueNode());
            default -> {
              if (m.getValue().size() == 1) {
                return Criterion.builtIn(k, Optional.of(scalar(file, t.getValueNode())), line);
              }
              throw new Invalid(
                  at(file, t.getKeyNode())
                      + "unknown key '"
                      + k
                      + "' in a criterion (expected name and expr, or a built-in check)");
            }
          }
        }
        if (expr == null || expr.isBlank()) {
          throw new Invalid(
              file
                  + ":"
                  + line
                  + ": a criterion needs 'expr' (PromQL that selects"
                  + " what is wrong)");
        }
        return new Criterion(nameOf == null ? expr : nameOf, expr, line, Optional.empty());
      }
    } catch (IllegalArgumentException e) {
      throw new Invalid(file + ":" + line + ": " + e.getMessage());
    }
    throw new Invalid(file + ":" + line + ": a criterion is a built-in check or name and expr");
  }

  private static String at(String file, Node n) {
    return file + ":" + (n.getStartMark().getLine() + 1) + ": ";
  }

  private static String scalar(String file, Node n) throws Invalid {
    if (n instanceof ScalarNode s) {
      return s.getValue();
    }
    throw new Invalid(at(file, n) + "expected a single value");
  }

  private static List<Node> sequence(String file, Node n, String key) throws Invalid {
    if (n instanceof SequenceNode s) {
      return s.getValue();
    }
    throw new Invalid(at(file, n) + "'" + key + "' is a list");
  }

  private static Instant time(String file, Node n) throws Invalid {
    String s = scalar(file, n);
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new Invalid(
          at(file, n)
              + "'"
              + s
              + "' is not an ISO 8601 time with an offset"
              + " (2026-02-08T12:19:00Z)");
    }
  }

  private static Duration duration(String file, Node n) throws Invalid {
    String s = scalar(file, n);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)([smhd])").matcher(s);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new Invalid(at(file, n) + "'" + s + "' is not a step such as 30s, 5m, 1h");
    }
    long v = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(v);
      case "m" -> Duration.ofMinutes(v);
      case "h" -> Duration.ofHours(v);
      default -> Duration.ofDays(v);
    };
  }
}
