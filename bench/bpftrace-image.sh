#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build a read-only ext4 image holding the host's bpftrace, every shared
# library it loads, busybox as /bin/sh (bpftrace's system() runs it) and
# bench/refcount.bt, for the benchmark guest to mount on a virtio disk and
# chroot into: the cloud kernel has no 9p, and bpftrace's LLVM and clang
# libraries are far too big for the initramfs.
#
# usage: bench/bpftrace-image.sh OUTFILE
#   env BPFTRACE (default: command -v bpftrace), BUSYBOX (/bin/busybox)
# Layout: /usr/bin/bpftrace, its libraries at their host paths,
# /bin/busybox + /bin/sh, /bench/refcount.bt, empty /proc /sys /dev /tmp.
# Rebuilt only when an input is newer than OUTFILE.
set -eu

me="bpftrace-image.sh"
here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "$me: $*" >&2
	exit 1
}

[ $# -eq 1 ] || { sed -n '7,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }
out=$1
bpftrace=${BPFTRACE:-$(command -v bpftrace || true)}
busybox=${BUSYBOX:-/bin/busybox}
script=$here/refcount.bt

if [ -z "$bpftrace" ] || [ ! -x "$bpftrace" ]; then
	die "bpftrace not found (apt-get install bpftrace)"
fi
[ -x "$busybox" ] || die "busybox not found at $busybox (apt-get install busybox-static)"
for t in mke2fs ldd du; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' not found (run scripts/deps.sh)"
done

libs=$(ldd "$bpftrace" | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}')
# shellcheck disable=SC2086 # $libs: one path a word
if [ -f "$out" ] && [ -z "$(find -L "$bpftrace" "$busybox" "$script" "$0" $libs \
	-newer "$out" 2>/dev/null)" ]; then
	echo "$me: $out is up to date"
	exit 0
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/bpftrace-image.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
umask 022
chmod 0755 "$stage"

put() { # SRC DST
	mkdir -p "$stage$(dirname "$2")"
	cp -L "$1" "$stage$2"
}

put "$bpftrace" /usr/bin/bpftrace
for lib in $libs; do
	put "$lib" "$lib"
done
put "$busybox" /bin/busybox
ln -s busybox "$stage/bin/sh"
put "$script" /bench/refcount.bt
for d in proc sys dev tmp etc; do
	mkdir -p "$stage/$d"
done
chmod 1777 "$stage/tmp"
echo "root:x:0:0:root:/:/bin/sh" > "$stage/etc/passwd"

# Size: the files plus a quarter and a few MiB for ext4's own metadata.
kib=$(du -sk "$stage" | cut -f1)
kib=$((kib + kib / 4 + 8192))
tmp=$out.tmp.$$
rm -f "$tmp"
mkdir -p "$(dirname "$out")"
mke2fs -q -F -t ext4 -O ^has_journal -L bpftrace -E root_owner=0:0 \
	-d "$stage" "$tmp" "${kib}k" >/dev/null || { rm -f "$tmp"; die "mke2fs failed"; }
mv "$tmp" "$out"
echo "$me: wrote $out ($((kib / 1024)) MiB: $(basename "$bpftrace") $("$bpftrace" --version 2>/dev/null | head -n 1), $(echo "$libs" | wc -w) libraries)"
