#!/usr/bin/env bash
# What JVM flags buy `oomlens watch`: runs the CLI jar's watch with the given JVM flags for 60 s
# (200 empty memory cgroups with a limit, a scrape every 15 s), then prints its VmRSS, RssAnon and
# RssFile, the resident pages of its largest mappings (from /proc/PID/smaps) and the committed
# memory by NMT category.
#
#   sudo oomlens-bench/scripts/agent-flags.sh [JVM FLAG...]     (none: the JDK's defaults)
#
# Environment: RUN_SECONDS (default 60) for a longer run; the heap and the code cache keep growing
# for a few minutes.
#
# Runs the jar directly (java FLAGS -jar oomlens-cli/target/oomlens.jar watch), with the JDK's
# default class-data archive rather than the launcher's. Needs root and cgroup v1; listens on
# 127.0.0.1 only; the agent is stopped by PID and the cgroups removed.
set -euo pipefail
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
JAVA_HOME=$(find_jdk)
JAR=$ROOT/oomlens-cli/target/oomlens.jar
WORK=$(mktemp -d)
CG=/sys/fs/cgroup/memory/oomlens-flags-$$
p=
cleanup() {
  [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
  if [ -d "$CG" ]; then for d in "$CG"/c*; do [ -d "$d" ] && rmdir "$d"; done; rmdir "$CG"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir "$CG"
for i in $(seq 1 200); do mkdir "$CG/c$i"; echo $((64 << 20)) > "$CG/c$i/memory.limit_in_bytes"; done
"$JAVA_HOME/bin/java" "$@" -XX:NativeMemoryTracking=summary --enable-native-access=ALL-UNNAMED \
  -jar "$JAR" watch --db "$WORK/h.db" --listen 127.0.0.1:19799 > "$WORK/log" 2>&1 &
p=$!
for _ in $(seq 1 $((${RUN_SECONDS:-60} / 15))); do sleep 15; curl -s 127.0.0.1:19799/metrics > /dev/null || true; done
echo "flags: ${*:-(JDK defaults)}"
grep -E "VmRSS|RssAnon|RssFile" "/proc/$p/status" | tr -s ' \t' ' ' | tr '\n' ' '; echo
awk '/^[0-9a-f]+-[0-9a-f]+ / { m = $6 == "" ? "[anon]" : $6 } /^Rss:/ { r[m] += $2 }
  /^Anonymous:/ { a[m] += $2 }
  END { for (m in r) if (r[m] >= 512) printf "  %7.1f MiB (%5.1f anon) %s\n", r[m] / 1024, a[m] / 1024, m }' \
  "/proc/$p/smaps" | sort -rn
"$JAVA_HOME/bin/jcmd" "$p" VM.native_memory summary | grep -E "^(Total|-).*committed" \
  | sed 's/(reserved=[0-9]*KB, //; s/)$//'
