#!/bin/sh
# Two VMMs whose VMs have the same kvmfd number: two different vm values.
. /scenarios/lib.sh
OUT=$1

sim_load
rm -f /tmp/p1ready /tmp/p2done
tdv_start trace trace --json
tdvctl script - > "$OUT/ctl1.out" <<'SCRIPT' &
vm X
viommu x1 X 0
touch /tmp/p1ready
wait /tmp/p2done
destroy x1
close X
SCRIPT
p1=$!
tdvctl script - > "$OUT/ctl2.out" <<'SCRIPT'
wait /tmp/p1ready
vm Y
viommu y1 Y 2
touch /tmp/p2done
destroy y1
close Y
SCRIPT
wait $p1
tdv_stop trace INT
mv "$OUT/trace.out" "$OUT/trace.json"
