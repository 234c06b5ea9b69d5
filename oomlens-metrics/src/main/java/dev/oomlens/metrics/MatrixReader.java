package dev.oomlens.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.oomlens.core.series.Series;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/*
 * The query_range answer is read as a stream (Jackson's parser, token by token): a week of 10,000
 * containers is gigabytes of JSON, and none of it needs to be held. Each series is handed on in
 * stretches of at most STRETCH samples, so the memory used is the same for a day or a month.
 * Format: https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries (matrix),
 * values as [unix seconds, "string"]; an error answer has status "error", errorType and error.
 */

/** Reads a Prometheus {@code query_range} answer (a matrix) as a stream of {@link Series}. */
public final class MatrixReader {
  static final int STRETCH = 8192;
  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The answer was an error, or not a matrix: the message is Prometheus's own where it gave one.
   */
  public static final class BadAnswer extends IOException {
    BadAnswer(String message) {
      super(message);
    }
  }

  private MatrixReader() {}

  /**
   * Reads every series of the answer in {@code in}, handing each stretch to {@code out}.
   *
   * @param role the role of each series, from its labels; null to pass over a series
   * @return the number of samples read
   * @throws BadAnswer for an error answer, a result that is not a matrix, or malformed JSON (with
   *     the line and column)
   */
  public static long read(
      InputStream in,
      String query,
      Function<Map<String, String>, Series.Role> role,
      Consumer<Series> out)
      throws IOException {
    long samples = 0;
    String status = null;
    String error = null;
    String errorType = null;
    try (JsonParser p = JSON.createParser(in)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "status" -> status = p.getValueAsString();
          case "error" -> error = p.getValueAsString();
          case "errorType" -> errorType = p.getValueAsString();
          case "data" -> {
            expect(p, t, JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.currentName();
              JsonToken v = p.nextToken();
              if (f.equals("resultType")) {
                String type = p.getValueAsString();
                if (!"matrix".equals(type)) {
                  throw new BadAnswer(
                      "the answer is a " + type + ", not a matrix (a range query's" + " answer)");
                }
              } else if (f.equals("result")) {
                expect(p, v, JsonToken.START_ARRAY);
                while (p.nextToken() == JsonToken.START_OBJECT) {
                  samples += series(p, query, role, out);
                }
              } else {
                p.skipChildren();
              }
            }
          }
          default -> p.skipChildren();
        }
      }
    } catch (BadAnswer e) {
      throw e;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadAnswer(
          "not a Prometheus answer: line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + e.getOriginalMessage());
    }
    if ("error".equals(status)) {
      throw new BadAnswer(
          (errorType == null ? "" : errorType + ": ") + (error == null ? "error" : error));
    }
    if (!"success".equals(status)) {
      throw new BadAnswer("not a Prometheus answer: no \"status\": \"success\"");
    }
    return samples;
  }

  private static long series(
      JsonParser p,
      String query,
      Function<Map<String, String>, Series.Role> role,
      Consumer<Series> out)
      throws IOException {
    Map<String, String> labels = new LinkedHashMap<>();
    long[] t = new long[256];
    double[] v = new double[256];
    int n = 0;
    long total = 0;
    Series.Role r = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken tok = p.nextToken();
      if (f.equals("metric")) {
        expect(p, tok, JsonToken.START_OBJECT);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          p.nextToken();
          labels.put(k, p.getValueAsString());
        }
        r = role.apply(labels);
      } else if (f.equals("values")) {
        expect(p, tok, JsonToken.START_ARRAY);
        if (r == null) {
          r = role.apply(labels);
        }
        while (p.nextToken() == JsonToken.START_ARRAY) {
          JsonToken tt = p.nextToken();
          long millis =
              tt == JsonToken.VALUE_NUMBER_INT
                  ? p.getLongValue() * 1000
                  : Math.round(p.getValueAsDouble() * 1000);
          expect(p, p.nextToken(), JsonToken.VALUE_STRING);
          double value = value(p);
          expect(p, p.nextToken(), JsonToken.END_ARRAY);
          if (n == t.length) {
            if (n >= MatrixReader.STRETCH) {
              if (r != null) {
                out.accept(stretch(r, query, labels, t, v, n));
              }
              total += n;
              n = 0;
            } else {
              t = Arrays.copyOf(t, n * 2);
              v = Arrays.copyOf(v, n * 2);
            }
          }
          t[n] = millis;
          v[n] = value;
          n++;
        }
      } else {
        p.skipChildren();
      }
    }
    if (n > 0) {
      Series.Role last = r == null ? role.apply(labels) : r;
      if (last != null) {
        out.accept(stretch(last, query, labels, t, v, n));
      }
      total += n;
    }
    return total;
  }

  private static Series stretch(
      Series.Role role, String query, Map<String, String> labels, long[] t, double[] v, int n) {
    Map<String, String> l = new LinkedHashMap<>(labels);
    l.remove("__name__");
    return new Series(role, query, l, Arrays.copyOf(t, n), Arrays.copyOf(v, n));
  }

  /*
   * Nearly every sample value Prometheus writes for bytes is a plain integer: those are read from
   * the parser's own characters without making a String (the hot path of a week of 10,000
   * containers); anything else (decimals, exponents, NaN, +Inf) goes the general way.
   */
  private static double value(JsonParser p) throws IOException {
    char[] c = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    if (len > 0 && len <= 18) {
      long v = 0;
      int i = 0;
      for (; i < len; i++) {
        char ch = c[off + i];
        if (ch < '0' || ch > '9') {
          break;
        }
        v = v * 10 + (ch - '0');
      }
      if (i == len) {
        return v;
      }
    }
    return parse(p.getText(), p);
  }

  private static double parse(String s, JsonParser p) throws BadAnswer {
    if (s == null) {
      throw new BadAnswer(
          "line " + p.currentLocation().getLineNr() + ": a sample without a" + " value");
    }
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new BadAnswer(
              "line " + p.currentLocation().getLineNr() + ": '" + s + "' is not a sample value");
        }
      }
    };
  }

  private static final java.util.Set<String> JVM_THREADS =
      java.util.Set.of("jvm_threads_current", "jvm_threads_live_threads", "jvm_thread_count");

  private static void expect(JsonParser p, JsonToken actual, JsonToken wanted) throws IOException {
    if (actual != wanted) {
      throw new BadAnswer(
          "not a Prometheus answer: line "
              + p.currentLocation().getLineNr()
              + ": expected "
              + wanted.asString()
              + " but found "
              + (actual == null ? "the end" : p.getText()));
    }
  }

  /**
   * The role of a saved series, by its metric name: working set unless it names another; null (to
   * pass it over) for a JVM's metrics other than its classes, threads and direct buffers.
   */
  public static Series.Role roleOf(Map<String, String> labels) {
    String name = labels.getOrDefault("__name__", "");
    if (PrometheusMemory.JVM_CLASSES.contains(name)) {
      return Series.Role.JVM_CLASSES;
    }
    if (JVM_THREADS.contains(name)) {
      return Series.Role.JVM_THREADS;
    }
    if (name.equals("jvm_buffer_pool_used_bytes") || name.equals("jvm_buffer_memory_used_bytes")) {
      boolean direct =
          "direct".equals(labels.get("pool"))
              || "direct".equals(labels.get("id"))
              || "direct".equals(labels.get("jvm_buffer_pool_name"));
      return direct ? Series.Role.JVM_DIRECT : null;
    }
    if (name.startsWith("jvm_")) {
      // A JVM's other metrics (its heap, GC, ...) are never a container's working set.
      return null;
    }
    if (name.contains("restarts")) {
      return Series.Role.RESTARTS;
    }
    if (name.contains("memory_rss")) {
      return Series.Role.RSS;
    }
    if (name.contains("memory_cache")) {
      return Series.Role.CACHE;
    }
    if (name.contains("limit")) {
      return Series.Role.LIMIT;
    }
    if (name.contains("request")) {
      return Series.Role.REQUEST;
    }
    return Series.Role.WORKING_SET;
  }
}
