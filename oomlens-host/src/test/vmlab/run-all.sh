#!/bin/bash
# Run scenarios one VM each, sequentially (TCG uses every host core; never run two at once).
# run-all.sh [SCENARIO...]   raw output goes to $LAB/out/<scenario>/
LAB=${LAB:-$HOME/.cache/oomlens-vmlab}
export LAB
QUICK="host-oom-no-swap host-oom-zram cgv2-container-limit cgv2-oom-group cgv2-memory-high-throttle cgv2-kube-pod-oom-group sysrq-oom"
SCENARIOS=("$@"); [ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=($QUICK thrashing)
for x in "${SCENARIOS[@]}"; do
  echo "=== $x $(date +%T)"
  VM_TIMEOUT=${VM_TIMEOUT:-900} bash "$(dirname "$0")/run-vm.sh" "$x" "$LAB/out/$x" 2>&1 | grep -E 'rc=|wall'
done
