#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark suite (make bench; make bench-smoke runs it with --smoke).
# On the host: the userspace pipeline's throughput (bench/model_bench, one
# core) and its instructions per event (callgrind). In one guest boot
# (scripts/vmtest.sh with bench/guest.sh as the only scenario): overhead
# per traced call, start-up, memory. Then bench/report.py prints the table
# and writes the report.
#
# usage: bench/run.sh [--smoke] [--out DIR] [--report FILE]
#   --smoke         tiny sizes, one round, no bpftrace image unless
#                   BENCH_BPFTRACE=1; the report goes to DIR/smoke/, not
#                   over BENCHMARKS.md (env BENCH_SMOKE=1)
#   --out DIR       binaries and work folder (env OUT, default .output/bench)
#   --report FILE   where the report goes (default BENCHMARKS.md at the top)
# Inputs: TDVTRACE (default .output/tdvtrace), TDVCTL, TDVSIM_KO, KRELEASE as
# for scripts/vmtest.sh; DIR/floor, startup, progstats, model_bench (make
# builds them). Sizes can be overridden: BENCH_ROUNDS, BENCH_PAIRS_HOLD,
# BENCH_PAIRS_FRESH, BENCH_STARTUP_TRIES, BENCH_CHURN_TOTAL,
# BENCH_CHURN_CHUNK, BENCH_MODEL_EVENTS, BENCH_CG_EVENTS, BENCH_VARIANTS.
# Exit status 0 when every measurement ran (goals missed are no failure).
set -eu

me=run.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

die() {
	echo "$me: $*" >&2
	exit 1
}

smoke=${BENCH_SMOKE:-0}
out=${OUT:-$top/.output/bench}
report=""
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1 ;;
	--out) out=$2; shift ;;
	--report) report=$2; shift ;;
	-h | --help) sed -n '3,23s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$me: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case "$smoke" in 1 | yes | true) smoke=1 ;; *) smoke=0 ;; esac

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ "$smoke" = 1 ]; then
	work=$out/smoke
	: "${report:=$work/BENCHMARKS.md}"
	rounds=1 hold=2000 fresh=200 diag_div=1 tries=1 churn_total=200 churn_chunk=100
	model_events=100000 model_runs=1 cg_events=20000 vm_timeout=900
	want_bpftrace=${BENCH_BPFTRACE:-0}
else
	work=$out/run
	: "${report:=$top/BENCHMARKS.md}"
	# A round is about 1 s untraced for each mode under TCG.
	rounds=7 hold=1000000 fresh=64000 diag_div=10 tries=5 churn_total=100000 churn_chunk=10000
	model_events=10000000 model_runs=3 cg_events=1000000 vm_timeout=5400
	want_bpftrace=${BENCH_BPFTRACE:-1}
fi
rounds=${BENCH_ROUNDS:-$rounds}
hold=${BENCH_PAIRS_HOLD:-$hold}
fresh=${BENCH_PAIRS_FRESH:-$fresh}
tries=${BENCH_STARTUP_TRIES:-$tries}
churn_total=${BENCH_CHURN_TOTAL:-$churn_total}
churn_chunk=${BENCH_CHURN_CHUNK:-$churn_chunk}
model_events=${BENCH_MODEL_EVENTS:-$model_events}
cg_events=${BENCH_CG_EVENTS:-$cg_events}
variants=${BENCH_VARIANTS:-untraced kprobe fentry trace hist bpftrace bpftrace-quiet}

for f in floor startup progstats model_bench; do
	[ -x "$out/$f" ] || die "$out/$f missing (make bench builds it)"
done
for t in python3 valgrind; do
	command -v "$t" >/dev/null 2>&1 || die "'$t' not found (run scripts/deps.sh)"
done
[ -n "${KRELEASE:-}" ] || KRELEASE=$("$top/scripts/kernel-release.sh")
TDVTRACE=${TDVTRACE:-$top/.output/tdvtrace}
export KRELEASE TDVTRACE

rm -rf "$work"
mkdir -p "$work/scenarios" "$work/host"
start=$(date +%s)

# Other guests on this host would skew the figures: note how many run
# (QEMU processes, this benchmark's own included) and the load average.
while :; do
	echo "$(pgrep -c -x qemu-system-x86 || true) $(cut -d' ' -f1 /proc/loadavg)"
	sleep 10
