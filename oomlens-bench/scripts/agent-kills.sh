#!/usr/bin/env bash
# Whole-process benchmark of `oomlens watch` on real OOM kills: latency from the kill (its kmsg
# stamp) to the committed row and counter, and a storm (a hog respawning in a 16 MiB cgroup as
# fast as the kernel kills it): none missed, none doubled, RSS along the way, the agent's CPU
# per kill, and /metrics scraped every 0.2 s throughout (failed scrapes counted).
#
#   sudo oomlens-bench/scripts/agent-kills.sh [KILLS]        (default: 100; 1000 for the storm)
#   sudo LANES=2 oomlens-bench/scripts/agent-kills.sh 1000   (the storm within a minute)
#
# Environment: OOMLENS (default ./oomlens, with its footprint flags for watch); LANES (default 1):
# hogs respawning side by side, each lane in a 16 MiB cgroup of its own. The hog is
# storm-hog.c, compiled here with cc: a parent outside the cgroup forks each child straight after
# the last one's kill (no shell, no exec). AGENT=0 runs the same kills with no agent: the pace of
# the kernel and the hogs alone, to set beside a run with the agent.
#
# Latency is what the agent prints per kill ("recorded N ms after the kernel's line"): its
# CLOCK_MONOTONIC at the commit minus the record's kmsg time, the same clock on Linux x86-64.
# Every kill is matched by the hog's pid; the history is counted with `oomlens history`. Needs
# root and cgroup v1. The agent listens on 127.0.0.1 and is stopped by PID; the cgroup is removed.
set -euo pipefail
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }

KILLS=${1:-100}
LANES=${LANES:-1}
AGENT=${AGENT:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OOMLENS=${OOMLENS:-$ROOT/oomlens}
WORK=$(mktemp -d)
CG=/sys/fs/cgroup/memory/oomlens-kills-$$
HOG=$WORK/storm-hog-$$
agent=
lanes=()

cleanup() {
  for l in "${lanes[@]}"; do kill "$l" 2>/dev/null || true; done
  [ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null || true
  sleep 0.5
  for lane in $(seq 1 "$LANES"); do [ -d "$CG-$lane" ] && rmdir "$CG-$lane"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

for lane in $(seq 1 "$LANES"); do
  mkdir "$CG-$lane"
  echo $((16 << 20)) > "$CG-$lane/memory.limit_in_bytes"
done
cc -O2 -o "$HOG" "$ROOT/oomlens-bench/scripts/storm-hog.c"
# Each lane respawns its hog as soon as the kernel killed the last one, and writes the pids.
start_lanes() {
  for lane in $(seq 1 "$LANES"); do
    n=$(( KILLS / LANES + (lane <= KILLS % LANES ? 1 : 0) ))
    "$HOG" "$CG-$lane" "$n" "$WORK/pids.$lane" &
    lanes+=($!)
  done
}
# A lane whose child ended other than by a kill stops: the run is void, not "missing" kills.
wait_lanes() {
  local failed=0
  for l in "${lanes[@]}"; do wait "$l" || failed=1; done
  lanes=()
  [ "$failed" = 0 ] || { echo "a hog lane failed (see its message above): no figures" >&2; exit 1; }
}
if [ "$AGENT" = 0 ]; then
  start=$(date +%s.%N)
  start_lanes
  wait_lanes
  echo "no agent: $KILLS kills in $(echo "$(date +%s.%N) - $start" | bc)s in $LANES lane(s) ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
  exit 0
fi
"$OOMLENS" watch --db "$WORK/history.db" --listen 127.0.0.1:19718 > "$WORK/agent.log" 2>&1 &
agent=$!
for _ in $(seq 1 100); do curl -sf 127.0.0.1:19718/metrics > /dev/null && break; sleep 0.2; done
sleep 2 # let it catch up with the ring buffer's older kills

rss() { awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$agent/status"; }
# User + system CPU seconds of the agent so far (fields 14 and 15 of /proc/PID/stat, in ticks).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$agent/stat"; }
cpu_before=$(cpu)
rss_at=()
pids=()
# Scrapes during the kills: every one must answer.
( ok=0; bad=0
  while [ ! -f "$WORK/stop" ]; do
    if curl -sf -m 5 127.0.0.1:19718/metrics > /dev/null; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
    sleep 0.2
  done
  echo "$ok $bad" > "$WORK/scrapes" ) &
scraper=$!
start=$(date +%s.%N)
start_lanes
every=$(( KILLS >= 500 ? 250 : 50 ))
next=$every
while [ "$(cat "$WORK"/pids.* 2>/dev/null | wc -l)" -lt "$KILLS" ] \
    || kill -0 "${lanes[@]}" 2>/dev/null; do
  done_so_far=$(cat "$WORK"/pids.* 2>/dev/null | wc -l)
  if (( done_so_far >= next )); then rss_at+=("$done_so_far:$(rss)"); next=$((next + every)); fi
  sleep 0.05
done
wait_lanes
rss_at+=("$KILLS:$(rss)")
cpu_after=$(cpu)
mapfile -t pids < <(cat "$WORK"/pids.*)
took=$(echo "$(date +%s.%N) - $start" | bc)
touch "$WORK/stop"
wait "$scraper"
comm=$(basename "$HOG" | cut -c1-15)
for _ in $(seq 1 100); do
  [ "$(grep -c "($comm)" "$WORK/agent.log" || true)" -ge "$KILLS" ] && break
  sleep 0.2
done
sleep 1
seen=$(grep "($comm)" "$WORK/agent.log" | grep -o 'OOM kill at [^ ]*: [0-9]*' | awk '{ print $NF }' | sort -u | wc -l)
lines=$(grep -c "($comm)" "$WORK/agent.log" || true)
missing=0
for p in "${pids[@]}"; do grep -q ": $p ($comm)" "$WORK/agent.log" || missing=$((missing + 1)); done
counted=$(curl -s 127.0.0.1:19718/metrics | awk '/^oomlens_oom_kills_total/ { s += $NF } END { print s + 0 }')
stored=$("$OOMLENS" history --db "$WORK/history.db" --one-line 2>/dev/null \
  | grep -c "$comm" || true)
grep "($comm)" "$WORK/agent.log" | sed -n 's/.*\[recorded \([0-9.]*\) ms.*/\1/p' | sort -n > "$WORK/lat"
n=$(wc -l < "$WORK/lat")
pct() { awk -v p="$1" -v n="$n" 'NR == int((n - 1) * p / 100) + 1 { print; exit }' "$WORK/lat"; }
echo "oomlens watch, $KILLS kills in ${took}s in $LANES lane(s) ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "kills printed: $lines (distinct pids $seen), missing: $missing, stored (history --one-line): $stored, counter total (all kills since start, others' included): $counted"
echo "latency kmsg -> committed row: p50 $(pct 50) ms, p99 $(pct 99) ms, max $(tail -1 "$WORK/lat") ms"
echo "agent RSS MiB at kill N: ${rss_at[*]}"
awk -v a="$cpu_before" -v b="$cpu_after" -v n="$KILLS" \
  'BEGIN { printf "agent CPU during the kills: %.2f s (%.1f ms a kill)\n", b - a, 1000 * (b - a) / n }'
read -r ok bad < "$WORK/scrapes"
echo "scrapes during the kills: $ok answered, $bad failed"
