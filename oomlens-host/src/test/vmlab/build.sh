#!/bin/bash
# Build everything for the VM OOM lab under $LAB (default ~/.cache/oomlens-vmlab):
# Debian cloud kernel (extracted, not installed), static busybox initramfs with
# the hog/probe tools and the zram/virtio modules, and the ext4 data disk for
# the thrashing scenario. Needs: qemu-system-x86 busybox-static cpio kmod gcc e2fsprogs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LAB=${LAB:-$HOME/.cache/oomlens-vmlab}
KPKG=${KPKG:-linux-image-6.1.0-56-cloud-amd64}
mkdir -p "$LAB" && cd "$LAB"
NEED=
for t in qemu-system-x86_64 busybox cpio depmod gcc mkfs.ext4 bc; do command -v $t >/dev/null || NEED=1; done
if [ -n "$NEED" ] || ! ls ${KPKG}_*.deb >/dev/null 2>&1; then
  apt-get update -qq
fi
if [ -n "$NEED" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 busybox-static cpio kmod gcc libc6-dev e2fsprogs bc
fi
if ! ls ${KPKG}_*.deb >/dev/null 2>&1; then
  apt-get download "$KPKG"
fi
DEB=$(ls ${KPKG}_*.deb | head -1)
rm -rf kernel && mkdir kernel && dpkg -x "$DEB" kernel
KREL=$(ls kernel/lib/modules)
cp kernel/boot/vmlinuz-$KREL vmlinuz
depmod -b "$LAB/kernel" "$KREL"
echo "$DEB" > kernel.deb.name; echo "$KREL" > kernel.release

# tools
mkdir -p build
gcc -O2 -Wall -static -o build/hog "$HERE/hog.c"
gcc -O2 -Wall -static -o build/probe "$HERE/probe.c"

# initramfs
R=initramfs; rm -rf $R; mkdir -p $R/{bin,sbin,proc,sys,dev,run,tmp,data,etc}
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox $R/bin/$a; done
rm -f $R/bin/busybox; cp /bin/busybox $R/bin/busybox
for a in insmod modprobe poweroff reboot swapon mkswap; do ln -sf ../bin/busybox $R/sbin/$a; done
cp build/probe $R/bin/probe
for n in nix nix-daemon java postgres; do rm -f $R/bin/$n; cp build/hog $R/bin/$n; done   # same binary, distinct comm
cp "$HERE/init.sh" $R/init; chmod 755 $R/init
M=kernel/lib/modules/$KREL
for m in mm/zsmalloc.ko drivers/block/zram/zram.ko crypto/lzo-rle.ko crypto/lzo.ko \
         drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_pci_legacy_dev.ko \
         drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko; do
  mkdir -p $R/lib/modules/$KREL/kernel/$(dirname $m); cp $M/kernel/$m $R/lib/modules/$KREL/kernel/$m
done
(cd $R && find . | cpio -o -H newc --quiet | gzip -1) > initramfs.cpio.gz
ls -la vmlinuz initramfs.cpio.gz

# data disk for the thrashing scenario: ext4 with a 320 MiB random file
if [ ! -f data.img ]; then
  rm -rf diskroot && mkdir diskroot
  head -c $((320<<20)) /dev/urandom > diskroot/store.bin
  mkfs.ext4 -q -F -L oomdata -d diskroot data.img 400M
  rm -rf diskroot
fi
