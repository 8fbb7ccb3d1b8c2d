#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the VM tests' initramfs: a gzip'ed newc cpio with static busybox and
# its applet links, /init, /bin/tdvtrace, /bin/tdvctl, /lib/tdvsim.ko,
# /scenarios/*.sh and /scenarios/lib.sh, and the kernel's KVM modules
# (irqbypass, kvm, kvm-amd) uncompressed as /lib/kvm/NAME.ko with their load
# order in /lib/kvm/order. Needs no root: ownership is forced to 0:0 and
# /dev/console comes from a small generated archive in front.
#
# usage: scripts/mkinitramfs.sh [options] OUTFILE
#   --tdvtrace PATH    tdvtrace binary        (env TDVTRACE, default $OUT/tdvtrace)
#   --tdvctl PATH      simulator driver       (env TDVCTL, default tests/kmod/tdvctl)
#   --ko PATH          simulator module       (env TDVSIM_KO, default tests/kmod/tdvsim.ko)
#   --scenarios DIR    scenario scripts       (env SCENARIOS, default tests/vm/scenarios)
#   --lib PATH         scenario helpers       (env VMLIB, default tests/vm/lib.sh)
#   --init PATH        the guest's /init      (env VMINIT, default tests/vm/init)
#   --busybox PATH     static busybox         (env BUSYBOX, default /bin/busybox)
#   --extra SRC[:DST]  add a file (repeatable; env EXTRA_FILES, space separated);
#                      DST is its absolute path in the guest, default /extra/NAME
#   --moddir DIR       the guest kernel's modules (env KMODDIR, default
#                      /lib/modules/$KRELEASE; KRELEASE defaults to
#                      scripts/kernel-release.sh)
# Relative defaults are taken from the repository top; OUT defaults to .output.
# Dynamically linked binaries get their shared libraries copied in (with a
# warning); static ones are preferred.
set -eu

me=mkinitramfs.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

die() {
	echo "$me: $*" >&2
	exit 1
}

usage() {
	sed -n '3,27s/^# \{0,1\}//p' "$0"
}

outdir=${OUT:-$top/.output}
tdvtrace=${TDVTRACE:-$outdir/tdvtrace}
tdvctl=${TDVCTL:-$top/tests/kmod/tdvctl}
ko=${TDVSIM_KO:-$top/tests/kmod/tdvsim.ko}
scenarios=${SCENARIOS:-$top/tests/vm/scenarios}
vmlib=${VMLIB:-$top/tests/vm/lib.sh}
vminit=${VMINIT:-$top/tests/vm/init}
busybox=${BUSYBOX:-/bin/busybox}
extras=${EXTRA_FILES:-}
moddir=${KMODDIR:-}
outfile=""

while [ $# -gt 0 ]; do
	case "$1" in
	--tdvtrace) tdvtrace=$2; shift ;;
	--tdvctl) tdvctl=$2; shift ;;
	--ko) ko=$2; shift ;;
	--scenarios) scenarios=$2; shift ;;
	--lib) vmlib=$2; shift ;;
	--init) vminit=$2; shift ;;
	--busybox) busybox=$2; shift ;;
	--extra) extras="$extras $2"; shift ;;
	--moddir) moddir=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "$me: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*)
		[ -z "$outfile" ] || { echo "$me: more than one OUTFILE" >&2; exit 2; }
		outfile=$1
		;;
	esac
	shift
done
[ -n "$outfile" ] || { usage >&2; exit 2; }

for t in cpio gzip python3 readelf; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' not found (run scripts/deps.sh)"
done

need_file() { # WHAT PATH HINT
	[ -f "$2" ] || die "$1 not found at '$2'${3:+ ($3)}"
}
need_file "tdvtrace binary" "$tdvtrace" "build it with make, or pass --tdvtrace / TDVTRACE"
need_file "tdvctl binary" "$tdvctl" "build it with make -C tests/kmod, or pass --tdvctl / TDVCTL"
need_file "simulator module" "$ko" "build it with make -C tests/kmod, or pass --ko / TDVSIM_KO"
need_file "scenario helpers" "$vmlib"
need_file "guest init" "$vminit"
need_file "busybox" "$busybox" "apt-get install busybox-static"
[ -d "$scenarios" ] || die "scenario folder '$scenarios' not found"
[ -n "$moddir" ] || moddir=/lib/modules/${KRELEASE:-$("$here/kernel-release.sh")}
[ -d "$moddir/kernel" ] || die "no kernel modules in '$moddir' (pass --moddir / KMODDIR or KRELEASE)"
if readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
	die "$busybox is dynamically linked; install busybox-static or pass --busybox"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
