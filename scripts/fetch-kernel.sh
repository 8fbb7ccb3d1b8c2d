#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fetch a Debian cloud kernel that is not installed (the second kernel the
# guest suite runs on, from bookworm-backports) into OUTDIR, without touching
# the system: apt-get with a private source list, state and cache downloads
# the image, headers, common headers and kbuild packages, and dpkg-deb -x
# unpacks them. Nothing goes to /boot, /usr/src or dpkg's database, so
# scripts/kernel-release.sh still names the installed kernel. Cached: a
# second run with the tree in place only checks it.
#
# usage: scripts/fetch-kernel.sh [--suite SUITE] [--mirror URL] RELEASE OUTDIR
#   RELEASE   e.g. 6.12.95+deb12-cloud-amd64 (pinned in the Makefile)
#   OUTDIR    gets root/ (the unpacked packages) and apt/ (private apt state)
#   --suite   default bookworm-backports
#   --mirror  default http://deb.debian.org/debian
# Afterwards: OUTDIR/root/boot/vmlinuz-RELEASE, OUTDIR/root/lib/modules/RELEASE,
# and the headers to build modules against (KDIR) in
# OUTDIR/root/usr/src/linux-headers-RELEASE.
set -eu

me=fetch-kernel.sh
suite=bookworm-backports
mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

usage() {
	sed -n '3,19s/^# \{0,1\}//p' "$0"
}

die() {
	echo "$me: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case "$1" in
	--suite) suite=$2; shift ;;
	--mirror) mirror=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "$me: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 2 ] || { usage >&2; exit 2; }
release=$1
outdir=$2

# 6.12.95+deb12-cloud-amd64 -> ABI 6.12.95+deb12, flavour cloud-amd64.
case "$release" in
*-cloud-amd64) abi=${release%-cloud-amd64} ;;
*) die "'$release' is not a Debian cloud-amd64 kernel release" ;;
esac

root=$outdir/root
kdir=$root/usr/src/linux-headers-$release
stamp=$outdir/fetched

if [ -f "$stamp" ] && [ -f "$root/boot/vmlinuz-$release" ] &&
	[ -d "$root/lib/modules/$release" ] && [ -f "$kdir/Makefile" ]; then
	echo "$me: $release already in $outdir ($(cat "$stamp"))"
	exit 0
fi

for t in apt-get dpkg-deb; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' not found (is this Debian?)"
done
[ -r "$keyring" ] || die "no $keyring (apt-get install debian-archive-keyring)"

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
root=$outdir/root
kdir=$root/usr/src/linux-headers-$release
apt=$outdir/apt
mkdir -p "$apt/etc" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
echo "deb [signed-by=$keyring] $mirror $suite main" > "$apt/etc/sources.list"

# Private everything: the system's sources, lists and cache stay as they are.
# The downloads are done as root when we are root (the private folders are
# not the _apt user's).
set -- -q -o "Dir::Etc::SourceList=$apt/etc/sources.list" \
	-o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/dev/null \
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" \
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
	-o APT::Sandbox::User=root

echo "$me: apt-get update ($suite, private list in $apt)"
apt-get "$@" update >"$apt/update.log" 2>&1 ||
	{ cat "$apt/update.log" >&2; die "apt-get update of $suite failed"; }

pkgs="linux-image-$release linux-headers-$release linux-headers-$abi-common linux-kbuild-$abi"
for p in $pkgs; do
	if ! apt-cache "$@" show "$p" >/dev/null 2>&1; then
		have=$(apt-cache "$@" pkgnames linux-image- 2>/dev/null |
			grep -E -- '^linux-image-[0-9].*-cloud-amd64$' | sed 's/^linux-image-//' | sort -V | tr '\n' ' ')
		die "$suite has no package $p; cloud kernels there: ${have:-none} (change the pinned release)"
	fi
done

echo "$me: downloading $pkgs"
# shellcheck disable=SC2086 # $pkgs is a list
(cd "$apt/debs" && rm -f ./*.deb && apt-get "$@" download $pkgs >"$apt/download.log" 2>&1) ||
	{ cat "$apt/download.log" >&2; die "apt-get download failed"; }

rm -rf "$root.new"
mkdir -p "$root.new"
for d in "$apt"/debs/*.deb; do
	dpkg-deb -x "$d" "$root.new"
done
# Debian splits the headers: the flavour's Makefile includes the common
# tree by its absolute /usr/src path. Point it at the unpacked one.
mk=$root.new/usr/src/linux-headers-$release/Makefile
[ -f "$mk" ] || die "no headers Makefile in the unpacked packages"
cat > "$mk" <<EOF
include \$(dir \$(lastword \$(MAKEFILE_LIST)))../linux-headers-$abi-common/Makefile
EOF
# Its modules are in /lib/modules in the package, or /usr/lib/modules once
# Debian merges /usr in packages too.
if [ ! -d "$root.new/lib/modules/$release" ] && [ -d "$root.new/usr/lib/modules/$release" ]; then
	mkdir -p "$root.new/lib/modules"
	ln -s "../../usr/lib/modules/$release" "$root.new/lib/modules/$release"
fi
[ -f "$root.new/boot/vmlinuz-$release" ] || die "no boot/vmlinuz-$release in linux-image-$release"
[ -d "$root.new/lib/modules/$release" ] || die "no modules for $release in linux-image-$release"

# The kbuild tools are built for this Debian release: check they run here.
fixdep=$root.new/usr/lib/linux-kbuild-$abi/scripts/basic/fixdep
[ -x "$fixdep" ] || die "no kbuild tools in linux-kbuild-$abi"
"$fixdep" >/dev/null 2>&1 || [ $? -eq 1 ] || die "kbuild's fixdep does not run on this machine"

rm -rf "$root"
mv "$root.new" "$root"
version=$(dpkg-deb -f "$apt/debs/linux-image-${release}_"*.deb Version)
echo "linux-image-$release $version from $suite" > "$stamp"
rm -f "$apt"/debs/*.deb "$apt"/cache/*.bin
echo "$me: $release ($version) unpacked in $root"
