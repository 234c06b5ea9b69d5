#!/bin/sh
# /init of the VM OOM lab initramfs (busybox ash). Runs ONE scenario, chosen by
# the kernel command line "scenario=NAME", streams snapshots + dmesg over
# /dev/ttyS1 (data channel, see probe.c) and mirrors them on /dev/console,
# then powers off. Everything here runs inside the QEMU guest only.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp /data
mount -t tmpfs -o mode=755,size=32m tmpfs /run
mount -t tmpfs -o size=16m tmpfs /tmp
echo 1 > /proc/sys/kernel/printk_devkmsg 2>/dev/null
hostname oomlab

SCEN=$(sed -n 's/.*scenario=\([^ ]*\).*/\1/p' /proc/cmdline)
KREL=$(uname -r)
MOD=/lib/modules/$KREL/kernel

log() { echo "lab: $*" > /dev/console; }
meta() { /bin/probe meta "$@"; }
ins() { for m in "$@"; do insmod "$MOD/$m" 2>/dev/console || log "insmod $m failed"; done; }

HOSTFILES="/proc/meminfo /proc/vmstat /proc/pressure/memory /proc/pressure/io /proc/pressure/cpu /proc/swaps /proc/loadavg /proc/uptime"
CONFFILES="/proc/cmdline /proc/version /proc/sys/vm/overcommit_memory /proc/sys/vm/overcommit_ratio /proc/sys/vm/swappiness /proc/sys/vm/min_free_kbytes /proc/sys/vm/watermark_scale_factor /proc/sys/vm/panic_on_oom /proc/sys/vm/oom_kill_allocating_task /proc/sys/vm/oom_dump_tasks /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/lru_gen/enabled /proc/zoneinfo /proc/buddyinfo /proc/cpuinfo /proc/filesystems /proc/self/mountinfo"
ZRAMFILES="/sys/block/zram0/mm_stat /sys/block/zram0/io_stat /sys/block/zram0/bd_stat /sys/block/zram0/disksize /sys/block/zram0/comp_algorithm /sys/block/zram0/debug_stat"
CGKEYS="memory.max memory.high memory.low memory.min memory.current memory.peak memory.events memory.events.local memory.stat memory.pressure memory.swap.current memory.swap.max memory.swap.events memory.oom.group cgroup.procs cgroup.controllers cgroup.subtree_control"

cgfiles() { for d in "$@"; do for k in $CGKEYS; do echo "/sys/fs/cgroup$d/$k"; done; done; }

SAMPLER=
start_sampler() { # interval_ms console_every files...
	/bin/probe sample "$@" &
	SAMPLER=$!
	meta event=sampler-start pid=$SAMPLER interval_ms=$1
}
stop_sampler() { [ -n "$SAMPLER" ] && kill -TERM $SAMPLER && wait $SAMPLER; SAMPLER=; }

# spawn NAME CGROUP(or -) ARGS... : run /bin/NAME (a copy of hog) in CGROUP,
# as uid $AS_UID when set; pid in $LASTPID
spawn() {
	name=$1; cg=$2; shift 2
	pre=; [ -n "$AS_UID" ] && pre="/bin/probe asuid $AS_UID"
	if [ "$cg" = "-" ]; then
		$pre /bin/$name "$@" > /run/hog-$name.log 2>&1 &
	else
		sh -c "echo \$\$ > /sys/fs/cgroup$cg/cgroup.procs && exec $pre /bin/$name \"\$@\"" sh "$@" > /run/hog-$name.log 2>&1 &
	fi
	LASTPID=$!
	meta event=spawn comm=$name pid=$LASTPID cgroup=$cg uid=${AS_UID:-0} args="$(echo "$*" | tr ' ' ',')"
	log "spawned $name pid=$LASTPID cgroup=$cg uid=${AS_UID:-0} args=$*"
	AS_UID=
}

# wait_victim PID TIMEOUT_S : wait for PID, kill it after timeout; records exit status
wait_victim() {
	pid=$1; to=$2; n=0
	while kill -0 $pid 2>/dev/null; do
		# a zombie still answers kill -0: check state
		st=$(awk '/^State:/{print $2}' /proc/$pid/status 2>/dev/null)
		[ "$st" = "Z" ] && break
		sleep 1; n=$((n+1))
		if [ $n -ge $to ]; then log "timeout waiting for $pid, killing"; meta event=timeout pid=$pid; kill -KILL $pid; break; fi
	done
	wait $pid; rc=$?
	meta event=exit pid=$pid status=$rc waited_s=$n
	log "pid $pid exited status=$rc after ${n}s"
}

