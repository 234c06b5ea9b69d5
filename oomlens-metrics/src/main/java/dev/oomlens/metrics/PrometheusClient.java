package dev.oomlens.metrics;

import static java.util.Objects.requireNonNull;

import dev.oomlens.core.series.Series;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
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
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  /** Prometheus's own default for --query.timeout: how long one query may take it. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Closes the answers that outlive their deadline; its thread ends when none is being read. */
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

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
   * @param timeout how long one request may take, from when it is waited for until its whole answer
   *     is read
   */
  public PrometheusClient(URI base, Map<String, String> headers, Duration timeout) {
    String s = requireNonNull(base, "base").toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    this.headers = Map.copyOf(headers);
    this.timeout = requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout " + timeout);
    }
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
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
   * @throws QueryFailed when the server cannot be reached, refuses the query, or does not answer a
   *     chunk of it whole within the timeout
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
    Request next = new Request(query, chunks.get(0), step);
    try {
      for (int i = 0; i < chunks.size(); i++) {
        Request current = next;
        next = null;
        try (current) {
          next = i + 1 < chunks.size() ? new Request(query, chunks.get(i + 1), step) : null;
          samples += current.read(role, out);
        }
      }
    } finally {
      // A failure while one chunk is read leaves the next in flight: its thread and connection
      // would outlive the query.
      if (next != null) {
        next.close();
      }
    }
    return samples;
  }

  /*
   * Why each request has a thread of its own and not HttpClient.sendAsync: the JDK completes
   * sendAsync's future through a task on ForkJoinPool.commonPool(), its request timeout too. On
   * two cores that pool has one worker; with it busy (the coarse queries read their answers
   * there, blocked in InputStream.read), a response that had arrived was never handed over and
   * the 5-minute request timeout could not end the wait either: `oomlens size` hung with
   * Prometheus's answers written and unread. HttpClient.send on a thread of ours needs no pool,
   * and interrupting it cancels the exchange and closes its connection.
   *
   * The request timeout of HttpRequest ends at the headers; a body that stalls after them would
   * block read() forever. So the deadline is ours: it starts when the chunk is waited for (a
   * prefetched one is not charged for the time the previous took) and covers its headers and its
   * whole body, which a scheduled task closes when the deadline passes.
   */

  /** One chunk's request: sent at once on its own thread, read by the caller, always closed. */
  private final class Request implements AutoCloseable {
    private final String query;
    private final CompletableFuture<HttpResponse<InputStream>> response = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean timedOut;

    Request(String query, Instant[] range, Duration step) {
      this.query = query;
      HttpRequest request = request(query, range, step);
      this.thread =
          Thread.ofPlatform()
              .daemon()
              .name("oomlens-prometheus-request")
              .start(
                  () -> {
                    try {
                      HttpResponse<InputStream> r =
                          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                      if (!response.complete(r)) {
                        closeQuietly(r.body());
                      }
                    } catch (IOException | InterruptedException | RuntimeException e) {
                      response.completeExceptionally(e);
                    } catch (Error e) {
                      response.completeExceptionally(e);
                      throw e;
                    }
                  });
    }

    /** Reads the whole answer into {@code out}; the number of samples. */
    long read(Function<Map<String, String>, Series.Role> role, Consumer<Series> out)
        throws QueryFailed {
      long deadline = System.nanoTime() + timeout.toNanos();
      HttpResponse<InputStream> r;
      try {
        r = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        throw new QueryFailed(where(query) + ": no answer within " + human(timeout));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        throw new QueryFailed(where(query) + ": " + reason(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueryFailed(where(query) + ": interrupted");
      }
      InputStream body = r.body();
      ScheduledFuture<?> watchdog = closeAt(body, deadline, () -> timedOut = true);
      try (body) {
        long samples = MatrixReader.read(body, query, role, out);
        if (r.statusCode() / 100 != 2) {
          throw new QueryFailed(where(query) + ": HTTP " + r.statusCode());
        }
        return samples;
      } catch (MatrixReader.BadAnswer e) {
        throw new QueryFailed(
            where(query)
                + ": "
                + (timedOut ? "answer not complete within " + human(timeout) + ": " : "")
                + (r.statusCode() / 100 != 2 ? "HTTP " + r.statusCode() + ": " : "")
                + e.getMessage());
      } catch (IOException e) {
        throw new QueryFailed(
            where(query)
                + ": "
                + (timedOut ? "answer not complete within " + human(timeout) : reason(e)));
      } finally {
        watchdog.cancel(false);
      }
    }

    /** Cancels the request if it is still in flight, or closes its answer if it came. */
    @Override
    public void close() {
      // A request that failed has nothing to close; one answered has a body holding its connection.
      if (!response.cancel(false) && response.state() == Future.State.SUCCESS) {
        closeQuietly(response.resultNow().body());
      }
      thread.interrupt();
    }
  }

  /**
   * Closes {@code body} at {@code deadline} ({@link System#nanoTime()}), after telling {@code
   * late}: a body that stalls after its headers would otherwise block read() forever. Cancel the
   * returned future once the body is read.
   */
  static ScheduledFuture<?> closeAt(InputStream body, long deadline, Runnable late) {
    return WATCHDOG.schedule(
        () -> {
          late.run();
          closeQuietly(body);
        },
        Math.max(0, deadline - System.nanoTime()),
        TimeUnit.NANOSECONDS);
  }

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1, r -> Thread.ofPlatform().daemon().name("oomlens-prometheus-deadline").unstarted(r));
    e.setRemoveOnCancelPolicy(true);
    e.setKeepAliveTime(1, TimeUnit.SECONDS);
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // closing only gives the connection up; nothing is lost if it fails
    }
  }

  /** A duration as the options are written: 2m, 90s, 500ms. */
  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 60_000 == 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
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
    if (e instanceof HttpConnectTimeoutException) {
      return "cannot connect within " + human(CONNECT_TIMEOUT);
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

  private HttpRequest request(String query, Instant[] range, Duration step) {
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
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    headers.forEach(b::header);
    return b.build();
  }

  private static String seconds(Instant t) {
    return t.getEpochSecond() + (t.getNano() == 0 ? "" : "." + String.format("%09d", t.getNano()));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
