#!/bin/sh
# Random churn with faults at random rates: 3 VMMs, 400 VMs, a fault armed
# before 10% of vIOMMU creates and destroys. The reports tdvtrace makes equal
# what the driver's ground truth says fired (and its own hazard counts).
# The churn's seed is 11, or tdv.seed=N on the kernel command line (make soak).
. /scenarios/lib.sh
OUT=$1
SEED=11
for w in $(cat /proc/cmdline); do
	case $w in tdv.seed=*) SEED=${w#tdv.seed=} ;; esac
done
echo "$SEED" > "$OUT/seed"

sim_load
tdv_start faults leaks --json --grace-ms 300
tdvctl --truth "$OUT/faults.truth" churn --vms 400 --viommus 3 --seed "$SEED" --procs 3 \
	--serialize --fault-rate 10
sleep 1
echo truth | tdvctl script - > "$OUT/faults.counts.json"
tdv_stop faults INT
mv "$OUT/faults.out" "$OUT/faults.json"
