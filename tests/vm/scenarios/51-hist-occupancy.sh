#!/bin/sh
# The allocator scans down from 0xffff, so id_alloc's cost grows with the
# taken ids above the one it finds. Fill the top of segment 0 step by step
# (reserving 16, then 256, then 4096 ids) and allocate after each step: the
# id_alloc histograms land in the occupancy classes 0 -> 1, 16 -> 31,
# 256 -> 511 and 4096 -> 8191, one call each; a full pool (fault) is "full".
# Also -n/-m units and the text output.
. /scenarios/lib.sh
OUT=$1

sim_load
tdv_start occ hist --json --per-seg -n
tdv_start text hist -m
tdvctl script - > "$OUT/ctl.out" <<'S'
vm A
viommu a0 A 0
destroy a0
fill 0 16
viommu a1 A 0
destroy a1
fill 0 256
viommu a2 A 0
destroy a2
fill 0 4096
viommu a3 A 0
destroy a3
fault fail_alloc_enospc
viommu a4 A 1
close A
S
tdv_stop occ INT
tdv_stop text INT
mv "$OUT/occ.out" "$OUT/occ.json"
