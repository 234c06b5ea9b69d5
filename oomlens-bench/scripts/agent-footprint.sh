#!/usr/bin/env bash
# Whole-process benchmark: the resident size and CPU of `oomlens watch` against Debian's
# prometheus-node-exporter, started side by side in the same run, each scraped every 15 s while the
# agent samples N memory cgroups with a limit (made for the run, empty) every 5 s.
#
#   sudo oomlens-bench/scripts/agent-footprint.sh [SECONDS] [CGROUPS]   (default: 600 200)
#
# Environment:
#   OOMLENS        the oomlens launcher (default ./oomlens: its footprint flags for watch)
#   NODE_EXPORTER  the node_exporter binary (default /usr/bin/prometheus-node-exporter)
#
# Needs root and cgroup v1 at /sys/fs/cgroup/memory (for the cgroups). RSS is VmRSS from
# /proc/PID/status at the end, with its anonymous and file-backed parts (RssAnon, RssFile); CPU is
# utime+stime from /proc/PID/stat over the run, as a share of one core. Both servers listen on
# 127.0.0.1 only and are stopped by PID; the cgroups are removed.
set -euo pipefail
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

SECONDS_TO_RUN=${1:-600}
N=${2:-200}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OOMLENS=${OOMLENS:-$ROOT/oomlens}
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
WORK=$(mktemp -d)
CG=/sys/fs/cgroup/memory/oomlens-footprint-$$
AGENT_PORT=19717
NE_PORT=19100
agent=
ne=

cleanup() {
  [ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null || true
  [ -n "$ne" ] && kill "$ne" 2>/dev/null && wait "$ne" 2>/dev/null || true
  if [ -d "$CG" ]; then
    for d in "$CG"/cg-*; do [ -d "$d" ] && rmdir "$d"; done
    rmdir "$CG"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$CG"
for i in $(seq 1 "$N"); do
  mkdir "$CG/cg-$i"
  echo $((64 << 20)) > "$CG/cg-$i/memory.limit_in_bytes"
done

"$OOMLENS" watch --db "$WORK/history.db" --listen 127.0.0.1:$AGENT_PORT --interval 5s \
  > "$WORK/agent.log" 2>&1 &
agent=$!
"$NODE_EXPORTER" --web.listen-address=127.0.0.1:$NE_PORT > "$WORK/ne.log" 2>&1 &
ne=$!

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# Start counting once both serve: the agent's start-up (JVM, class loading) is not its steady cost.
for _ in $(seq 1 100); do
  curl -sf "127.0.0.1:$AGENT_PORT/metrics" > /dev/null && curl -sf "127.0.0.1:$NE_PORT/metrics" > /dev/null && break
  sleep 0.2
done
t0=$(date +%s.%N)
a0=$(ticks "$agent"); n0=$(ticks "$ne")
end=$(( $(date +%s) + SECONDS_TO_RUN ))
scrapes=0
while [ "$(date +%s)" -lt "$end" ]; do
  curl -sf "127.0.0.1:$AGENT_PORT/metrics" > "$WORK/agent.prom"
  curl -sf "127.0.0.1:$NE_PORT/metrics" > "$WORK/ne.prom"
  scrapes=$((scrapes + 1))
  sleep 15
done
t1=$(date +%s.%N)
a1=$(ticks "$agent"); n1=$(ticks "$ne")
hz=$(getconf CLK_TCK)
sampled=$(awk '/^oomlens_cgroups_sampled / { print $2 }' "$WORK/agent.prom")

row() { # name pid ticks0 ticks1
  local rss anon file
  rss=$(kib "$2" VmRSS); anon=$(kib "$2" RssAnon); file=$(kib "$2" RssFile)
  awk -v n="$1" -v r="$rss" -v a="$anon" -v f="$file" -v c0="$3" -v c1="$4" -v hz="$hz" \
    -v w="$(echo "$t1 - $t0" | bc)" 'BEGIN {
      printf "| %s | %.1f | %.1f | %.1f | %.2f%% | %.1f |\n", n, r/1024, a/1024, f/1024,
        100 * (c1 - c0) / hz / w, (c1 - c0) / hz }'
  echo "$rss" > "$WORK/$1.rss"
}
echo "oomlens watch vs node_exporter: ${SECONDS_TO_RUN}s, $N cgroups made ($sampled sampled by the agent), $scrapes scrapes each, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| process | RSS MiB | anon MiB | file MiB | CPU (one core) | CPU s |"
echo "|---|---|---|---|---|---|"
row "oomlens watch" "$agent" "$a0" "$a1"
row "node_exporter" "$ne" "$n0" "$n1"
awk -v a="$(cat "$WORK/oomlens watch.rss")" -v n="$(cat "$WORK/node_exporter.rss")" \
  'BEGIN { printf "\nRSS ratio oomlens/node_exporter: %.2f (goal: at most 2)\n", a / n }'
