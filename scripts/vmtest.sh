#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the VM tests: build the initramfs (scripts/mkinitramfs.sh), boot the
# Debian cloud kernel in QEMU (TCG, 2 vCPUs), let the guest's /init run the
# scenarios, bring /results back over the second serial port into
# OUT/vm-results/, and judge them with tests/vm/check.py.
#
# usage: scripts/vmtest.sh [options]
#   --out DIR         output folder          (env OUT, default .output)
#   --krelease R      kernel release to boot (env KRELEASE, default
#                     scripts/kernel-release.sh)
#   --kernel PATH     its bzImage (env VMTEST_KERNEL, default /boot/vmlinuz-R)
#   --moddir DIR      its modules (env KMODDIR, default /lib/modules/R),
#                     passed on to mkinitramfs.sh as KMODDIR
#   --tdvtrace PATH   (env TDVTRACE, default OUT/tdvtrace)
#   --tdvctl PATH     (env TDVCTL, default tests/kmod/tdvctl)
#   --ko PATH         (env TDVSIM_KO, default tests/kmod/tdvsim.ko)
#   --scenarios DIR   (env SCENARIOS, default tests/vm/scenarios)
#   --only NAME[,..]  run only these scenarios (env VMTEST_ONLY; patterns ok)
#   --demo            run the demo scenario, console live on stdout
#                     (env VMTEST_DEMO=1); exit status is the demo's
#   --timeout SECS    whole-VM limit (env VMTEST_TIMEOUT, default 900)
#   --scenario-timeout SECS   per-scenario limit in the guest
#                     (env VMTEST_SCENARIO_TIMEOUT, default 240)
#   --append ARGS     extra kernel command line (env VMTEST_APPEND)
#   --cpu MODEL       QEMU -cpu (env VMTEST_CPU, default max,-cx16: see below)
#   --accel ACCEL     QEMU -accel (env VMTEST_ACCEL, default tcg,thread=single:
#                     see below)
#   --drive IMG       attach IMG as a read-only virtio disk (/dev/vda in the
#                     guest, which must load virtio_blk itself; env VMTEST_DRIVE)
# Files: OUT/initramfs.cpio.gz, OUT/console.log (guest console),
# OUT/results.b64 (second serial port), OUT/vm-results/NAME/{log,rc,...}.
# Exit status: that of check.py (or the PASS/FAIL summary when check.py is
# absent); 1 when the guest hung, panicked or sent no results.
set -eu

me=vmtest.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

usage() {
	sed -n '3,35s/^# \{0,1\}//p' "$0"
}

out=${OUT:-$top/.output}
krelease=${KRELEASE:-}
kernel=${VMTEST_KERNEL:-}
moddir=${KMODDIR:-}
only=${VMTEST_ONLY:-}
demo=${VMTEST_DEMO:-0}
vm_timeout=${VMTEST_TIMEOUT:-900}
scen_timeout=${VMTEST_SCENARIO_TIMEOUT:-}
append_extra=${VMTEST_APPEND:-}
# QEMU 7.2's TCG (Debian 12) can leave garbage in EFLAGS after an unlocked
# CMPXCHG16B: 6.12's SLUB does one per allocation (this_cpu_try_cmpxchg128)
# and branches on its flags, and the guest dies of a stray single-step #DB
# within a minute. Without CX16 SLUB takes its lock-based path.
cpu=${VMTEST_CPU:-max,-cx16}
# One TCG thread for both vCPUs: with a thread per vCPU (MTTCG), a vCPU can
# still run a block translated before another vCPU's text_poke_bp() ended;
# 6.12 guests died of "Oops: int3" at a traced function's ftrace site while
# `hist` attached trampolines under a full-speed churn (2 of 3 runs). The
# vCPUs still interleave (the scheduler preempts between blocks), so churn
# from several processes still races as on a host.
accel=${VMTEST_ACCEL:-tcg,thread=single}
drive=${VMTEST_DRIVE:-}
tdvtrace=${TDVTRACE:-}
tdvctl=${TDVCTL:-}
ko=${TDVSIM_KO:-}
scenarios=${SCENARIOS:-}

while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift ;;
	--krelease) krelease=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--moddir) moddir=$2; shift ;;
	--tdvtrace) tdvtrace=$2; shift ;;
	--tdvctl) tdvctl=$2; shift ;;
	--ko) ko=$2; shift ;;
	--scenarios) scenarios=$2; shift ;;
	--only) only=$2; shift ;;
	--demo) demo=1 ;;
	--timeout) vm_timeout=$2; shift ;;
	--scenario-timeout) scen_timeout=$2; shift ;;
	--append) append_extra=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--accel) accel=$2; shift ;;
	--drive) drive=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "$me: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

die() {
	echo "$me: $*" >&2
	exit 1
}

case "$vm_timeout" in '' | *[!0-9]*) die "bad VM timeout '$vm_timeout' (seconds)" ;; esac
case "$scen_timeout" in *[!0-9]*) die "bad scenario timeout '$scen_timeout' (seconds)" ;; esac
case "$demo" in 1 | yes | true) demo=1 ;; *) demo=0 ;; esac

for t in qemu-system-x86_64 timeout base64 tar python3; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' not found (run scripts/deps.sh)"
done

