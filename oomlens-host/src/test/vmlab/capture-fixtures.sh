#!/bin/bash
# Rebuild the VM lab and recapture the test fixtures from real kernel runs.
#
#   capture-fixtures.sh [SCENARIO...]     (default: every scenario below, thrashing included)
#
# For each scenario: one QEMU VM (run-vm.sh), then extract.py, then
#   oomlens-core/src/test/resources/vmlab/<scenario>/{dmesg.log,kmsg.log}
#   oomlens-host/src/test/resources/hosts/vmlab-<scenario>/{before-kill,after-kill}/{proc,sys}/...
#   oomlens-host/src/test/resources/hosts/vmlab-<scenario>/SOURCE.md
# are replaced. The hand-read oomlens-core .../vmlab/<scenario>/{SOURCE.md,expected.json} are
# left alone: after a recapture the pids, sizes and times differ, so read them again from the new
# dmesg.log (VmLabReportsTest fails until they match). Downloads, the kernel, the initramfs, the
# disk image and raw runs stay under $LAB, outside the repository. Timings go to $LAB/timings.tsv.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../../.." && pwd)
LAB=${LAB:-$HOME/.cache/oomlens-vmlab}
MEM=${MEM:-512}
export LAB
ALL="host-oom-no-swap host-oom-zram cgv2-container-limit cgv2-oom-group cgv2-memory-high-throttle
     cgv2-kube-pod-oom-group sysrq-oom thrashing"
SCENARIOS=("$@"); [ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=($ALL)
CORE=$REPO/oomlens-core/src/test/resources/vmlab
HOSTS=$REPO/oomlens-host/src/test/resources/hosts

# SOURCE.md of hosts/vmlab-<scenario>/, written from what the folder holds
write_host_source() {
  local s=$1 H=$HOSTS/vmlab-$1
  cat > "$H/SOURCE.md" <<EOF
# vmlab-$s

Captured for real inside a throw-away QEMU VM (${MEM} MiB, 2 vCPUs, software emulation) booted
from Debian's stock kernel \`$KREL\` (package \`$KDEB\`, unpacked, not installed),
by \`oomlens-host/src/test/vmlab/capture-fixtures.sh $s\`. What the scenario does: the
\`$s)\` case of \`oomlens-host/src/test/vmlab/init.sh\`, described in
\`oomlens-core/src/test/resources/vmlab/$s/SOURCE.md\` next to the kernel's OOM report of the
same run.

An in-guest sampler (\`probe sample\`, mlocked, oom_score_adj -1000) copied the files below every
few hundred milliseconds; two of those snapshots are kept, each a root laid out like a real host:

- \`before-kill/\`: the last snapshot taken before the OOM kill
- \`after-kill/\`: the first snapshot taken after it

\`CAPTURED_AT\` in each gives the guest's CLOCK_MONOTONIC (the same clock as the \`[ s.us]\` kernel
log timestamps), CLOCK_BOOTTIME, and /proc/vmstat \`oom_kill\` at that moment.

Files outside the cgroup tree (\`proc/<pid>/\` only while that task lived):
\`\`\`
$(cd "$H" && find before-kill after-kill -type f ! -name CAPTURED_AT ! -path '*/sys/fs/cgroup/*' | sed 's|^[a-z-]*/||' | sort -u)
\`\`\`
Cgroups under \`sys/fs/cgroup\`, each with $(cd "$H/after-kill/sys/fs/cgroup" && ls -p "$(find . -mindepth 2 -name memory.events -printf '%h\n' | head -1)" | grep -v / | tr '\n' ' ' | sed 's/ $//'):
\`\`\`
$(cd "$H/after-kill/sys/fs/cgroup" && find . -name memory.events -printf '%h\n' | sed 's|^\.||; s|^$|/|' | sort)
\`\`\`
(the root has only the files the kernel gives the root cgroup.)

\`before-kill/CAPTURED_AT\`:
\`\`\`
$(cat "$H/before-kill/CAPTURED_AT")
\`\`\`
\`after-kill/CAPTURED_AT\`:
\`\`\`
$(cat "$H/after-kill/CAPTURED_AT")
\`\`\`
EOF
}

if [ -n "${SOURCES_ONLY:-}" ]; then   # only rewrite hosts/vmlab-*/SOURCE.md from the folders
  KREL=$(cat "$LAB/kernel.release"); KDEB=$(cat "$LAB/kernel.deb.name")
  for s in "${SCENARIOS[@]}"; do [ ! -d "$HOSTS/vmlab-$s" ] || write_host_source "$s"; done
  exit 0
fi

now() { date +%s.%N; }
T0=$(now)
bash "$HERE/build.sh"
TB=$(now)
mkdir -p "$LAB/out" "$LAB/extracted"
printf 'step\tseconds\n' > "$LAB/timings.tsv"
printf 'build\t%.1f\n' "$(echo "$TB - $T0" | bc)" >> "$LAB/timings.tsv"
KREL=$(cat "$LAB/kernel.release")
KDEB=$(cat "$LAB/kernel.deb.name")

for s in "${SCENARIOS[@]}"; do
  echo "=== $s $(date +%T)"
  RAW=$LAB/out/$s X=$LAB/extracted/$s
  t=$(now)
  VM_TIMEOUT=${VM_TIMEOUT:-900} bash "$HERE/run-vm.sh" "$s" "$RAW" "$MEM" | grep -E 'rc=|wall'
  rm -rf "$X"
  python3 "$HERE/extract.py" "$RAW" "$X" --series none > "$X.summary" || { echo "extract failed for $s"; continue; }
  printf '%s\t%.1f\n' "$s" "$(echo "$(now) - $t" | bc)" >> "$LAB/timings.tsv"
  if ! grep -q 'Killed process' "$X/dmesg.log" 2>/dev/null; then
    echo "no OOM kill in $s: fixtures left as they were"; continue
  fi
  mkdir -p "$CORE/$s"
  cp "$X/dmesg.log" "$X/kmsg.log" "$CORE/$s/"

  H=$HOSTS/vmlab-$s
  rm -rf "$H/before-kill" "$H/after-kill"; mkdir -p "$H"
  # the tick nearest before the first kill, and the first tick after it
  before=$(ls -d "$X"/host/last-before-kill* | sort | head -1)
  after=$(ls -d "$X"/host/after-kill* | sort | head -1)
  cp -r "$before" "$H/before-kill"
  cp -r "$after" "$H/after-kill"
  write_host_source "$s"
done
printf 'total\t%.1f\n' "$(echo "$(now) - $T0" | bc)" >> "$LAB/timings.tsv"
cat "$LAB/timings.tsv"
echo "Now read expected.json and SOURCE.md of each recaptured scenario again by hand from its dmesg.log."