done > "$work/host/load.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null' EXIT
trap 'exit 130' INT TERM HUP

# --- 2. userspace throughput, on the host ------------------------------------
# One core (taskset), the median of model_runs runs; callgrind counts the
# instructions of feed_batch() alone.
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
echo "$me: pipeline throughput: $model_runs x $model_events events on one core"
i=0
while [ $i -lt "$model_runs" ]; do
	i=$((i + 1))
	$pin "$out/model_bench" --events "$model_events" >> "$work/host/model.ndjson"
done
echo "$me: callgrind: $cg_events events"
(cd "$work/host" && valgrind --tool=callgrind --callgrind-out-file=callgrind.out \
	--collect-atstart=no --toggle-collect=feed_batch \
	"$out/model_bench" --events "$cg_events" > callgrind.json 2> callgrind.log) ||
	die "callgrind failed: $(tail -n 5 "$work/host/callgrind.log")"

# --- the guest -----------------------------------------------------------------
drive=""
extras=""
if [ "$want_bpftrace" = 1 ]; then
	if "$here/bpftrace-image.sh" "$out/bpftrace.img" > "$work/host/bpftrace-image.log" 2>&1; then
		cat "$work/host/bpftrace-image.log"
		drive=$out/bpftrace.img
		# virtio_pci (the q35 transport) and virtio_blk, each after what it
		# needs: modules.dep lists every dependency, to be loaded last first.
		moddir=/lib/modules/$KRELEASE
		: > "$work/modules"
		for m in virtio_pci virtio_blk; do
			line=$(grep "/$m.ko:" "$moddir/modules.dep") ||
				die "$m.ko is not in $moddir/modules.dep"
			# shellcheck disable=SC2086 # paths, one a word
			for ko in $(printf '%s\n' ${line#*:} | sed '1!G;h;$!d') "${line%%:*}"; do
				name=$(basename "$ko" .ko)
				grep -qx "$name" "$work/modules" && continue
				[ -f "$moddir/$ko" ] || die "$moddir/$ko not found"
				extras="$extras $moddir/$ko:/bench/$name.ko"
				echo "$name" >> "$work/modules"
			done
		done
		extras="$extras $work/modules:/bench/modules"
	else
		echo "$me: warning: no bpftrace image, bpftrace shows as n/a:" >&2
		tail -n 5 "$work/host/bpftrace-image.log" >&2
	fi
fi
cat > "$work/bench.conf" <<EOF
ROUNDS=$rounds
PAIRS_HOLD=$hold
PAIRS_FRESH=$fresh
DIAG_DIV=$diag_div
STARTUP_TRIES=$tries
CHURN_TOTAL=$churn_total
CHURN_CHUNK=$churn_chunk
VARIANTS="$variants"
EOF
cp "$here/guest.sh" "$work/scenarios/bench.sh"
for f in floor startup progstats; do
	extras="$extras $out/$f:/bench/$f"
done
extras="$extras $work/bench.conf:/bench/bench.conf"

echo "$me: guest: $rounds round(s), $hold hold / $fresh fresh pairs, variants: $variants"
status=0
EXTRA_FILES="$extras" "$top/scripts/vmtest.sh" --out "$work/vm" --scenarios "$work/scenarios" \
	--timeout "$vm_timeout" --scenario-timeout "$vm_timeout" ${drive:+--drive "$drive"} ||
	status=$?
results=$work/vm/vm-results/bench
[ -d "$results" ] || die "the guest sent no bench results (see $work/vm/console.log)"
[ "$status" = 0 ] || echo "$me: the guest part failed (status $status); reporting what it measured" >&2

secs=$(($(date +%s) - start))
set -- --guest "$results" --host "$work/host" --seconds "$secs" --out "$report"
[ "$smoke" = 0 ] || set -- "$@" --smoke
rstatus=0
python3 "$here/report.py" "$@" || rstatus=$?
[ "$rstatus" = 0 ] || die "report.py failed (status $rstatus)"
if [ "$status" != 0 ]; then
	echo "$me: FAILED: see $results/log" >&2
	tail -n 20 "$results/log" >&2 || true
	exit 1
fi
echo "$me: $([ "$smoke" = 1 ] && echo "bench-smoke: ")every measurement ran in ${secs}s; report in $report"
