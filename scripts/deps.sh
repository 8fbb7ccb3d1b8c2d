#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install every Debian 12 package that building tdvtrace, its tests and the
# demo need. Idempotent: asks dpkg first and touches apt only when something
# is missing. Never changes the apt sources.
#
# usage: scripts/deps.sh [--check]
#   --check   only report what is missing; exit 1 if anything is
set -eu

PACKAGES="
build-essential make pkg-config gcc-12
clang llvm
libbpf-dev bpftool libelf-dev libdw-dev zlib1g-dev libzstd-dev liblzma-dev libbz2-dev
libcmocka-dev libjson-c-dev librsvg2-bin
dwarves kmod
linux-image-cloud-amd64 linux-headers-cloud-amd64 debian-archive-keyring
qemu-system-x86 busybox-static
lz4 gzip zstd xz-utils cpio binutils coreutils
python3
bpftrace valgrind e2fsprogs
"

check_only=0
case "${1:-}" in
--check) check_only=1 ;;
"") ;;
-h | --help)
	sed -n '3,9s/^# \{0,1\}//p' "$0"
	exit 0
	;;
*)
	echo "deps.sh: unknown argument '$1' (try --help)" >&2
	exit 2
	;;
esac

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps.sh: all $(echo "$PACKAGES" | wc -w) packages present"
	exit 0
fi

echo "deps.sh: missing:$missing"
[ "$check_only" = 1 ] && exit 1

if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps.sh: need root to install packages: run as root or install:$missing" >&2
		exit 1
	fi
else
	SUDO=""
fi

export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # word splitting of $SUDO and $missing is wanted
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	$missing

still=""
for p in $missing; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || still="$still $p"
done
if [ -n "$still" ]; then
	echo "deps.sh: still missing after apt-get install:$still" >&2
	exit 1
fi
echo "deps.sh: installed:$missing"