finish() {
	stop_sampler
	for f in /run/hog-*.log; do [ -f "$f" ] && /bin/probe emit "$(basename $f .log)" "$f"; done
	echo "===== BEGIN DMESG (raw, timestamps) =====" > /dev/console
	dmesg > /run/dmesg.txt
	PROBE_BLOB_CONSOLE=1 /bin/probe emit dmesg /run/dmesg.txt
	echo "===== END DMESG =====" > /dev/console
	dmesg -r > /run/dmesg-r.txt; /bin/probe emit dmesg-levels /run/dmesg-r.txt
	/bin/probe kmsg /run/kmsg.txt; /bin/probe emit kmsg /run/kmsg.txt
	meta event=done
	log "scenario $SCEN done"
	sync
	poweroff -f
	reboot -f
}

meta event=init-start scenario=$SCEN kernel=$KREL uptime="$(cut -d' ' -f1 /proc/uptime)"
log "scenario=$SCEN kernel=$KREL"

case $SCEN in
host-oom-zram)
	ins mm/zsmalloc.ko drivers/block/zram/zram.ko crypto/lzo-rle.ko crypto/lzo.ko
	sleep 1
	echo lzo-rle > /sys/block/zram0/comp_algorithm
	echo 512M > /sys/block/zram0/disksize
	mkswap /dev/zram0 > /dev/console 2>&1
	/bin/probe swapon /dev/zram0 100 && log "zram swap on: $(cat /proc/swaps | tail -1)"
	meta event=zram-on disksize=$(cat /sys/block/zram0/disksize) comp="$(cat /sys/block/zram0/comp_algorithm | tr ' ' ',')"
	;;
thrashing*)
	ins drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_pci_legacy_dev.ko drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko
	sleep 1
	mount -t ext4 -o noatime /dev/vda /data && log "mounted /dev/vda: $(ls -la /data | tr '\n' ' ')"
	;;
esac
# every scenario runs with cgroup v2 mounted the way systemd mounts it
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup

PROBE_LABEL=config /bin/probe snap $CONFFILES
case $SCEN in host-oom-zram) EXTRA="$ZRAMFILES";; *) EXTRA=;; esac

# Kubernetes (systemd cgroup driver) shaped hierarchy for the cgroup v2 scenarios
POD=kubepods-burstable-pod7f3c2a1e_5b9d_4c8e_9a2f_1d6e8b4c3a70.slice
KP=/kubepods.slice/kubepods-burstable.slice/$POD
CA=$KP/cri-containerd-3f9a1c7e5b2d4086a1e9c3b7d5f2a4e6c8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7.scope
CB=$KP/cri-containerd-9c1e7a3b5d2f4068b0a2c4e6f8d1b3a5c7e9f0b2d4a6c8e1f3b5d7a9c2e4f6b8.scope
# systemd-host shaped hierarchy for the host-wide scenarios (no limits set)
SVC=/system.slice/nix-daemon.service
SES=/user.slice/user-1000.slice/session-2.scope
mkhostcg() {
	for d in /system.slice $SVC /user.slice /user.slice/user-1000.slice $SES; do mkdir -p /sys/fs/cgroup$d; done
	for d in "" /system.slice /user.slice /user.slice/user-1000.slice; do
		for c in memory pids; do echo "+$c" > /sys/fs/cgroup$d/cgroup.subtree_control || log "cannot enable $c in $d"; done
	done
	meta event=cgroups service=$SVC session=$SES limits=none
}
mkcg() {
	for d in /kubepods.slice /kubepods.slice/kubepods-burstable.slice $KP $CA $CB; do mkdir -p /sys/fs/cgroup$d; done
	for d in "" /kubepods.slice /kubepods.slice/kubepods-burstable.slice $KP; do
		for c in cpu io memory pids; do echo "+$c" > /sys/fs/cgroup$d/cgroup.subtree_control || log "cannot enable $c in $d"; done
	done
	echo 400M > /sys/fs/cgroup/kubepods.slice/memory.max
	echo 128M > /sys/fs/cgroup$KP/memory.max
	for c in $CA $CB; do echo 64M > /sys/fs/cgroup$c/memory.max; echo 0 > /sys/fs/cgroup$c/memory.swap.max; done
	meta event=cgroups kubepods_max=400M pod=$KP pod_max=128M container_a=$CA container_b=$CB container_max=64M swap_max=0
}

