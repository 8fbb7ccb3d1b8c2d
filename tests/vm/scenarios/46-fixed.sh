#!/bin/sh
# tdvsim fixed=1 clears a translate DTE only when its last ref goes: the
# patch's clear_while_shared reports disappear, and nothing else changes.
. /scenarios/lib.sh
OUT=$1
SIM_PARAMS=fixed=1

leaks_case shared <<'S'
vm A
viommu a1 A 0
viommu a2 A 1
destroy a1
destroy a2
close A
S
leaks_case stale <<'S'
vm A
viommu a1 A 2
fault skip_dte_clear
destroy a1
close A
S

# Two VMMs, one fd number, one segment: fixed, each VM has its own entry.
sim_load fixed=1
rm -f /tmp/p1ready /tmp/p2done
tdv_start alias leaks --json --grace-ms 200
tdvctl script - > "$OUT/alias1.ctl" <<'S' &
vm X
viommu x1 X 0
touch /tmp/p1ready
wait /tmp/p2done
destroy x1
close X
S
p1=$!
tdvctl script - > "$OUT/alias2.ctl" <<'S'
wait /tmp/p1ready
vm Y
viommu y1 Y 1
destroy y1
close Y
touch /tmp/p2done
S
wait $p1
sleep 1
tdv_stop alias INT
mv "$OUT/alias.out" "$OUT/alias.json"
