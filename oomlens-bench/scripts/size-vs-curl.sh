#!/usr/bin/env bash
# Whole-process benchmark: `oomlens size --prometheus` against curl fetching the same range
# queries from the same real Prometheus, side by side, in alternating rounds.
#
#   oomlens-bench/scripts/size-vs-curl.sh [CONTAINERS] [DAYS]      (default: 100 7)
#
# Environment:
#   BENCH_DIR  where the generated history and Prometheus's data are kept (default ./bench-data)
#   ROUNDS     alternating rounds (default 3); the table quotes the median
#   ROUNDS=0   only writes and backfills the history
#   JAVA_HOME  the JDK to run with (21 or later)
#   JAVA_OPTS  flags for oomlens's JVM, such as -Xmx512m -XX:+UseSerialGC (default none)
#
# The history: CONTAINERS containers over DAYS days, each given a shape (steady, oversized,
# near its limit, GC sawtooth, spiky, mostly page cache, leaking and restarted, no limit; the
# intended counts go to kinds.txt and are printed beside oomlens's at the end), the working set
# at 30 s, rss, cache and limit at 5 min, kube-state-metrics' request and restart counter at
# 5 min. size-history.c (compiled here with cc) writes it as OpenMetrics 18 hours at a time and promtool backfills each
# slice; Debian's prometheus serves it on 127.0.0.1 with a 100-year retention, and is stopped by
# its PID at the end. curl sends exactly the POST forms oomlens sends (the same ten queries, the
# working set a day at a time as oomlens asks for it), one after the other, writing each answer
# to a file. Wall, user and system CPU and peak RSS come from
# GNU time (/usr/bin/time -f '%e %U %S %M').
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
CONTAINERS=${1:-100}
DAYS=${2:-7}
BENCH_DIR=${BENCH_DIR:-./bench-data}
ROUNDS=${ROUNDS:-3}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
DIR="$BENCH_DIR/size-$CONTAINERS-$DAYS"
mkdir -p "$DIR"
START=1767225600  # 2026-01-01T00:00:00Z
END=$((START + DAYS * 86400))

if [[ ! -d "$DIR/data/wal" ]]; then
  echo "size-vs-curl: writing $CONTAINERS containers x $DAYS days and backfilling" >&2
  cc -O2 -o "$DIR/size-history" oomlens-bench/scripts/size-history.c -lm
  "$DIR/size-history" "$CONTAINERS" "$START" --kinds > "$DIR/kinds.txt"
  rm -rf "$DIR/data" "$DIR/blocks"
  # 18 hours at a time, each slice one block (promtool cuts blocks at multiples of 18 hours since
  # 1970 when asked for at most 24, and START is one): a week of 10,000 containers is 30 GB of
  # OpenMetrics.
  for (( s = START; s < END; s += 64800 )); do
    e=$(( s + 64800 )); (( e > END )) && e=$END
    "$DIR/size-history" "$CONTAINERS" "$START" "$s" "$e" > "$DIR/slice.om"
    promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$DIR/slice.om" \
      "$DIR/data" >> "$DIR/promtool.log"
    rm -f "$DIR/slice.om"
  done
  mkdir -p "$DIR/data/wal"
fi
[[ "$ROUNDS" == 0 ]] && { echo "size-vs-curl: backfilled $DIR (ROUNDS=0)" >&2; exit 0; }

if [[ ! -f oomlens-cli/target/oomlens.jar ]]; then
  echo "size-vs-curl: building oomlens-cli/target/oomlens.jar" >&2
  ./mvnw -B -q -pl oomlens-cli -am package -DskipTests
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' > "$DIR/prometheus.yml"
prometheus --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/data" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$PORT" \
  > "$DIR/prometheus.log" 2>&1 &
PROM=$!
trap 'kill $PROM 2>/dev/null; wait $PROM 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
URL="http://127.0.0.1:$PORT"

