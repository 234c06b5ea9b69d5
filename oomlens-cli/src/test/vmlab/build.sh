#!/usr/bin/env bash
# Builds the VM lab into OUT: Debian's stock cloud kernel (downloaded with apt-get download and
# unpacked, never installed), a busybox initramfs holding init.sh, the hog and the kernel modules
# the scenarios load, and an ext4 disk holding what `oomlens watch` needs in the guest: the JDK,
# the glibc libraries it and the launcher's tools link against, bash, and the launcher and jar the
# build made. Each part is remade only when missing or older than what it is made from, so a test
# run builds the lab once.
#
#   oomlens-cli/src/test/vmlab/build.sh OUT JAVA_HOME JAR
#
# The hog is the one oomlens-host's capture lab (oomlens-host/src/test/vmlab) runs.
#
# Exit 0: built. Exit 4: the lab cannot be built here (a tool or the kernel package is missing,
# not x86-64); the one line on stdout says why, for the test to skip with it. Anything else fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
hog=$root/oomlens-host/src/test/vmlab/hog.c
out=$1 jdk=$2 jar=$3
mkdir -p "$out"
out=$(cd "$out" && pwd)

skip() { echo "$*"; exit 4; }

[ "$(uname -m)" = x86_64 ] || skip "not x86-64 ($(uname -m)): the lab boots an amd64 kernel"
for t in qemu-system-x86_64 cpio gzip gcc mkfs.ext4 dpkg apt-get ldd; do
  command -v "$t" >/dev/null 2>&1 || skip "no $t (Debian: qemu-system-x86 cpio gzip gcc libc6-dev e2fsprogs)"
done
busybox=$(command -v busybox || true)
# The initramfs has no libraries: only a static busybox runs there.
[ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || skip "no static busybox (Debian: busybox-static)"
[ -x "$jdk/bin/java" ] && [ -x "$jdk/bin/javac" ] || skip "no JDK at $jdk"
[ -f "$jar" ] || { echo "no jar at $jar: build it first (./mvnw -B package)" >&2; exit 1; }
# The guest gets the host's glibc: the dynamic loader must be where the JDK's binaries ask for it.
[ -e /lib64/ld-linux-x86-64.so.2 ] || skip "no /lib64/ld-linux-x86-64.so.2 on this host"

# Kernel: the package the cloud kernel's metapackage depends on today, unless one is named.
if [ ! -f "$out/vmlinuz" ]; then
  pkg=${OOMLENS_VMLAB_KERNEL:-$(apt-cache depends linux-image-cloud-amd64 2>/dev/null \
    | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)}
  [ -n "$pkg" ] || skip "no linux-image-cloud-amd64 in the package lists (apt-get update?)"
  rm -rf "$out/deb" && mkdir -p "$out/deb"
  # apt drops privileges to _apt to download: it needs a directory that user may write.
  chmod 777 "$out/deb"
  (cd "$out/deb" && apt-get download -qq "$pkg" >/dev/null 2>&1) \
    || skip "kernel package $pkg not reachable (apt-get download failed)"
  rm -rf "$out/kernel" && dpkg -x "$out"/deb/*.deb "$out/kernel"
  krel=$(ls "$out/kernel/lib/modules")
  echo "$krel" >"$out/kernel.release"
  cp "$out/kernel/boot/vmlinuz-$krel" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
  rm -rf "$out/deb"
fi
krel=$(cat "$out/kernel.release")

# Initramfs: busybox, the hog as nix (its comm is the name it was
# started as), the modules for the disk (virtio) and for zram, and init.sh as /init.
if [ ! -f "$out/initramfs.cpio.gz" ] || [ "$here/init.sh" -nt "$out/initramfs.cpio.gz" ] \
  || [ "$hog" -nt "$out/initramfs.cpio.gz" ]; then
  gcc -O2 -Wall -static -o "$out/hog" "$hog"
  r=$out/initramfs
  rm -rf "$r" && mkdir -p "$r"/{bin,sbin,proc,sys,dev,run,tmp,etc,sysroot,lib}
  cp "$busybox" "$r/bin/busybox"
  for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
  cp "$out/hog" "$r/bin/nix"
  cp "$here/init.sh" "$r/init" && chmod 755 "$r/init"
  m=$out/kernel/lib/modules/$krel/kernel
  for k in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko \
    drivers/virtio/virtio_pci_legacy_dev.ko drivers/virtio/virtio_pci_modern_dev.ko \
    drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko \
    mm/zsmalloc.ko drivers/block/zram/zram.ko crypto/lzo-rle.ko crypto/lzo.ko; do
    mkdir -p "$r/lib/modules/$(dirname "$k")" && cp "$m/$k" "$r/lib/modules/$k"
  done
  (cd "$r" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.tmp"
  mv "$out/initramfs.tmp" "$out/initramfs.cpio.gz"
  rm -rf "$r"
fi

# Disk: the JDK (without its sources and headers), the launcher with find-jdk.sh and the jar at
# the paths the launcher expects, bash and the tools the launcher runs, and every library these
# link against, at the host's paths (the guest links /usr and /lib64 to the disk).
if [ ! -f "$out/rootfs.img" ] || [ "$jar" -nt "$out/rootfs.img" ] \
  || [ "$root/oomlens" -nt "$out/rootfs.img" ] || [ "$0" -nt "$out/rootfs.img" ]; then
  d=$out/rootfs
  rm -rf "$d" && mkdir -p "$d/jdk" "$d/oomlens/scripts" "$d/oomlens/oomlens-cli/target" \
    "$d/usr/bin" "$d/usr/lib64" "$d/usr/lib/x86_64-linux-gnu"
  # Symbolic links followed: a distribution JDK links its conf/ and cacerts to /etc.
  (cd "$jdk" && tar -chf - --exclude=lib/src.zip --exclude=include --exclude=man --exclude=jmods \
    --exclude=demo --exclude=lib/ct.sym .) | tar -xf - -C "$d/jdk"
  cp "$root/oomlens" "$d/oomlens/oomlens"
  cp "$root/scripts/find-jdk.sh" "$d/oomlens/scripts/"
  cp "$jar" "$d/oomlens/oomlens-cli/target/oomlens.jar"
  tools=()
  for t in bash env find readlink; do
    p=$(command -v "$t") && cp -L "$p" "$d/usr/bin/$t" && tools+=("$p")
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$d/usr/lib64/"
  mapfile -t elfs < <(find "$d/jdk" -type f \( -name '*.so' -o -path '*/bin/*' \))
  ldd "${tools[@]}" "${elfs[@]}" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u \
    | while read -r lib; do
      case $lib in "$d"/*) ;; *) cp -L "$lib" "$d/usr/lib/x86_64-linux-gnu/" ;; esac
    done
  size=$(($(du -sm "$d" | cut -f1) * 5 / 4 + 32))
  rm -f "$out/rootfs.tmp"
  mkfs.ext4 -q -F -L oomlens -d "$d" "$out/rootfs.tmp" "${size}M" >/dev/null
  mv "$out/rootfs.tmp" "$out/rootfs.img"
  rm -rf "$d"
fi
echo "built $out (kernel $krel)"
