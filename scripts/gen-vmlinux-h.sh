#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Regenerate vmlinux/x86/vmlinux.h from the BTF of the Debian cloud kernel
# (the one scripts/kernel-release.sh names, or KRELEASE).
#
# usage: scripts/gen-vmlinux-h.sh [--check] [OUT]
#   OUT       default vmlinux/x86/vmlinux.h (relative to the repository)
#   --check   do not write; exit 1 if OUT differs from what would be generated
#   env KRELEASE   kernel release (default: scripts/kernel-release.sh)
#       VMLINUX    an already extracted ELF vmlinux to read BTF from
set -eu

me=gen-vmlinux-h.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
case "${1:-}" in
-h | --help)
	sed -n '3,11s/^# \{0,1\}//p' "$0"
	exit 0
	;;
-*)
	echo "$me: unknown option '$1' (try --help)" >&2
	exit 2
	;;
esac
out=${1:-$top/vmlinux/x86/vmlinux.h}

if ! command -v bpftool >/dev/null 2>&1; then
	echo "$me: bpftool not found (run scripts/deps.sh)" >&2
	exit 1
fi

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/vmlinux-h.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT INT TERM

vmlinux=${VMLINUX:-}
if [ -z "$vmlinux" ]; then
	krelease=${KRELEASE:-$("$here/kernel-release.sh")}
	vmlinux=$tmpdir/vmlinux
	"$here/extract-vmlinux.sh" "/boot/vmlinuz-$krelease" "$vmlinux"
fi

bpftool btf dump file "$vmlinux" format c > "$tmpdir/vmlinux.h"

if [ "$check" = 1 ]; then
	if cmp -s "$tmpdir/vmlinux.h" "$out"; then
		echo "$me: $out is up to date"
		exit 0
	fi
	echo "$me: $out differs from the BTF of $vmlinux; run scripts/$me" >&2
	exit 1
fi
mkdir -p "$(dirname "$out")"
chmod 644 "$tmpdir/vmlinux.h"
mv "$tmpdir/vmlinux.h" "$out"
echo "$me: wrote $out ($(wc -l < "$out") lines)"
