#!/usr/bin/env bash
# Whole-process benchmark: `oomlens diagnose --format json` against `grep -c -F 'invoked oom-killer'`
# on generated kernel logs of several sizes, side by side, in alternating rounds.
#
#   oomlens-bench/scripts/vs-grep.sh [SIZE_MiB...]        (default: 256 1024 4096)
#
# Environment:
#   BENCH_DIR  where generated logs are cached (default ./bench-data, git-ignored)
#   ROUNDS     alternating rounds per size (default 5); the table quotes the median
#   HF_RUNS    timed runs of each command per round under hyperfine (default 3); HF_WARMUP
#              untimed runs before them (default 0: each round's GNU time runs come first)
#   SEED       generator seed (default 1); FRAMING: mixed (default), dmesg or syslog
#   JAVA_HOME  the JDK to run with (21 or later; found as the launcher finds it when unset)
#   OOMLENS    the oomlens command (default ./oomlens when present, else java -jar the CLI jar)
#
# Both commands write to a file, never to /dev/null: GNU grep stops at the first match when its
# output is /dev/null, which would flatter it. Each file is read once before timing so both run
# from the page cache. Wall time comes from hyperfine when it is installed (else from GNU time),
# peak RSS and CPU seconds (user + system) always from GNU time. The ratio is taken per round,
# between runs made side by side, and only ratios are meant to be compared across machines; with
# hyperfine, `java -version` runs in the same rounds, for the JVM's own start.
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
}
[[ "${1:-}" == -h || "${1:-}" == --help ]] && usage

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