chmod 0755 "$stage"	# the guest's / (mktemp made it 0700)
umask 022

# Copy the shared libraries of a dynamic ELF into the stage.
copy_libs() { # BINARY
	readelf -l "$1" 2>/dev/null | grep -q 'program interpreter' || return 0
	echo "$me: warning: $1 is dynamically linked; copying its libraries" >&2
	ldd "$1" | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}' |
		while read -r lib; do
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
}

add() { # SRC DST MODE
	mkdir -p "$stage$(dirname "$2")"
	cp -L "$1" "$stage$2"
	chmod "$3" "$stage$2"
}

for d in bin sbin usr/bin usr/sbin lib etc proc sys tmp results run root mnt scenarios; do
	mkdir -p "$stage/$d"
done
chmod 1777 "$stage/tmp"

add "$busybox" /bin/busybox 0755
"$busybox" --list-full | while read -r applet; do
	case "$applet" in
	bin/busybox | "") continue ;;
	esac
	mkdir -p "$stage/$(dirname "$applet")"
	ln -sf /bin/busybox "$stage/$applet"
done
[ -e "$stage/bin/sh" ] || ln -s busybox "$stage/bin/sh"

add "$vminit" /init 0755
add "$tdvtrace" /bin/tdvtrace 0755
add "$tdvctl" /bin/tdvctl 0755
copy_libs "$tdvtrace"
copy_libs "$tdvctl"
add "$ko" /lib/tdvsim.ko 0644
add "$vmlib" /scenarios/lib.sh 0644

# KVM, in load order; .ko.xz/.ko.zst uncompressed for busybox insmod.
mkdir -p "$stage/lib/kvm"
for m in irqbypass kvm kvm-amd; do
	ko=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n 1)
	[ -n "$ko" ] || die "$m.ko not found under $moddir/kernel"
	case "$ko" in
	*.xz) xz -dc "$ko" > "$stage/lib/kvm/$m.ko" || die "cannot uncompress $ko (xz)" ;;
	*.zst) zstd -qdc "$ko" > "$stage/lib/kvm/$m.ko" || die "cannot uncompress $ko (zstd)" ;;
	*) cp "$ko" "$stage/lib/kvm/$m.ko" ;;
	esac
	echo "$m" >> "$stage/lib/kvm/order"
done
n=0
for s in "$scenarios"/*.sh; do
	[ -f "$s" ] || continue
	[ "$(basename "$s")" = lib.sh ] && continue
	add "$s" "/scenarios/$(basename "$s")" 0755
	n=$((n + 1))
done
[ "$n" -gt 0 ] || echo "$me: warning: no scenarios in $scenarios" >&2

for e in $extras; do
	src=${e%%:*}
	dst=${e#*:}
	[ "$dst" = "$e" ] && dst=/extra/$(basename "$src")
	case "$dst" in
	/*) ;;
	*) die "--extra $e: destination must be an absolute path" ;;
	esac
	need_file "extra file" "$src"
	if [ -x "$src" ]; then
		add "$src" "$dst" 0755
		copy_libs "$src"
	else
		add "$src" "$dst" 0644
	fi
done

cat > "$stage/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
PASSWD
cat > "$stage/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
echo tdvtest > "$stage/etc/hostname"

# Fixed timestamps: the same inputs give the same archive.
epoch=${SOURCE_DATE_EPOCH:-0}
find "$stage" -exec touch -h -d "@$epoch" {} +

mkdir -p "$(dirname "$outfile")"
tmpout="$outfile.tmp.$$"
{
	# /dev and /dev/console: the kernel opens the console for /init before
	# anything is mounted, and only root could mknod it in the stage.
	python3 - "$epoch" <<'PY'
import sys, os
mtime = int(sys.argv[1])
out = sys.stdout.buffer
def entry(ino, name, mode, rmaj=0, rmin=0):
    name = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, 1, mtime, 0, 0, 0, rmaj, rmin, len(name), 0))
    buf = hdr.encode() + name
    buf += b"\0" * (-len(buf) % 4)
    out.write(buf)
entry(1, "dev", 0o040755)
entry(2, "dev/console", 0o020600, 5, 1)
entry(3, "TRAILER!!!", 0)
out.flush()
PY
	(cd "$stage" && find . | LC_ALL=C sort |
		cpio -o -H newc --owner=0:0 --reproducible --quiet)
} | gzip -n -6 > "$tmpout"
mv "$tmpout" "$outfile"
echo "$me: wrote $outfile ($(($(wc -c < "$outfile") / 1024)) KiB, $n scenarios)"
