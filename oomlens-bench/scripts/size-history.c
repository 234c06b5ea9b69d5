/*
 * Writes a fleet's memory history as OpenMetrics for `promtool tsdb create-blocks-from
 * openmetrics`, one time slice per run (size-vs-curl.sh backfills a week of 10,000 containers
 * slice by slice: a week at once would be 30 GB of text, and the Python writer it replaced needed
 * hours for it).
 *
 *   size-history CONTAINERS START FROM TO > slice.om      (unix seconds; samples in [FROM, TO))
 *   size-history CONTAINERS START --kinds                 (each container's intended shape)
 *
 * Each container gets one of the shapes oomlens tells apart, in proportions a fleet might show,
 * from a hash of its index (so every slice agrees): most steady or oversized, some GC sawtooth,
 * some spiky, some mostly page cache, a few near their limit, a few leaking (killed at the limit
 * and restarted, a new container id each time), some with no limit at all. Sizes are spread
 * log-uniformly from 48 MiB to 3 GiB. Containers other than the leaks are redeployed (a new id)
 * zero to three times a week.
 *
 * Series: cAdvisor's working set at 30 s; rss, cache and limit at 5 min (with the same id);
 * kube-state-metrics' memory request and restart counter at 5 min (no id). Values are whole
 * bytes. The restart counter counts a leak's kills (its pod stays, its container is restarted);
 * the other containers' redeploys are new pods in a real cluster, whose counters start at 0, so
 * theirs stays 0 here.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024.0 * 1024.0)
#define STEP 30
#define COARSE 300

enum kind { STEADY, OVERSIZED, NEAR_LIMIT, SAWTOOTH, SPIKE, CACHE, LEAK, NO_LIMIT, KINDS };
static const char *NAMES[KINDS] = {"steady", "oversized", "near-limit", "sawtooth",
                                   "spike",  "cache",     "leak",       "no-limit"};
/* Cumulative shares, in thousandths. */
static const int SHARE[KINDS] = {380, 580, 630, 750, 800, 900, 930, 1000};

static uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/* A uniform draw in [0, 1) for container i, purpose k (and time t where it varies). */
static double u(long i, long k, long t) {
  return (mix(mix(mix((uint64_t)i) ^ (uint64_t)k) ^ (uint64_t)t) >> 11) * 0x1.0p-53;
}

static double between(double lo, double hi, long i, long k) { return lo + (hi - lo) * u(i, k, 0); }

struct box {
  enum kind kind;
  double base, limit, request, period, rate, lifeSeconds;
  long restarts[3];
  int nrestarts;
};

static struct box box(long i, long start) {
  struct box b;
  memset(&b, 0, sizeof b);
  int r = (int)(u(i, 1, 0) * 1000);
  b.kind = STEADY;
  while (r >= SHARE[b.kind]) b.kind++;
  b.base = 48 * MIB * pow(64, u(i, 2, 0)); /* 48 MiB to 3 GiB */
  double lf = between(1.6, 2.6, i, 3);
  switch (b.kind) {
    case OVERSIZED: lf = between(3.5, 8, i, 3); break;
    case NEAR_LIMIT: lf = between(1.04, 1.1, i, 3); break;
    case SPIKE: lf = between(2.6, 3.5, i, 3); break;
    case LEAK: lf = between(1.6, 2.2, i, 3); break;
    case NO_LIMIT: lf = 0; break;
    default: break;
  }
  b.limit = b.base * lf;
  b.request = b.base * between(0.8, 1.3, i, 4);
  if (b.kind == OVERSIZED) b.request = b.base * between(3.2, 5, i, 4);
  b.period = between(300, 1200, i, 5); /* a GC cycle, or the time between spikes' hours */
  if (b.kind == LEAK) {
    /* Killed at the limit after 8 to 40 hours, then back to the base in a new container. */
    b.lifeSeconds = between(8, 40, i, 6) * 3600;
    b.rate = (b.limit - b.base) / b.lifeSeconds;
  } else {
    b.nrestarts = (int)(u(i, 7, 0) * 4);
    for (int k = 0; k < b.nrestarts; k++) b.restarts[k] = start + (long)(u(i, 8 + k, 0) * 7 * 86400);
  }
  return b;
}

/* The container life (its id) at time t. */
static long life(const struct box *b, long start, long t) {
  if (b->kind == LEAK) return (long)((t - start) / b->lifeSeconds);
  long n = 0;
  for (int k = 0; k < b->nrestarts; k++) n += t >= b->restarts[k];
  return n;
}