SIZES=("$@")
[[ ${#SIZES[@]} -eq 0 ]] && SIZES=(256 1024 4096)
for s in "${SIZES[@]}"; do
  [[ "$s" =~ ^[0-9]+$ && "$s" -gt 0 ]] || { echo "vs-grep: size in MiB expected, got '$s'" >&2; usage; }
done
BENCH_DIR=${BENCH_DIR:-./bench-data}
ROUNDS=${ROUNDS:-5}
HF_RUNS=${HF_RUNS:-3}
HF_WARMUP=${HF_WARMUP:-0}
SEED=${SEED:-1}
FRAMING=${FRAMING:-mixed}
if [[ -f scripts/find-jdk.sh ]]; then
  # shellcheck source=../../scripts/find-jdk.sh
  . scripts/find-jdk.sh
  JAVA_HOME=$(find_jdk) || exit 1
  export JAVA_HOME
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
PATTERN='invoked oom-killer'

die() { echo "vs-grep: $*" >&2; exit 1; }

[[ -x /usr/bin/time ]] || die "needs GNU time for peak RSS: apt-get install time"
command -v jq >/dev/null || die "needs jq to count the reports in oomlens' JSON: apt-get install jq"
HYPERFINE=$(command -v hyperfine || true)
[[ -n "$HYPERFINE" ]] || echo "vs-grep: hyperfine not found (apt-get install hyperfine); timing with GNU time" >&2

BENCH_JAR=oomlens-bench/target/benchmarks.jar
if [[ ! -f "$BENCH_JAR" ]]; then
  echo "vs-grep: building $BENCH_JAR" >&2
  ./mvnw -B -q -pl oomlens-bench -am package -DskipTests
fi
if [[ -n "${OOMLENS:-}" ]]; then
  read -r -a OOMLENS <<< "$OOMLENS"
elif [[ -x ./oomlens ]]; then
  OOMLENS=(./oomlens)
else
  if [[ ! -f oomlens-cli/target/oomlens.jar ]]; then
    echo "vs-grep: building oomlens-cli/target/oomlens.jar" >&2
    ./mvnw -B -q -pl oomlens-cli -am package -DskipTests
  fi
  OOMLENS=("$JAVA" -jar oomlens-cli/target/oomlens.jar)
fi
OOMLENS_CMD=$(printf '%q ' "${OOMLENS[@]}")

mkdir -p "$BENCH_DIR/out"
WORK="$BENCH_DIR/out"
VERSION=$("$JAVA" -cp "$BENCH_JAR" dev.oomlens.bench.KernelLogGenerator --version | sed 's/.*=//')

log_file() { echo "$BENCH_DIR/kernel-$1MiB-$FRAMING-seed$SEED-v$VERSION.log"; }

# Disk: generate only what is missing, and only when it fits with 1 GiB to spare.
need=0
for s in "${SIZES[@]}"; do
  [[ -f "$(log_file "$s")" ]] || need=$((need + s * 1024 * 1024 + 1024 * 1024 * 1024))
done
avail=$(df --output=avail -B1 "$BENCH_DIR" | tail -1)
((need < avail)) || die "generating needs $((need >> 20)) MiB, $BENCH_DIR has $((avail >> 20)) MiB free"

for s in "${SIZES[@]}"; do
  f=$(log_file "$s")
  if [[ ! -f "$f" || ! -f "$f.facts" ]]; then
    echo "vs-grep: generating $f" >&2
    "$JAVA" -cp "$BENCH_JAR" dev.oomlens.bench.KernelLogGenerator \
      --size "${s}M" --seed "$SEED" --framing "$FRAMING" "$f.tmp" > "$f.facts.tmp"
    mv "$f.tmp" "$f"
    mv "$f.facts.tmp" "$f.facts"
  fi
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
fact() { tr ' ' '\n' < "$1.facts" | sed -n "s/^$2=//p"; }

# Runs a command under GNU time; prints "seconds peak_kib cpu_seconds exit_status".
timed() {
  local out=$1; shift
  local rc=0
  /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.txt" "$@" > "$out" || rc=$?
  read -r e m u s < <(tail -1 "$WORK/time.txt")
  echo "$e $m $(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}') $rc"
}

echo "# oomlens vs grep, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
echo "# $("$JAVA" -version 2>&1 | head -1); $(grep --version | head -1); ${HYPERFINE:+$(hyperfine --version)}"
echo "# oomlens: $OOMLENS_CMD; rounds: $ROUNDS${HYPERFINE:+ x $HF_RUNS hyperfine runs}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

rows=()
ok=1
for s in "${SIZES[@]}"; do
  f=$(log_file "$s")
  cat "$f" > /dev/null   # into the page cache
  cat "$f" > /dev/null

  # One untimed run of each, to check that oomlens finds every report grep counts.
  grep_count=$(grep -c -F "$PATTERN" "$f" || true)
  rc=0
  "${OOMLENS[@]}" diagnose --format json "$f" > "$WORK/oomlens.json" 2> "$WORK/oomlens.err" || rc=$?
  if ((rc > 1)); then
    echo "vs-grep: oomlens exited $rc on $f:" >&2
    head -5 "$WORK/oomlens.err" >&2
    ok=0
    continue
  fi
  found=$(jq '.reports | length' "$WORK/oomlens.json")
  triggered=$(jq '[.reports[] | select(.trigger != null)] | length' "$WORK/oomlens.json")
  allocs=$(jq '(.alloc_failures | length) + .alloc_failures_dropped' "$WORK/oomlens.json")
  problems=$(jq '(.problems | length) + .problems_dropped' "$WORK/oomlens.json")
  generated=$(fact "$f" oom_reports)
  check="ok"
  if [[ "$found" != "$grep_count" || "$triggered" != "$grep_count" || "$generated" != "$grep_count" ]]; then
    check="MISMATCH"
    ok=0
  fi
  echo "${s} MiB: generator wrote $generated reports and $(fact "$f" alloc_failures) alloc failures;" \
    "grep counts $grep_count; oomlens found $found reports ($triggered with a trigger)," \
    "$allocs alloc failures, $problems problems: $check"

  grep_cmd="grep -c -F '$PATTERN' '$f' > '$WORK/grep.out'"
  oomlens_cmd="$OOMLENS_CMD diagnose --format json '$f' > '$WORK/oomlens.json' || [ \$? -eq 1 ]"
  g_times=(); o_times=(); ratios=(); rss=(); grss=(); g_cpu=(); o_cpu=(); cpu_ratios=(); j_times=()
  for ((r = 1; r <= ROUNDS; r++)); do
    # alternate which command goes first, so neither always runs on a warmer machine
    if ((r % 2)); then order=(grep oomlens); else order=(oomlens grep); fi
    for who in "${order[@]}"; do
      if [[ $who == grep ]]; then
        read -r gs gk gc _ <<< "$(timed "$WORK/grep.out" grep -c -F "$PATTERN" "$f")"
        grss+=("$gk"); g_cpu+=("$gc")
      else
        read -r os okib oc orc <<< "$(timed "$WORK/oomlens.json" "${OOMLENS[@]}" diagnose --format json "$f")"
        ((orc <= 1)) || die "oomlens exited $orc on $f"
        rss+=("$okib"); o_cpu+=("$oc")
      fi
    done
    if [[ -n "$HYPERFINE" ]]; then
      if ((r % 2)); then cmds=(-n grep "$grep_cmd" -n oomlens "$oomlens_cmd");
      else cmds=(-n oomlens "$oomlens_cmd" -n grep "$grep_cmd"); fi
      # The JVM's own start, measured in the same run: what no Java program can go below.
      cmds+=(-n java-version "$JAVA -version 2> /dev/null")
      hyperfine --style none --warmup "$HF_WARMUP" --runs "$HF_RUNS" --export-json "$WORK/hf.json" \
        "${cmds[@]}" > /dev/null
      gs=$(jq '.results[] | select(.command == "grep") | .median' "$WORK/hf.json")
      os=$(jq '.results[] | select(.command == "oomlens") | .median' "$WORK/hf.json")
      j_times+=("$(jq '.results[] | select(.command == "java-version") | .median' "$WORK/hf.json")")
    fi
    g_times+=("$gs"); o_times+=("$os")
    cpu_ratios+=("$(awk -v o="${o_cpu[-1]}" -v g="${g_cpu[-1]}" 'BEGIN {printf "%.2f", o / (g > 0 ? g : 0.01)}')")
    ratios+=("$(awk -v o="$os" -v g="$gs" 'BEGIN {printf "%.2f", o / g}')")
  done
  g_med=$(printf '%s\n' "${g_times[@]}" | median)
  o_med=$(printf '%s\n' "${o_times[@]}" | median)
  r_med=$(printf '%s\n' "${ratios[@]}" | median)
  rss_max=$(printf '%s\n' "${rss[@]}" | sort -g | tail -1)
  grss_max=$(printf '%s\n' "${grss[@]}" | sort -g | tail -1)
  gc_med=$(printf '%s\n' "${g_cpu[@]}" | median)
  oc_med=$(printf '%s\n' "${o_cpu[@]}" | median)
  cr_med=$(printf '%s\n' "${cpu_ratios[@]}" | median)
  j_med=$( ((${#j_times[@]})) && printf '%s\n' "${j_times[@]}" | median || echo nan)
  rows+=("$(printf '| %5d | %5s | %7.3f | %7.3f | %5.2f | %s | %6.2f | %6.2f | %5.2f | %6.3f | %5d | %3d |' \
    "$s" "$grep_count" "$g_med" "$o_med" "$r_med" "${ratios[*]}" "$gc_med" "$oc_med" "$cr_med" \
    "$j_med" "$((rss_max / 1024))" "$((grss_max / 1024))")")
done

echo
echo "| size MiB | reports | grep s | oomlens s | oomlens/grep (median) | ratio per round | grep CPU s | oomlens CPU s | CPU oomlens/grep | java -version s | oomlens peak RSS MiB | grep peak RSS MiB |"
echo "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
((ok)) || { echo "vs-grep: oomlens did not find every report grep counted (see above)" >&2; exit 1; }
