#!/bin/sh
# Two VMMs, one fd number, one segment: the patch keys kvmfd_xa by fd number
# alone, so the second VM gets the first one's trans_devid (alias), and its
# vIOMMU's destroy clears the DTE the first still uses (clear_while_shared).
. /scenarios/lib.sh
OUT=$1

sim_load
rm -f /tmp/p1ready /tmp/p2done
tdv_start alias leaks --json --grace-ms 200
tdvctl script - > "$OUT/ctl1.out" <<'S' &
vm X
viommu x1 X 0
touch /tmp/p1ready
wait /tmp/p2done
destroy x1
close X
S
p1=$!
tdvctl script - > "$OUT/ctl2.out" <<'S'
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