SEL='container!="",container!="POD"'
BY=' by (namespace,pod,container)'
# The working set a day (2,880 points) at a time, as PrometheusMemory asks for it.
curl_all() {
  local s=$START e out=$DIR/curl
  mkdir -p "$out"
  local k=0
  while (( s <= END )); do
    e=$(( s + 30 * 2879 )); (( e > END )) && e=$END
    curl -s --data-urlencode "query=container_memory_working_set_bytes{$SEL}" \
      -d "start=$s" -d "end=$e" -d "step=30.0" "$URL/api/v1/query_range" > "$out/ws-$k.json"
    s=$(( e + 30 )); k=$((k + 1))
  done
  for q in "max$BY (max_over_time(container_memory_rss{$SEL}[21m]))" \
           "max$BY (max_over_time(container_memory_cache{$SEL}[21m]))" \
           "max$BY (container_spec_memory_limit_bytes{$SEL})" \
           "max$BY (kube_pod_container_resource_limits{$SEL,resource=\"memory\"}) unless on (namespace,pod,container) (container_spec_memory_limit_bytes{$SEL} > 0)" \
           "max$BY (kube_pod_container_resource_requests{$SEL,resource=\"memory\"})" \
           "max$BY (kube_pod_container_status_restarts_total{$SEL})" \
           "max$BY (max_over_time({__name__=~\"jvm_classes_currently_loaded|jvm_classes_loaded|jvm_classes_loaded_classes|jvm_class_count\",$SEL}[21m]))" \
           "max$BY (max_over_time({__name__=~\"jvm_threads_current|jvm_threads_live_threads\",$SEL}[21m])) or sum$BY (jvm_thread_count{$SEL})" \
           "max$BY (max_over_time(jvm_buffer_pool_used_bytes{$SEL,pool=\"direct\"}[21m]) or max_over_time(jvm_buffer_memory_used_bytes{$SEL,id=\"direct\"}[21m]) or max_over_time(jvm_buffer_memory_used_bytes{$SEL,jvm_buffer_pool_name=\"direct\"}[21m]))"; do
    curl -s --data-urlencode "query=$q" -d "start=$START" -d "end=$END" -d "step=1260.0" \
      "$URL/api/v1/query_range" > "$out/q-$k.json"
    k=$((k + 1))
  done
}
export -f curl_all
export START END DIR URL SEL BY

SINCE=$(date -u -d "@$START" +%Y-%m-%dT%H:%M:%SZ)
UNTIL=$(date -u -d "@$END" +%Y-%m-%dT%H:%M:%SZ)
declare -a RATIOS=()
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "round  curl_wall curl_cpu curl_rss_kb  oomlens_wall oomlens_cpu oomlens_rss_kb  ratio"
for r in $(seq 1 "$ROUNDS"); do
  c=$(/usr/bin/time -f '%e %U %S %M' bash -c curl_all 2>&1 >/dev/null | tail -n 1)
  # shellcheck disable=SC2086
  o=$(/usr/bin/time -f '%e %U %S %M' "$JAVA" ${JAVA_OPTS:-} -jar oomlens-cli/target/oomlens.jar size \
      --prometheus "$URL" --since "$SINCE" --until "$UNTIL" --format json \
      -o "$DIR/size.json" 2>&1 >/dev/null | tail -n 1)
  read -r cw cu cs cr <<< "$c"
  read -r ow ou os or <<< "$o"
  ratio=$(python3 -c "print(f'{$ow/$cw:.2f}')")
  RATIOS+=("$ratio")
  printf '%5d  %9s %8.2f %11s  %12s %11.2f %14s  %5s\n' "$r" "$cw" "$(python3 -c "print($cu+$cs)")" \
    "$cr" "$ow" "$(python3 -c "print($ou+$os)")" "$or" "$ratio"
done
printf 'median oomlens/curl wall ratio: %s\n' \
  "$(printf '%s\n' "${RATIOS[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
python3 - "$DIR/size.json" "$DIR/kinds.txt" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
print('workloads sized:', len(d['workloads']))
print('shapes found:', dict(sorted(collections.Counter(w['shape'] for w in d['workloads']).items())))
print('shapes generated:', ' '.join(open(sys.argv[2]).read().split()))
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
