#!/bin/sh
# amd_viommu_init_one fails: the patch's err_init path undoes VF control and
# the DTE and puts the reference it took.
. /scenarios/lib.sh
OUT=$1

sim_load
tdv_start trace trace --json
tdvctl script - > "$OUT/ctl.out" <<'SCRIPT'
vm A
fault fail_init_one
viommu v1 A 0
close A
SCRIPT
tdv_stop trace INT
mv "$OUT/trace.out" "$OUT/trace.json"
