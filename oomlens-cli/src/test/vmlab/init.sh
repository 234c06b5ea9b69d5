#!/bin/sh
# /init of the VM lab (busybox ash, inside the QEMU guest only). Starts `oomlens watch` the way the
# systemd unit does (its oom_score_adj and MemoryMax, given on the kernel command line), waits for
# its /metrics, runs the scenario named by scenario= on the kernel command line, then stops the
# agent and writes what it left to the second serial port, framed:
#   @@META key=value...              what happened, in order
#   @@BEGIN name / ... / @@END name  a file (the agent's output, its history as base64, dmesg)
# and powers off. The console (first serial port) carries the kernel's messages and "lab:" lines.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=755,size=32m tmpfs /run
mount -t tmpfs -o size=64m tmpfs /tmp
hostname vmlab
ip link set lo up
stty -F /dev/ttyS1 raw -echo

arg() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" /proc/cmdline; }
SCEN=$(arg scenario)
ADJ=$(arg agent_adj)
AMAX=$(arg agent_max)
log() { echo "lab: $*" >/dev/console; }
meta() { echo "@@META $*" >/dev/ttyS1; log "$*"; }
emit() { { echo "@@BEGIN $1"; cat "$2"; echo; echo "@@END $1"; } >/dev/ttyS1; }

finish() {
	dmesg >/run/dmesg.txt
	emit dmesg /run/dmesg.txt
	meta event=done
	sync
	poweroff -f
}

# The disk with the JDK, the launcher and the libraries, linked in at the paths they were built for.
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci; do
	insmod /lib/modules/drivers/virtio/$m.ko || log "insmod $m failed"
done
insmod /lib/modules/drivers/block/virtio_blk.ko || log "insmod virtio_blk failed"
n=0
while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
# Read-only: the guest changes nothing the next run would see.
mount -t ext4 -o ro /dev/vda /sysroot || { meta event=no-disk; finish; }
ln -s /sysroot/usr /usr
ln -s /sysroot/usr/lib64 /lib64
ln -s /sysroot/usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu

# cgroup v2 mounted as systemd mounts it
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
cg() { mkdir -p "/sys/fs/cgroup$1"; }
enable() { for d in "$@"; do echo "+memory" >"/sys/fs/cgroup$d/cgroup.subtree_control" || log "no +memory in $d"; done; }
SVC=/system.slice/oomlens-watch.service
SES=/user.slice/user-1000.slice/session-2.scope
cg $SVC
cg $SES
enable "" /system.slice /user.slice /user.slice/user-1000.slice
[ -n "$AMAX" ] && echo "$AMAX" >/sys/fs/cgroup$SVC/memory.max

meta event=init scenario=$SCEN kernel=$(uname -r) mem_kib=$(awk '/MemTotal/{print $2}' /proc/meminfo) swap_kib=$(awk '/SwapTotal/{print $2}' /proc/meminfo)

# The agent as the unit starts it: in its own cgroup, oom_score_adj set before exec, the unit's
# ExecStart arguments (and a 1 s interval so warnings can be seen within the scenario). Without
# agent_adj= and agent_max= on the command line, as root starts it by hand: no limit, and the
# oom_score_adj it inherits (0), which the agent lowers itself.
mkdir -p /var/lib/oomlens
sh -c "echo \$\$ >/sys/fs/cgroup$SVC/cgroup.procs && { [ -z '$ADJ' ] || echo '$ADJ' >/proc/self/oom_score_adj; } &&
	exec env PATH=/usr/bin:/bin JAVA_HOME=/sysroot/jdk /sysroot/oomlens/oomlens watch \
	--db /var/lib/oomlens/oomlens.db --listen 127.0.0.1:9717 --interval 1s" >/run/agent.log 2>&1 &
AGENT=$!
n=0
until wget -q -O /run/metrics http://127.0.0.1:9717/metrics 2>/dev/null; do
	if ! kill -0 $AGENT 2>/dev/null || [ $n -ge 600 ]; then
		meta event=agent-not-ready after_s=$((n / 2))
		emit agent-log /run/agent.log
		finish
	fi
	sleep 0.5
	n=$((n + 1))
done
meta event=agent-ready pid=$AGENT after_s=$((n / 2)) oom_score_adj=$(cat /proc/$AGENT/oom_score_adj) cgroup=$(cut -d: -f3 /proc/$AGENT/cgroup)

