#!/bin/sh
# A kvmfd number reused after close is a new entry: gen + 1.
. /scenarios/lib.sh
OUT=$1

sim_load
tdv_start trace trace --json
tdvctl script - > "$OUT/ctl.out" <<'SCRIPT'
vm A
viommu a1 A 0
destroy a1
close A
vm B
viommu b1 B 0
destroy b1
close B
SCRIPT
tdv_stop trace INT
mv "$OUT/trace.out" "$OUT/trace.json"
