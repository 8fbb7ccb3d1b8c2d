#!/bin/sh
# [interval [count]]: "hist 1 3" prints three one-second intervals and exits
# by itself, three intervals after it attached, while a churn keeps running; the
# intervals' counts add up to no more than the churn made. -T stamps each.
. /scenarios/lib.sh
OUT=$1

sim_load
tdvctl churn --vms 100000 --viommus 2 --seed 5 --procs 1 > /dev/null 2>&1 &
start=$(date +%s)
run_case interval tdvtrace hist --json -T 1 3
end=$(date +%s)
echo $((end - start)) > "$OUT/interval.secs"
run_case bad_interval tdvtrace hist 0
run_case bad_count tdvtrace hist 1 x
run_case bad_kvmfd tdvtrace hist --kvmfd 3
killall tdvctl 2>/dev/null || true
wait
