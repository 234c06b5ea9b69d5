#!/usr/bin/env bash
# Whole-process benchmark: `oomlens k8s --dump` (the whole analysis, JSON out) against jq doing
# only the OOMKilled filter on the same kubectl-shaped dump, side by side, in alternating rounds.
#
#   oomlens-bench/scripts/k8s-vs-jq.sh [NODES PODS]        (default: 5000 150000)
#
# Environment:
#   BENCH_DIR  where generated dumps are cached (default ./bench-data, git-ignored)
#   ROUNDS     alternating rounds (default 3); the table quotes the median
#   SEED       generator seed (default 1)
#   JAVA_HOME  the JDK to run with (21 or later; found as the launcher finds it when unset)
#
# Wall time, CPU time (user + system) and peak RSS come from GNU time (/usr/bin/time). Both
# commands write to a file. The dump is read once before timing, so both run from the page cache.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
NODES=${1:-5000}
PODS=${2:-150000}
BENCH_DIR=${BENCH_DIR:-./bench-data}
ROUNDS=${ROUNDS:-3}
SEED=${SEED:-1}
# shellcheck source=../../scripts/find-jdk.sh
. scripts/find-jdk.sh
JAVA_HOME=$(find_jdk) || exit 1
export JAVA_HOME
JAVA=$JAVA_HOME/bin/java

die() { echo "k8s-vs-jq: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "needs GNU time: apt-get install time"
command -v jq >/dev/null || die "needs jq: apt-get install jq"

BENCH_JAR=oomlens-bench/target/benchmarks.jar
[[ -f $BENCH_JAR ]] || ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
[[ -f oomlens-cli/target/oomlens.jar ]] || ./mvnw -B -q -pl oomlens-cli -am package -DskipTests
VERSION=$("$JAVA" -cp "$BENCH_JAR" dev.oomlens.bench.ClusterDumpGenerator --version | sed 's/.*=//')
mkdir -p "$BENCH_DIR/out"
WORK=$BENCH_DIR/out
DUMP=$BENCH_DIR/cluster-${NODES}n-${PODS}p-seed$SEED-v$VERSION.json
if [[ ! -f $DUMP || ! -f $DUMP.facts ]]; then
  echo "k8s-vs-jq: generating $DUMP" >&2
  "$JAVA" -cp "$BENCH_JAR" dev.oomlens.bench.ClusterDumpGenerator --nodes "$NODES" \
    --pods "$PODS" --seed "$SEED" "$DUMP.tmp" > "$DUMP.facts.tmp"
  mv "$DUMP.tmp" "$DUMP"
  mv "$DUMP.facts.tmp" "$DUMP.facts"
fi
cat "$DUMP" > /dev/null

FILTER='[.items[] | select(.kind == "Pod" and any(.status.containerStatuses[]?; .lastState.terminated.reason == "OOMKilled"))] | length'

# Runs a command under GNU time; prints "wall_s cpu_s peak_kib exit_status".
timed() {
  local out=$1; shift
  local rc=0
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" > "$out" || rc=$?
  read -r e u s m < <(tail -1 "$WORK/time.txt")
  echo "$e $(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}') $m $rc"
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "# oomlens k8s vs jq, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "# $("$JAVA" -version 2>&1 | head -1); $(jq --version); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# dump: $(cat "$DUMP.facts")"

jw=(); jc=(); jm=(); ow=(); oc=(); om=(); ratios=()
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then order=(jq oomlens); else order=(oomlens jq); fi
  for who in "${order[@]}"; do
    if [[ $who == jq ]]; then
      read -r w c m rc <<< "$(timed "$WORK/jq.out" jq "$FILTER" "$DUMP")"
      ((rc == 0)) || die "jq exited $rc"
      jw+=("$w"); jc+=("$c"); jm+=("$m"); jwall=$w
    else
      read -r w c m rc <<< "$(timed "$WORK/oomlens.json" "$JAVA" -jar oomlens-cli/target/oomlens.jar k8s --dump "$DUMP" --format json)"
      ((rc <= 1)) || die "oomlens exited $rc"
      ow+=("$w"); oc+=("$c"); om+=("$m"); owall=$w
    fi
  done
  ratios+=("$(awk -v o="$owall" -v j="$jwall" 'BEGIN {printf "%.2f", o / j}')")
  echo "round $r: jq ${jwall}s, oomlens ${owall}s" >&2
done

killed=$(cat "$WORK/jq.out")
found=$(jq '[.findings[] | select(.code == "OOMKILLED") | .objects[] | select(.field | endswith("lastState.terminated.reason"))] | length' "$WORK/oomlens.json")
echo "# jq counts $killed pods with an OOMKilled container; oomlens's OOMKILLED findings cite $found"
echo
echo "| | wall s (median) | CPU s (median) | peak RSS MiB (max) |"
echo "|---|---:|---:|---:|"
printf '| jq, OOMKilled filter only | %s | %s | %d |\n' "$(printf '%s\n' "${jw[@]}" | median)" \
  "$(printf '%s\n' "${jc[@]}" | median)" "$(( $(printf '%s\n' "${jm[@]}" | sort -g | tail -1) / 1024 ))"
printf '| oomlens k8s, whole analysis | %s | %s | %d |\n' "$(printf '%s\n' "${ow[@]}" | median)" \
  "$(printf '%s\n' "${oc[@]}" | median)" "$(( $(printf '%s\n' "${om[@]}" | sort -g | tail -1) / 1024 ))"
echo
echo "oomlens/jq wall time per round: ${ratios[*]} (median $(printf '%s\n' "${ratios[@]}" | median))"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
