package dev.oomlens.core.host.parse;

import dev.oomlens.core.model.Problem;
import dev.oomlens.core.model.SourceLine;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Single-value cgroup files and the bookkeeping both cgroup parsers share. */
final class CgroupValues {
  private CgroupValues() {}

  /** A file that holds one number. */
  static long number(String text, String path) throws ParseException {
    List<String> f = TextLines.fields(single(text, path));
    if (f.size() != 1) {
      throw new ParseException(path, 1, "expected one value");
    }
    long v = TextLines.number(f.get(0), path, 1, "value");
    if (v < 0) {
      throw new ParseException(path, 1, "negative value: " + v);
    }
    return v;
  }

  static String single(String text, String path) throws ParseException {
    List<String> lines = TextLines.of(text);
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      throw new ParseException(path, lines.isEmpty() ? 0 : 1, "empty");
    }
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        throw new ParseException(path, i + 1L, "expected a single line");
      }
    }
    return lines.get(0);
  }

  interface Parser<T> {
    T parse(String text, String path) throws ParseException;
  }

  /** Parses one file of {@code dir} when present; a malformed file becomes a problem. */
  static <T> Optional<T> read(
      CgroupFiles dir, String name, Parser<T> parser, List<Problem> problems) {
    Optional<String> text = dir.text(name);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(parser.parse(text.get(), dir.path(name)));
    } catch (ParseException e) {
      problems.add(e.toProblem());
      return Optional.empty();
    }
  }

  static OptionalLong readLong(
      CgroupFiles dir, String name, Parser<OptionalLong> parser, List<Problem> problems) {
    return read(dir, name, parser, problems).orElse(OptionalLong.empty());
  }

  /** The line to cite for the cgroup: the first of {@code names} that was read. */
  static SourceLine source(CgroupFiles dir, String... names) {
    for (String name : names) {
      Optional<String> text = dir.text(name);
      if (text.isPresent()) {
        List<String> lines = TextLines.of(text.get());
        return new SourceLine(dir.path(name), 1, lines.isEmpty() ? "" : lines.get(0));
      }
    }
    return new SourceLine(dir.dirPath(), 1, "");
  }
}
