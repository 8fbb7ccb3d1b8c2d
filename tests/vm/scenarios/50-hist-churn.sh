#!/bin/sh
# tdvtrace hist against the driver's ground truth: churn from 3 VMMs at once
# (not serialized: each call is counted where it returns, so concurrency
# cannot blur the counts), with faults so gets fail and pools run full. The
# histograms' counts per function, segment and outcome must equal what the
# simulator counted; in fentry and in kprobe mode.
. /scenarios/lib.sh
OUT=$1

for mode in fentry kprobe; do
	sim_load
	tdv_start "$mode" hist --json --per-seg --attach "$mode"
	tdvctl churn --vms 300 --viommus 3 --seed 11 --procs 3 --fault-rate 10 > /dev/null
	echo truth | tdvctl script - > "$OUT/$mode.truth.json"
	tdv_stop "$mode" INT
	mv "$OUT/$mode.out" "$OUT/$mode.json"
	sim_unload
done