case $SCEN in
host-oom-no-swap|host-oom-zram)
	mkhostcg
	CGF=$(cgfiles "" $SVC /user.slice/user-1000.slice $SES)
	PROBE_LABEL=baseline /bin/probe snap $HOSTFILES $EXTRA $CGF
	spawn nix-daemon $SVC anon 8 50 48 0 text; P1=$LASTPID
	AS_UID=1000 spawn java $SES anon 16 50 96 0 text; P2=$LASTPID
	sleep 2
	AS_UID=1000 spawn nix $SES anon 4 100 0 0 text; V=$LASTPID
	meta event=victim-expected pid=$V comm=nix uid=1000 constraint=CONSTRAINT_NONE task_memcg=$SES
	start_sampler 500 4 $HOSTFILES $EXTRA $CGF /proc/$V/status /proc/$V/oom_score /proc/$P1/oom_score /proc/$P2/oom_score
	wait_victim $V 300
	sleep 3
	stop_sampler
	PROBE_LABEL=end /bin/probe snap $HOSTFILES $EXTRA $CGF
	kill $P1 $P2; wait $P1; wait $P2
	;;
thrashing|thrashing-nokill)
	# thrashing: 176 MiB anon + 320 MiB file working set, 50 s, then nix grows until the OOM kill
	# thrashing-nokill: 240 MiB anon (less room for the page cache), 75 s, no kill
	if [ $SCEN = thrashing ]; then ANON=176; T1=50; else ANON=240; T1=75; fi
	mkhostcg
	CGF=$(cgfiles "" $SVC /user.slice/user-1000.slice $SES)
	PROBE_LABEL=baseline /bin/probe snap $HOSTFILES $CGF
	start_sampler 1000 5 $HOSTFILES $CGF
	AS_UID=1000 spawn java $SES anon 16 100 $ANON 0 text; P1=$LASTPID
	sleep 3
	# warm the page cache quickly (sequential, with readahead) before the random readers start
	meta event=prefill-start; cat /data/store.bin > /dev/null; meta event=prefill-done
	spawn nix-daemon $SVC file /data/store.bin 0 0; R1=$LASTPID
	AS_UID=1000 spawn postgres $SES file /data/store.bin 0 0; R2=$LASTPID
	meta event=thrash-phase1-start file_mib=320 anon_mib=$ANON duration_s=$T1
	sleep $T1
	if [ $SCEN = thrashing ]; then
		meta event=thrash-phase2-start note=nix-grows-until-oom
		AS_UID=1000 spawn nix $SES anon 2 250 0 0 text; V=$LASTPID
		meta event=victim-expected pid=$V comm=nix uid=1000 constraint=CONSTRAINT_NONE task_memcg=$SES note=largest-anon-when-oom-fires
		wait_victim $V 150
		sleep 3
	else
		meta event=thrash-end note=no-kill-expected
	fi
	stop_sampler
	PROBE_LABEL=end /bin/probe snap $HOSTFILES $CGF
	kill $P1 $R1 $R2 2>/dev/null; sleep 1
	;;
cgv2-container-limit|cgv2-oom-group|cgv2-memory-high-throttle)
	mkcg
	if [ $SCEN = cgv2-oom-group ]; then echo 1 > /sys/fs/cgroup$CA/memory.oom.group; fi
	if [ $SCEN = cgv2-memory-high-throttle ]; then echo 48M > /sys/fs/cgroup$CA/memory.high; fi
	meta event=container-a oom_group=$(cat /sys/fs/cgroup$CA/memory.oom.group) memory_high=$(cat /sys/fs/cgroup$CA/memory.high) memory_max=$(cat /sys/fs/cgroup$CA/memory.max)
	CGF=$(cgfiles "" /kubepods.slice $KP $CA $CB)
	PROBE_LABEL=baseline /bin/probe snap $HOSTFILES $CGF
	spawn java $CB anon 4 50 16 0 text; PB=$LASTPID
	if [ $SCEN = cgv2-oom-group ]; then spawn java $CA anon 4 50 24 0 text; else spawn nix-daemon $CA anon 4 50 8 0 text; fi; PA=$LASTPID
	sleep 2
	if [ $SCEN = cgv2-memory-high-throttle ]; then
		spawn nix $CA anon 1 100 0 0 text; V=$LASTPID; IV=1000; TO=300
	else
		spawn nix $CA anon 1 100 0 0 text; V=$LASTPID; IV=500; TO=120
	fi
	meta event=victim-expected pid=$V comm=nix constraint=CONSTRAINT_MEMCG oom_memcg=$CA
	start_sampler $IV 4 $HOSTFILES $CGF /proc/$V/status /proc/$PA/status
	wait_victim $V $TO
	if [ $SCEN = cgv2-oom-group ]; then wait_victim $PA 10; fi
	sleep 3
	stop_sampler
	PROBE_LABEL=end /bin/probe snap $HOSTFILES $CGF
	kill $PA $PB 2>/dev/null; sleep 1
	;;
