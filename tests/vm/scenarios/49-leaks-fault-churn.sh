#!/bin/sh
# Random churn with faults at random rates: 3 VMMs, 400 VMs, a fault armed
# before 10% of vIOMMU creates and destroys. The reports tdvtrace makes equal
# what the driver's ground truth says fired (and its own hazard counts).
. /scenarios/lib.sh
OUT=$1

sim_load
tdv_start faults leaks --json --grace-ms 300
tdvctl --truth "$OUT/faults.truth" churn --vms 400 --viommus 3 --seed 11 --procs 3 \
	--serialize --fault-rate 10
sleep 1
echo truth | tdvctl script - > "$OUT/faults.counts.json"
tdv_stop faults INT
mv "$OUT/faults.out" "$OUT/faults.json"
