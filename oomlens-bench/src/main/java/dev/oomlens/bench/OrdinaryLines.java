package dev.oomlens.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The everyday lines a kernel log is mostly made of, from many subsystems, weighted by how often
 * each kind turns up on a busy container host. The catalogs are {@code kernel-lines.txt} and {@code
 * user-lines.txt} beside this class. Some lines hold {@code ill}, {@code oom} or {@code failure}
 * inside ordinary words (Killing, will, fill, zoom, "Disk failure"), as real logs do, so a reader
 * that skips lines by keyword is not flattered. None is part of an OOM report.
 */
final class OrdinaryLines {
  private final LinePattern[] kernel;
  private final int[] kernelTable;
  private final LinePattern[] user;
  private final int[] userTable;

  OrdinaryLines() {
    List<LinePattern> k = new ArrayList<>();
    kernelTable = load("kernel-lines.txt", k);
    kernel = k.toArray(LinePattern[]::new);
    List<LinePattern> u = new ArrayList<>();
    userTable = load("user-lines.txt", u);
    user = u.toArray(LinePattern[]::new);
  }

  /** Writes one kernel message, without framing. */
  void kernel(ByteBuf out, SplittableRandom rnd) {
    kernel[kernelTable[rnd.nextInt(kernelTable.length)]].render(out, rnd);
  }

  /** Writes one userspace syslog message: {@code tag[pid]: text}. */
  void user(ByteBuf out, SplittableRandom rnd) {
    user[userTable[rnd.nextInt(userTable.length)]].render(out, rnd);
  }

  /** Every kernel pattern, for checks of the catalog. */
  List<LinePattern> kernelPatterns() {
    return List.of(kernel);
  }

  /**
   * Reads a catalog into {@code patterns} and returns an index table in which each pattern appears
   * as often as its weight, so a weighted pick is one array read.
   */
  private static int[] load(String resource, List<LinePattern> patterns) {
    List<Integer> slots = new ArrayList<>();
    try (InputStream in = OrdinaryLines.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        int weight = Integer.parseInt(line.substring(0, tab));
        for (int w = 0; w < weight; w++) {
          slots.add(patterns.size());
        }
        patterns.add(new LinePattern(line.substring(tab + 1)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return slots.stream().mapToInt(Integer::intValue).toArray();
  }
}