cgv2-kube-pod-oom-group)
	# The limit sits on the pod slice only (containers unlimited, as when only the pod has a
	# limit); container A has memory.oom.group=1 and two processes, so the pod-level OOM picks
	# the biggest task (nix in A) and then kills every task of A; B's task survives.
	for d in /kubepods.slice /kubepods.slice/kubepods-burstable.slice $KP $CA $CB; do mkdir -p /sys/fs/cgroup$d; done
	for d in "" /kubepods.slice /kubepods.slice/kubepods-burstable.slice $KP; do
		for c in cpu io memory pids; do echo "+$c" > /sys/fs/cgroup$d/cgroup.subtree_control || log "cannot enable $c in $d"; done
	done
	echo 96M > /sys/fs/cgroup$KP/memory.max
	echo 0 > /sys/fs/cgroup$KP/memory.swap.max
	echo 1 > /sys/fs/cgroup$CA/memory.oom.group
	meta event=cgroups pod=$KP pod_max=96M container_a=$CA container_a_oom_group=1 container_b=$CB container_max=max
	CGF=$(cgfiles "" /kubepods.slice $KP $CA $CB)
	PROBE_LABEL=baseline /bin/probe snap $HOSTFILES $CGF
	spawn java $CB anon 4 50 12 0 text; PB=$LASTPID
	spawn java $CA anon 4 50 20 0 text; PA=$LASTPID
	sleep 2
	spawn nix $CA anon 1 100 0 0 text; V=$LASTPID
	meta event=victim-expected pid=$V comm=nix constraint=CONSTRAINT_MEMCG oom_memcg=$KP task_memcg=$CA group_kill=$PA,$V survivor=$PB
	start_sampler 500 4 $HOSTFILES $CGF /proc/$V/status /proc/$PA/status
	wait_victim $V 120
	wait_victim $PA 10
	sleep 3
	stop_sampler
	PROBE_LABEL=end /bin/probe snap $HOSTFILES $CGF
	meta event=survivor pid=$PB alive=$(kill -0 $PB 2>/dev/null && echo yes || echo no)
	kill $PB 2>/dev/null; sleep 1
	;;
sysrq-oom)
	# Manual OOM: SysRq-f runs the OOM killer from a workqueue (order=-1) with no shortage at
	# all; it kills the task with the highest badness, here java holding 64 MiB.
	mkhostcg
	CGF=$(cgfiles "" $SVC /user.slice/user-1000.slice $SES)
	PROBE_LABEL=baseline /bin/probe snap $HOSTFILES $CGF
	spawn nix-daemon $SVC anon 4 50 16 0 text; P1=$LASTPID
	AS_UID=1000 spawn java $SES anon 8 50 64 0 text; V=$LASTPID
	sleep 4
	meta event=victim-expected pid=$V comm=java uid=1000 constraint=CONSTRAINT_NONE task_memcg=$SES order=-1
	start_sampler 500 4 $HOSTFILES $CGF /proc/$V/status /proc/$V/oom_score /proc/$P1/oom_score
	sleep 2
	meta event=sysrq-f
	echo f > /proc/sysrq-trigger
	wait_victim $V 30
	sleep 3
	stop_sampler
	PROBE_LABEL=end /bin/probe snap $HOSTFILES $CGF
	kill $P1; wait $P1
	;;
*)
	log "unknown scenario '$SCEN'"
	;;
esac
finish
