package dev.oomlens.metrics;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/*
 * Loki's query_range (https://grafana.com/docs/loki/latest/reference/loki-http-api/): a log query
 * answers with streams, each its labels and [["<unix ns>", "<line>"], ...], at most `limit`
 * entries in all. Pages go forward in time: the next page starts at the last nanosecond of the
 * previous one (inclusive, since more entries may share it than fit the page), and the entries of
 * that nanosecond already handed on are dropped by their stream and text. A page with fewer than
 * `limit` entries is the last. Answers are read as streams (Jackson's parser).
 */

/** Pages through a Loki log query forward in time. */
public final class LokiClient {
  static final int LIMIT = 5000;

  /** Loki's default max_entries_limit_per_query. */
  static final int MAX_LIMIT = 5000;

  private static final JsonFactory JSON = new JsonFactory();

  private final URI base;
  private final Map<String, String> headers;
  private final HttpClient http;
  private final int limit;
  private final Duration timeout;

  /** One log line: its stream's labels, its time in nanoseconds since the epoch, its text. */
  public record Entry(Map<String, String> stream, long nanos, String line) {}

  /** Receives entries page by page, each page in time order. */
  @FunctionalInterface
  public interface Pages {
    void page(List<Entry> entries) throws IOException;
  }

  /**
   * @param timeout how long one page may take, from its request until its whole answer is read
   */
  public LokiClient(URI base, Map<String, String> headers, Duration timeout) {
    this(base, headers, LIMIT, timeout);
  }

  LokiClient(URI base, Map<String, String> headers, int limit, Duration timeout) {
    String s = requireNonNull(base, "base").toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    this.headers = Map.copyOf(headers);
    this.limit = limit;
    this.timeout = requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout " + timeout);
    }
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  public URI base() {
    return base;
  }

  /**
   * Runs {@code query} over {@code [from, to]}, handing every entry once, in pages.
   *
   * @return the number of entries
   * @throws PrometheusClient.QueryFailed when Loki cannot be reached or refuses the query
   */
  public long queryRange(String query, Instant from, Instant to, Pages out) throws IOException {
    long start = from.getEpochSecond() * 1_000_000_000L + from.getNano();
    long end = to.getEpochSecond() * 1_000_000_000L + to.getNano();
    Set<String> seenAtStart = new HashSet<>();
    long total = 0;
    int pageLimit = limit;
    while (true) {
      List<Entry> page = page(query, start, end, pageLimit);
      int fetched = page.size();
      List<Entry> fresh = new ArrayList<>(fetched);
      for (Entry e : page) {
        if (e.nanos() == start && seenAtStart.contains(key(e))) {
          continue;
        }
        fresh.add(e);
      }
      fresh.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
      if (!fresh.isEmpty()) {
        out.page(fresh);
        total += fresh.size();
      }
      if (fetched < pageLimit) {
        return total;
      }
      long last = page.stream().mapToLong(Entry::nanos).max().orElse(end);
      if (last != start) {
        seenAtStart.clear();
      }
      for (Entry e : page) {
        if (e.nanos() == last) {
          seenAtStart.add(key(e));
        }
      }
      if (fresh.isEmpty() && last == start) {
        if (pageLimit >= MAX_LIMIT) {
          throw new PrometheusClient.QueryFailed(
              where(query)
                  + ": more than "
                  + MAX_LIMIT
                  + " lines share the nanosecond "
                  + last
                  + "; they cannot be paged");
        }
        pageLimit = Math.min(MAX_LIMIT, pageLimit * 2);
        continue;
      }
      pageLimit = limit;
      start = last;
    }
  }

  private static String key(Entry e) {
    return e.stream() + "\u0000" + e.line();
  }

  private String where(String query) {
    return base + "loki/api/v1/query_range, query " + query;
  }

  private List<Entry> page(String query, long start, long end, int limit) throws IOException {
    String q =
        "query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8)
            + "&start="
            + start
            + "&end="
            + end
            + "&limit="
            + limit
            + "&direction=forward";
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve("loki/api/v1/query_range?" + q)).timeout(timeout).GET();
    headers.forEach(b::header);
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<InputStream> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new PrometheusClient.QueryFailed(where(query) + ": cannot connect");
    } catch (HttpTimeoutException e) {
      throw new PrometheusClient.QueryFailed(
          where(query) + ": no answer within " + PrometheusClient.human(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PrometheusClient.QueryFailed(where(query) + ": interrupted");
    }
    // The request's timeout ends at the headers: a body that stalls after them is closed here.
    AtomicBoolean late = new AtomicBoolean();
    InputStream in = r.body();
    ScheduledFuture<?> watchdog = PrometheusClient.closeAt(in, deadline, () -> late.set(true));
    try (in) {
      if (r.statusCode() / 100 != 2) {
        String body = new String(in.readNBytes(500), StandardCharsets.UTF_8).strip();
        throw new PrometheusClient.QueryFailed(
            where(query) + ": HTTP " + r.statusCode() + (body.isEmpty() ? "" : ": " + body));
      }
      return parse(in, query);
    } catch (IOException e) {
      if (late.get()) {
        throw new PrometheusClient.QueryFailed(
            where(query) + ": answer not complete within " + PrometheusClient.human(timeout));
      }
      throw e;
    } finally {
      watchdog.cancel(false);
    }
  }

  private List<Entry> parse(InputStream in, String query) throws IOException {
    List<Entry> out = new ArrayList<>();
    String status = null;
    try (JsonParser p = JSON.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new PrometheusClient.QueryFailed(where(query) + ": not a Loki answer");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        if (f.equals("status")) {
          status = p.getValueAsString();
        } else if (f.equals("data")) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String d = p.currentName();
            p.nextToken();
            if (d.equals("resultType") && !"streams".equals(p.getValueAsString())) {
              throw new PrometheusClient.QueryFailed(
                  where(query)
                      + ": the answer is "
                      + p.getValueAsString()
                      + ", not streams (a log query's answer)");
            } else if (d.equals("result")) {
              while (p.nextToken() == JsonToken.START_OBJECT) {
                stream(p, out);
              }
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new PrometheusClient.QueryFailed(
          where(query)
              + ": not a Loki answer: line "
              + e.getLocation().getLineNr()
              + ": "
              + e.getOriginalMessage());
    }
    if (!"success".equals(status)) {
      throw new PrometheusClient.QueryFailed(where(query) + ": status " + status);
    }
    return out;
  }

  private static void stream(JsonParser p, List<Entry> out) throws IOException {
    Map<String, String> labels = new LinkedHashMap<>();
    List<long[]> times = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      if (f.equals("stream")) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String k = p.currentName();
          p.nextToken();
          labels.put(k, p.getValueAsString());
        }
      } else if (f.equals("values")) {
        while (p.nextToken() == JsonToken.START_ARRAY) {
          p.nextToken();
          long ns = Long.parseLong(p.getValueAsString());
          p.nextToken();
          String line = p.getValueAsString();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren(); // structured metadata, when asked for
          }
          times.add(new long[] {ns});
          lines.add(line);
        }
      } else {
        p.skipChildren();
      }
    }
    Map<String, String> stream =
        java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
    for (int i = 0; i < lines.size(); i++) {
      out.add(new Entry(stream, times.get(i)[0], lines.get(i)));
    }
  }
}