/* The working set at time t, and the anonymous part of it. */
static double working(const struct box *b, long i, long start, long t, double *anon) {
  double noise = 1 + 0.02 * (u(i, 20, t) - 0.5);
  double v = b->base * noise;
  switch (b->kind) {
    case SAWTOOTH: {
      double phase = fmod((double)(t - start) + b->period * u(i, 21, 0), b->period) / b->period;
      v = b->base * (0.6 + 0.4 * phase) * noise;
      break;
    }
    case SPIKE: {
      /* Twice a day, a spike of 1.6x to 2.4x its level for 2 to 8 minutes. */
      long slot = (t - start) / 43200;
      long at = start + slot * 43200 + (long)(u(i, 22, slot) * 40000);
      long len = 120 + (long)(u(i, 23, slot) * 360);
      if (t >= at && t < at + len) v *= 1.6 + 0.8 * u(i, 24, slot);
      break;
    }
    case LEAK: {
      double age = fmod((double)(t - start), b->lifeSeconds);
      v = (b->base + b->rate * age) * noise;
      if (v > b->limit) v = b->limit;
      break;
    }
    default: break;
  }
  *anon = b->kind == CACHE ? v * 0.3 : v * 0.85;
  return v;
}

static char out[1 << 20];
static size_t used;

static void flush(void) {
  fwrite(out, 1, used, stdout);
  used = 0;
}

static void put(const char *s) {
  size_t n = strlen(s);
  if (used + n > sizeof out) flush();
  memcpy(out + used, s, n);
  used += n;
}

static void putl(long v) {
  char buf[24];
  int n = 0;
  if (v < 0) v = 0;
  do buf[n++] = (char)('0' + v % 10); while ((v /= 10) > 0);
  if (used + n > sizeof out) flush();
  while (n > 0) out[used++] = buf[--n];
}

static void labels(long i, long id, int withId) {
  char s[160];
  if (withId < 0) {
    snprintf(s, sizeof s, "{namespace=\"team-%02ld\",pod=\"app-%ld-7d9f\",container=\"app\"} ", i % 40, i);
  } else if (withId) {
    snprintf(s, sizeof s, "{namespace=\"team-%02ld\",pod=\"app-%ld-7d9f\",container=\"app\",id=\"/kubepods/pod%ld/%ld\"} ",
             i % 40, i, i, id);
  } else {
    snprintf(s, sizeof s, "{namespace=\"team-%02ld\",pod=\"app-%ld-7d9f\",container=\"app\",resource=\"memory\",unit=\"byte\"} ",
             i % 40, i);
  }
  put(s);
}

static void sample(double v, long t) {
  putl(lround(v));
  put(" ");
  putl(t);
  put("\n");
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[3], "--kinds") == 0) {
    long n = atol(argv[1]), start = atol(argv[2]);
    long count[KINDS] = {0};
    for (long i = 0; i < n; i++) count[box(i, start).kind]++;
    for (int k = 0; k < KINDS; k++) printf("%s %ld\n", NAMES[k], count[k]);
    return 0;
  }
  if (argc != 5) {
    fprintf(stderr, "usage: size-history CONTAINERS START FROM TO | CONTAINERS START --kinds\n");
    return 2;
  }
  long n = atol(argv[1]), start = atol(argv[2]), from = atol(argv[3]), to = atol(argv[4]);
  struct box *boxes = malloc(sizeof *boxes * (size_t)n);
  for (long i = 0; i < n; i++) boxes[i] = box(i, start);
  long first = from + (STEP - (from - start) % STEP) % STEP;
  long coarse = from + (COARSE - (from - start) % COARSE) % COARSE;
  double anon;

  put("# TYPE container_memory_working_set_bytes gauge\n");
  for (long i = 0; i < n; i++) {
    for (long t = first; t < to; t += STEP) {
      put("container_memory_working_set_bytes");
      labels(i, life(&boxes[i], start, t), 1);
      sample(working(&boxes[i], i, start, t, &anon), t);
    }
  }
  const char *names[] = {"container_memory_rss", "container_memory_cache",
                         "container_spec_memory_limit_bytes"};
  for (int m = 0; m < 3; m++) {
    put("# TYPE ");
    put(names[m]);
    put(" gauge\n");
    for (long i = 0; i < n; i++) {
      for (long t = coarse; t < to; t += COARSE) {
        double ws = working(&boxes[i], i, start, t, &anon);
        double v = m == 0   ? anon
                   : m == 1 ? (boxes[i].kind == CACHE ? ws * 0.9 : ws * 0.05 + ws * 0.2 * u(i, 30, 0))
                            : boxes[i].limit;
        put(names[m]);
        labels(i, life(&boxes[i], start, t), 1);
        sample(v, t);
      }
    }
  }
  put("# TYPE kube_pod_container_resource_requests gauge\n");
  for (long i = 0; i < n; i++) {
    for (long t = coarse; t < to; t += COARSE) {
      put("kube_pod_container_resource_requests");
      labels(i, 0, 0);
      sample(boxes[i].request, t);
    }
  }
  /* OpenMetrics names a counter's family without its _total suffix. */
  put("# TYPE kube_pod_container_status_restarts counter\n");
  for (long i = 0; i < n; i++) {
    for (long t = coarse; t < to; t += COARSE) {
      put("kube_pod_container_status_restarts_total");
      labels(i, 0, -1);
      sample(boxes[i].kind == LEAK ? (double)life(&boxes[i], start, t) : 0, t);
    }
  }
  put("# EOF\n");
  flush();
  return 0;
}
