#!/bin/bash
# Boot one scenario VM: run-vm.sh SCENARIO OUTDIR [MEM_MiB]
# Writes OUTDIR/console.log (ttyS0, raw serial console), OUTDIR/data.log
# (ttyS1, framed snapshots, see probe.c) and OUTDIR/run.env (timings, qemu cmd).
set -uo pipefail
LAB=${LAB:-$HOME/.cache/oomlens-vmlab}
SCEN=$1; OUT=$2; MEM=${3:-512}
mkdir -p "$OUT"; rm -f "$OUT"/console.log "$OUT"/data.log
# On the lab host /dev/kvm exists but nested KVM does not boot the guest
# (-cpu host: "failed to set MSR 0x10a"; -cpu qemu64/max: hangs right after
# "Probing EDD"), so the default is TCG with multi-threaded vCPUs.
ACCEL=${ACCEL:-"-accel tcg,thread=multi -cpu max"}
DISK=()
case $SCEN in thrashing*) DISK=(-drive file=$LAB/data.img,if=virtio,format=raw,cache=writeback);; esac
CMD=(qemu-system-x86_64 $ACCEL -machine q35 -smp 2 -m ${MEM}M -no-reboot -display none -monitor none
     -kernel $LAB/vmlinuz -initrd $LAB/initramfs.cpio.gz
     -append "console=ttyS0,115200 loglevel=7 log_buf_len=4M psi=1 panic=5 scenario=$SCEN"
     -serial file:$OUT/console.log -serial file:$OUT/data.log "${DISK[@]}")
T0=$(date +%s.%N)
timeout ${VM_TIMEOUT:-900} "${CMD[@]}" &
QPID=$!
echo "qemu pid $QPID"
TINIT=
while kill -0 $QPID 2>/dev/null; do
  if [ -z "$TINIT" ] && grep -aq 'Run /init as init process' "$OUT/console.log" 2>/dev/null; then TINIT=$(date +%s.%N); fi
  sleep 0.2
done
wait $QPID; RC=$?
T1=$(date +%s.%N)
{ echo "scenario=$SCEN"; echo "mem_mib=$MEM"; echo "qemu_rc=$RC"; echo "t_start=$T0"; echo "t_end=$T1";
  echo "wall_s=$(echo "$T1 - $T0" | bc)"; [ -n "$TINIT" ] && echo "host_s_to_run_init=$(echo "$TINIT - $T0" | bc)"; echo "cmd=${CMD[*]}"; echo "qemu=$(qemu-system-x86_64 --version | head -1)"; } > "$OUT/run.env"
cat "$OUT/run.env"
