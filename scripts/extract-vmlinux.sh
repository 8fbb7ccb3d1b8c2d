#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Extract the uncompressed ELF vmlinux, with its .BTF section, from a bzImage
# (Debian's cloud vmlinuz carries an LZ4 payload; gzip, zstd, xz, bzip2 and
# lzma payloads are tried too). Debian's headers package lacks vmlinux, and
# module BTF (pahole -J --btf_base VMLINUX) and vmlinux.h need it.
#
# usage: scripts/extract-vmlinux.sh VMLINUZ OUT
set -eu

me=extract-vmlinux.sh
if [ $# -ne 2 ]; then
	echo "usage: scripts/$me VMLINUZ OUT" >&2
	exit 2
fi
in=$1
out=$2

if [ ! -r "$in" ]; then
	echo "$me: cannot read '$in': $( [ -e "$in" ] && echo 'permission denied (run as root?)' || echo 'no such file')" >&2
	exit 1
fi
for t in readelf od python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "$me: '$t' not found (run scripts/deps.sh)" >&2
		exit 1
	fi
done

tmp=$(mktemp "${TMPDIR:-/tmp}/vmlinux.XXXXXX")
trap 'rm -f "$tmp"' EXIT INT TERM

# ELF with a .BTF section?
good_elf() {
	[ "$(od -An -c -N4 "$1" 2>/dev/null | tr -d ' ')" = '177ELF' ] || return 1
	readelf -S -W "$1" 2>/dev/null | grep -q ' \.BTF '
}

# Byte offsets (0-based) of every occurrence of the hex magic $1 in $in.
offsets() {
	python3 - "$in" "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
magic = bytes.fromhex(sys.argv[2])
i, n = data.find(magic), 0
while i >= 0 and n < 32:
    n += 1
    print(i)
    i = data.find(magic, i + 1)
PY
}

# Already an ELF vmlinux?
if good_elf "$in"; then
	cp "$in" "$tmp"
	chmod 644 "$tmp"
	mv "$tmp" "$out"
	trap - EXIT INT TERM
	echo "$me: $in is already an ELF with .BTF; copied to $out" >&2
	exit 0
fi

tried=""
# magic (hex) / decompressor / name. The decompressors exit non-zero on the
# trailing bytes after the payload; the ELF check below is what counts.
for spec in "02214c18:lz4 -dc:lz4" "1f8b0800:gzip -dc:gzip" \
	"28b52ffd:zstd -dc:zstd" "fd377a585a00:xz -dc:xz" \
	"425a6839:bzip2 -dc:bzip2" "5d000000:xz -dc --format=lzma:lzma"; do
	magic=${spec%%:*}
	rest=${spec#*:}
	cmd=${rest%%:*}
	name=${rest#*:}
	tool=${cmd%% *}
	command -v "$tool" >/dev/null 2>&1 || continue
	for off in $(offsets "$magic"); do
		tried="$tried $name@$off"
		# shellcheck disable=SC2086 # $cmd is a command line
		tail -c +$((off + 1)) "$in" | $cmd > "$tmp" 2>/dev/null || true
		if good_elf "$tmp"; then
			chmod 644 "$tmp"
			mv "$tmp" "$out"
			trap - EXIT INT TERM
			echo "$me: $name payload at offset $off -> $out" >&2
			exit 0
		fi
	done
done

{
	echo "$me: found no ELF vmlinux with a .BTF section in '$in'"
	if [ -n "$tried" ]; then
		echo "  tried payloads:$tried"
	else
		echo "  no compressed payload magic found (lz4, gzip, zstd, xz, bzip2, lzma)"
	fi
	echo "  is this a kernel built with CONFIG_DEBUG_INFO_BTF, and are lz4/zstd/xz installed? (scripts/deps.sh)"
} >&2
exit 1
