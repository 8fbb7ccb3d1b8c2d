#!/bin/sh
# amd_viommu_init_one fails: its own err_out runs amd_viommu_uninit_one (VF
# control and the DTE of devid 0, the vIOMMU having no trans_devid yet), then
# the patch's err_init path undoes VF control and
# the DTE and puts the reference it took. Then tdvtrace leaks on two such
# failures: the driver's clear of DTE 0 is said once (driver_dte0).
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

# The copy of the vIOMMU data back to the user fails after amd_viommu_init_one
# succeeded: err_init alone (no uninit), -EFAULT.
tdv_start trace_copy trace --json
tdvctl script - > "$OUT/ctl_copy.out" <<'SCRIPT'
vm A
fault fail_copy_out
viommu v1 A 0
close A
SCRIPT
tdv_stop trace_copy INT
mv "$OUT/trace_copy.out" "$OUT/trace_copy.json"

# tdvtrace leaks over two failed inits and a good one: the driver's clear of
# DTE 0 is reported once, as the driver's, and nothing else.
tdv_start leaks leaks --json --grace-ms 200
tdvctl script - > "$OUT/ctl_leaks.out" <<'SCRIPT'
vm A
fault fail_init_one
viommu v1 A 0
fault fail_init_one
viommu v2 A 2
viommu v3 A 0
destroy v3
close A
SCRIPT
sleep 1
tdv_stop leaks INT
mv "$OUT/leaks.out" "$OUT/leaks.json"