[ -n "$krelease" ] || krelease=$("$here/kernel-release.sh")
[ -n "$kernel" ] || kernel=/boot/vmlinuz-$krelease
[ -n "$moddir" ] || moddir=/lib/modules/$krelease
[ -r "$kernel" ] || die "cannot read $kernel (installed? readable only by root?)"
[ -d "$moddir" ] || die "no modules folder $moddir for $krelease"
[ -z "$drive" ] || [ -r "$drive" ] || die "cannot read disk image '$drive'"

mkdir -p "$out"
out=$(cd "$out" && pwd)
initrd=$out/initramfs.cpio.gz
console=$out/console.log
serial=$out/results.b64
results=$out/vm-results

# mkinitramfs.sh takes its defaults from the same environment names.
[ -n "$tdvtrace" ] || tdvtrace=$out/tdvtrace
set -- --tdvtrace "$tdvtrace"
[ -z "$tdvctl" ] || set -- "$@" --tdvctl "$tdvctl"
[ -z "$ko" ] || set -- "$@" --ko "$ko"
[ -z "$scenarios" ] || set -- "$@" --scenarios "$scenarios"
OUT=$out KRELEASE=$krelease KMODDIR=$moddir "$here/mkinitramfs.sh" "$@" "$initrd"

append="console=ttyS0 panic=-1 oops=panic softlockup_panic=1 quiet loglevel=5"
[ -z "$only" ] || append="$append tdv.only=$only"
[ "$demo" = 0 ] || append="$append tdv.demo=1"
[ -z "$scen_timeout" ] || append="$append tdv.timeout=$scen_timeout"
[ -z "$append_extra" ] || append="$append $append_extra"

rm -rf "$results"
rm -f "$console" "$serial"
: > "$console"

echo "$me: booting $krelease (TCG, -cpu $cpu, 2 vCPUs, limit ${vm_timeout}s): $append"
start=$(date +%s)
timeout -k 10 "$vm_timeout" qemu-system-x86_64 \
	-machine q35 -accel "$accel" -cpu "$cpu" -m 2G -smp 2 \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	-display none -monitor none -nic none \
	${drive:+-drive} ${drive:+"file=$drive,format=raw,if=virtio,readonly=on"} \
	-serial "file:$console" -serial "file:$serial" \
	-no-reboot </dev/null >"$out/qemu.log" 2>&1 &
qpid=$!
# A background job ignores SIGINT: pass an interrupt on to QEMU ourselves.
trap 'kill "$qpid" 2>/dev/null; echo "$me: interrupted" >&2; exit 130' INT TERM HUP

# Follow the console while QEMU runs: all of it in demo mode, the init's
# progress lines otherwise.
if [ "$demo" = 1 ]; then
	filter='s/\r$//'
else
	filter='s/\r$//; /^tdv: /!d'
fi
tail -n +1 -s 0.2 --pid="$qpid" -F "$console" 2>/dev/null | sed -u "$filter" || true

qrc=0
wait "$qpid" || qrc=$?
trap - INT TERM HUP
secs=$(($(date +%s) - start))

# Results: between the markers on the second serial port (or, when the
# guest had no second port, on the console).
extract() { # FILE
	tr -d '\r' < "$1" |
		sed -n '/^=====TDV-RESULTS-BEGIN=====$/,/^=====TDV-RESULTS-END=====$/p'
}
payload=$out/results.payload
got=""
for f in "$serial" "$console"; do
	[ -s "$f" ] || continue
	extract "$f" > "$payload"
	if tail -n 1 "$payload" | grep -q '^=====TDV-RESULTS-END=====$'; then
		got=$f
		break
	fi
done

why=""
if [ -z "$got" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		why="the guest hung: no results within ${vm_timeout}s (QEMU killed)"
	elif grep -q -e 'Kernel panic' -e 'BUG:' -e 'Oops' "$console"; then
		why="the guest kernel panicked after ${secs}s"
	elif [ "$qrc" != 0 ]; then
		why="QEMU failed (exit status $qrc): $(tail -n 5 "$out/qemu.log")"
	else
		why="no results came back from the guest (${secs}s)"
	fi
else
	mkdir -p "$results"
	if ! sed '1d;$d' "$payload" | base64 -d | tar -xzf - -C "$results"; then
		why="the results from the guest are corrupt (see $payload)"
	fi
fi
if [ -n "$why" ]; then
	echo "$me: FAILED: $why" >&2
	echo "$me: last 60 lines of $console:" >&2
	tr -d '\r' < "$console" | tail -n 60 | sed 's/^/  | /' >&2
	exit 1
fi
rm -f "$payload"
[ "$qrc" = 0 ] || echo "$me: warning: QEMU exit status $qrc after the results came back" >&2
echo "$me: guest round trip ${secs}s (boot, scenarios, results); results in $results"

if [ "$demo" = 1 ]; then
	rc=$(cat "$results/demo/rc" 2>/dev/null || echo 1)
	echo "$me: demo exit status $rc"
	exit "$rc"
fi

if [ -f "$top/tests/vm/check.py" ]; then
	status=0
	python3 "$top/tests/vm/check.py" "$results" || status=$?
	exit "$status"
fi

passed=0
failed=0
for d in "$results"/*/; do
	[ -d "$d" ] || continue
	name=$(basename "$d")
	rc=$(cat "$d/rc" 2>/dev/null || echo missing)
	if [ "$rc" = 0 ]; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name: exit status $rc; log tail:"
		tail -n 20 "$d/log" 2>/dev/null | sed 's/^/      /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
