#!/usr/bin/env bash
# Start-up benchmark: the launcher on a small real report and on this machine (doctor), side by side
# with `java -version` on the same JDK and grep, in one hyperfine run, wall and CPU time.
#
#   oomlens-bench/scripts/startup.sh
#
# Environment:
#   RUNS      timed runs of each command (default 20), after WARMUP untimed ones (default 3)
#   REPORT    the small report to diagnose (default: corpus 026, a 1.9 KB memcg v1 report)
#   JAVA_HOME the JDK the launcher runs with (found as the launcher finds it when unset)
#   BEFORE    a directory holding an earlier build's oomlens.jar and oomlens.aot (copied from its
#             oomlens-cli/target): its --version, diagnose and doctor run in the same hyperfine run,
#             with the launcher's JVM options, as "before: ..." rows
#
# Each oomlens command runs twice: as shipped (with the AOT cache the full build makes, when the
# JDK matches) and with OOMLENS_NO_AOT=1 (the class-data archive instead). Output goes to files
# (--output), as it would for a report kept; doctor reads /dev/kmsg, so run as root for a full
# read. Ratios are to `java -version` measured in the same run; CPU is user + system time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
REPORT=${REPORT:-oomlens-core/src/test/resources/corpus/026-cadvisor-fixture-3.13-memcg-v1-mem2.log}
command -v hyperfine >/dev/null || { echo "startup: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
command -v jq >/dev/null || { echo "startup: needs jq (apt-get install jq)" >&2; exit 1; }
# shellcheck source=../../scripts/find-jdk.sh
. scripts/find-jdk.sh
JAVA_HOME=$(find_jdk_cached oomlens-cli/target/jdk-home) || exit 1
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

./oomlens --version > /dev/null   # builds the jar if it must, so no run below pays for that
[[ -f oomlens-cli/target/oomlens.aot ]] \
  || echo "startup: no AOT cache (oomlens-cli/target/oomlens.aot): run ./mvnw package first" >&2

echo "# oomlens start-up, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$JAVA" -version 2>&1 | head -1); $(grep --version | head -1); $(hyperfine --version)"
echo "# report: $REPORT ($(wc -c < "$REPORT") bytes); $RUNS runs after $WARMUP warm-up"
echo

# The launcher's JVM options for a diagnosis (./oomlens), to run an earlier jar and its cache as the
# launcher would have.
before=()
if [[ -n "${BEFORE:-}" ]]; then
  bj=(env "$JAVA" -XX:+UseSerialGC -Xms64m -Xmn32m -XX:TieredStopAtLevel=1
    -XX:AOTCache="$BEFORE/oomlens.aot" -Xlog:aot=off -Xlog:cds=off
    --enable-native-access=ALL-UNNAMED -jar "$BEFORE/oomlens.jar")
  before=(
    -n "before: oomlens --version" "${bj[*]} --version"
    -n "before: oomlens diagnose REPORT" "${bj[*]} diagnose --output $OUT/report.txt $REPORT"
    -n "before: oomlens doctor" "${bj[*]} doctor --output $OUT/doctor.txt")
  echo "# before: $BEFORE/oomlens.jar with its AOT cache"
fi

# The launcher's JVM command for --version, run directly: the difference is the bash launcher's own
# cost (its JDK lookup, the rebuild check).
direct=("$JAVA" -XX:+UseSerialGC -Xms64m -Xmn32m -XX:TieredStopAtLevel=1)
if [[ -f oomlens-cli/target/oomlens.aot ]]; then
  direct+=(-XX:AOTCache=oomlens-cli/target/oomlens.aot -Xlog:aot=off -Xlog:cds=off)
fi
direct+=(--enable-native-access=ALL-UNNAMED -jar oomlens-cli/target/oomlens.jar)

hyperfine -N -i --style none --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT/hf.json" \
  "${before[@]}" \
  -n "java -version" "$JAVA -version" \
  -n "grep -c -F 'invoked oom-killer' REPORT" "grep -c -F 'invoked oom-killer' $REPORT" \
  -n "oomlens --version" "./oomlens --version" \
  -n "oomlens --version, java without the launcher" "${direct[*]} --version" \
  -n "oomlens --version, no AOT" "env OOMLENS_NO_AOT=1 ./oomlens --version" \
  -n "oomlens diagnose REPORT" "./oomlens diagnose --output $OUT/report.txt $REPORT" \
  -n "oomlens diagnose REPORT, no AOT" "env OOMLENS_NO_AOT=1 ./oomlens diagnose --output $OUT/report.txt $REPORT" \
  -n "oomlens doctor" "./oomlens doctor --output $OUT/doctor.txt" \
  -n "oomlens doctor, no AOT" "env OOMLENS_NO_AOT=1 ./oomlens doctor --output $OUT/doctor.txt" \
  > /dev/null

echo "| command | wall ms (mean ± σ) | CPU ms (user + sys) | wall / java -version | CPU / java -version |"
echo "|---|---:|---:|---:|---:|"
jq -r '
  (.results[] | select(.command == "java -version")) as $j
  | ($j.user + $j.system) as $jcpu
  | .results[]
  | "| `\(.command)` | \(.mean * 1000 | round) ± \(.stddev * 1000 | round) | \((.user + .system) * 1000 | round) | \(.mean / $j.mean * 100 | round / 100) | \((.user + .system) / $jcpu * 100 | round / 100) |"
' "$OUT/hf.json"
echo
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