# wait_gone PID TIMEOUT_S: wait for PID to exit; kill it after the timeout
wait_gone() {
	n=0
	while kill -0 $1 2>/dev/null && [ "$(awk '/^State:/{print $2}' /proc/$1/status 2>/dev/null)" != Z ]; do
		sleep 1
		n=$((n + 1))
		if [ $n -ge $2 ]; then meta event=timeout pid=$1; kill -KILL $1; break; fi
	done
	wait $1
	meta event=exit pid=$1 status=$? after_s=$n
}

# spawn NAME CGROUP ARGS...: runs the hog as NAME (its comm) in CGROUP; pid in $LASTPID
spawn() {
	name=$1 cgroup=$2
	shift 2
	sh -c "echo \$\$ >/sys/fs/cgroup$cgroup/cgroup.procs && exec /bin/$name \"\$@\"" sh "$@" >/run/hog-$name.log 2>&1 &
	LASTPID=$!
	meta event=spawn comm=$name pid=$LASTPID cgroup=$cgroup args=$(echo "$*" | tr ' ' ',')
}

case $SCEN in
host-oom)
	# No limit anywhere, no swap: one process grows until the whole guest runs out.
	spawn nix $SES anon 4 20 0 0 text
	wait_gone $LASTPID 300
	;;
host-oom-zram)
	# The same on a host whose only swap is zram (as Fedora and ChromeOS set up): the hog's pages
	# (text, about 3:1 under lzo-rle) go to zram until it is full, then the guest runs out. Slower
	# growth than host-oom so that the agent samples swap past its limit before the kill.
	for m in mm/zsmalloc drivers/block/zram/zram crypto/lzo-rle crypto/lzo; do
		insmod /lib/modules/$m.ko || log "insmod $m failed"
	done
	echo lzo-rle >/sys/block/zram0/comp_algorithm
	echo 256M >/sys/block/zram0/disksize
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
	meta event=swap $(awk 'NR == 2 {print "device=" $1 " size_kib=" $3}' /proc/swaps)
	spawn nix $SES anon 1 40 0 0 text
	wait_gone $LASTPID 300
	;;
cgv2-limit)
	# A Kubernetes-shaped hierarchy (systemd cgroup driver); the container's memory.high 4 MiB under
	# its memory.max: the hog is throttled first (HIGH-THROTTLE), then killed at the limit. Further
	# under, the kernel's throttle (up to 2 s per 64 pages charged) would hold it for minutes.
	POD=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7f3c2a1e_5b9d_4c8e_9a2f_1d6e8b4c3a70.slice
	CA=$POD/cri-containerd-3f9a1c7e5b2d4086a1e9c3b7d5f2a4e6c8b0d1f3a5c7e9b2d4f6a8c0e1b3d5f7.scope
	cg $CA
	enable /kubepods.slice /kubepods.slice/kubepods-burstable.slice $POD
	echo 128M >/sys/fs/cgroup$POD/memory.max
	echo 64M >/sys/fs/cgroup$CA/memory.max
	echo 60M >/sys/fs/cgroup$CA/memory.high
	echo 0 >/sys/fs/cgroup$CA/memory.swap.max
	meta event=cgroups container=$CA memory_max=64M memory_high=60M pod_max=128M
	spawn nix $CA anon 1 250 0 0 text
	wait_gone $LASTPID 300
	meta event=container-events $(tr ' \n' '=,' </sys/fs/cgroup$CA/memory.events)
	;;
*)
	meta event=unknown-scenario name=$SCEN
	;;
esac

# The agent records a kill within milliseconds of reading it; under emulation give it seconds.
n=0
while ! grep -q '^oomlens_oom_kills_total{' /run/metrics 2>/dev/null && [ $n -lt 120 ]; do
	sleep 0.5
	wget -q -O /run/metrics http://127.0.0.1:9717/metrics 2>/dev/null
	n=$((n + 1))
done
if kill -0 $AGENT 2>/dev/null; then
	meta event=agent-alive pid=$AGENT oom_score_adj=$(cat /proc/$AGENT/oom_score_adj) rss_kib=$(awk '/^VmRSS/{print $2}' /proc/$AGENT/status)
else
	meta event=agent-gone pid=$AGENT
fi
emit metrics /run/metrics
# A clean stop, as systemd's SIGTERM: the history is closed, its WAL folded in.
kill -TERM $AGENT 2>/dev/null
wait_gone $AGENT 60
emit agent-log /run/agent.log
for f in /var/lib/oomlens/oomlens.db /var/lib/oomlens/oomlens.db-wal; do
	[ -f $f ] && base64 $f >/run/b64 && emit "$(basename $f).base64" /run/b64
done
finish
