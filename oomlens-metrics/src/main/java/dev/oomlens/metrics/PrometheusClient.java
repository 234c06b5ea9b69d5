package dev.oomlens.metrics;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.series.Series;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

/*
 * A thin client of Prometheus's HTTP API (/api/v1/query_range), which Thanos, Mimir and
 * VictoriaMetrics speak too. Queries go as POST forms, so long selectors are never cut by a URL
 * limit. Prometheus refuses a range query of more than 11,000 points per series, so a long window
 * is asked for in chunks; the next chunk is requested before the current one is read, so the
 * server works while we parse. Answers are read as streams (MatrixReader), never held whole.
 */

/** Range queries against a Prometheus-compatible HTTP API. */
public final class PrometheusClient {
  /** Prometheus's own ceiling on points per series in one range query. */
  public static final int MAX_POINTS = 11_000;

  private final URI base;
  private final HttpClient http;
  private final Map<String, String> headers;
  private final Duration timeout;

  /** A query that failed: the message names the server, the query and why. */
  public static final class QueryFailed extends IOException {
    QueryFailed(String message) {
      super(message);
    }
  }

  /**
   * @param base the server's URL, such as {@code http://127.0.0.1:9090} (a path prefix is kept)
   * @param headers sent with every request (authorization, a tenant header such as X-Scope-OrgID)
   */
  public PrometheusClient(URI base, Map<String, String> headers, Duration timeout) {
    String s = requireNonNull(base, "base").toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    this.headers = Map.copyOf(headers);
    this.timeout = requireNonNull(timeout, "timeout");
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** Headers for a bearer token, basic auth (user:password) and extra {@code Name: value} ones. */
  public static Map<String, String> headers(
      String bearerToken, String basicAuth, List<String> extra) {
    Map<String, String> out = new LinkedHashMap<>();
    if (bearerToken != null) {
      out.put("Authorization", "Bearer " + bearerToken.strip());
    }
    if (basicAuth != null) {
      out.put(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(basicAuth.getBytes(StandardCharsets.UTF_8)));
    }
    for (String h : extra) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("a header is 'Name: value', not '" + h + "'");
      }
      out.put(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
    }
    return out;
  }

  public URI base() {
    return base;
  }

  /**
   * Runs {@code query} over {@code [start, end]} at {@code step}, handing each series' stretches to
   * {@code out} in chunk order.
   *
   * @return the number of samples read
   * @throws QueryFailed when the server cannot be reached or refuses the query
   */
  public long queryRange(
      String query,
      Instant start,
      Instant end,
      Duration step,
      Function<Map<String, String>, Series.Role> role,
      Consumer<Series> out)
      throws QueryFailed {
    return queryRange(query, start, end, step, MAX_POINTS, role, out);
  }

  /**
   * As {@link #queryRange(String, Instant, Instant, Duration, Function, Consumer)}, asking for at
   * most {@code maxPoints} points per series in one request (at most {@link #MAX_POINTS}).
   */
  public long queryRange(
      String query,
      Instant start,
      Instant end,
      Duration step,
      int maxPoints,
      Function<Map<String, String>, Series.Role> role,
      Consumer<Series> out)
      throws QueryFailed {
    List<Instant[]> chunks = chunks(start, end, step, Math.min(maxPoints, MAX_POINTS));
    long samples = 0;
    CompletableFuture<HttpResponse<InputStream>> next = send(query, chunks.get(0), step);
    for (int i = 0; i < chunks.size(); i++) {
      CompletableFuture<HttpResponse<InputStream>> current = next;
      next = i + 1 < chunks.size() ? send(query, chunks.get(i + 1), step) : null;
      HttpResponse<InputStream> r;
      try {
        r = current.get();
      } catch (ExecutionException e) {
        if (next != null) {
          next.cancel(true);
        }
        throw new QueryFailed(where(query) + ": " + reason(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueryFailed(where(query) + ": interrupted");
      }
      try (InputStream body = r.body()) {
        samples += MatrixReader.read(body, query, role, out);
        if (r.statusCode() / 100 != 2) {
          throw new QueryFailed(where(query) + ": HTTP " + r.statusCode());
        }
      } catch (MatrixReader.BadAnswer e) {
        throw new QueryFailed(
            where(query)
                + ": "
                + (r.statusCode() / 100 != 2 ? "HTTP " + r.statusCode() + ": " : "")
                + e.getMessage());
      } catch (IOException e) {
        throw new QueryFailed(where(query) + ": " + reason(e));
      }
    }
    return samples;
  }

  private String where(String query) {
    return base + "api/v1/query_range, query " + query;
  }

  private static String reason(Throwable e) {
    if (e instanceof ConnectException) {
      return "cannot connect ("
          + (e.getMessage() == null ? "connection refused" : e.getMessage())
          + ")";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer in time";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The window split so no chunk exceeds {@link #MAX_POINTS} points; ends on step boundaries. */
  static List<Instant[]> chunks(Instant start, Instant end, Duration step) {
    return chunks(start, end, step, MAX_POINTS);
  }

  /** The window split so no chunk exceeds {@code maxPoints} points; ends on step boundaries. */
  static List<Instant[]> chunks(Instant start, Instant end, Duration step, int maxPoints) {
    if (maxPoints < 1) {
      throw new IllegalArgumentException("maxPoints " + maxPoints);
    }
    List<Instant[]> out = new ArrayList<>();
    Duration span = step.multipliedBy(maxPoints - 1);
    Instant s = start;
    do {
      Instant e = s.plus(span).isBefore(end) ? s.plus(span) : end;
      out.add(new Instant[] {s, e});
      s = e.plus(step);
    } while (!s.isAfter(end));
    return out;
  }

  private CompletableFuture<HttpResponse<InputStream>> send(
      String query, Instant[] range, Duration step) {
    String form =
        "query="
            + enc(query)
            + "&start="
            + seconds(range[0])
            + "&end="
            + seconds(range[1])
            + "&step="
            + step.toMillis() / 1000.0;
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve("api/v1/query_range"))
            .timeout(timeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    headers.forEach(b::header);
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  private static String seconds(Instant t) {
    return t.getEpochSecond() + (t.getNano() == 0 ? "" : "." + String.format("%09d", t.getNano()));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
