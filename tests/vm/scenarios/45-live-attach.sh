#!/bin/sh
# Live attach: VMs with vIOMMUs exist before tdvtrace starts. It finds their
# entries with their true refcounts; their later puts are no unbalanced_put;
# churn of new VMs gives no report; a pre-existing VM made to leak is caught.
. /scenarios/lib.sh
OUT=$1

sim_load
rm -f /tmp/ready /tmp/go
# Fillers first: A and B sit at fd numbers the churn below never reaches.
tdvctl script - > "$OUT/ctl.out" <<'S' &
vm D0
vm D1
vm D2
vm D3
vm D4
vm D5
vm A
viommu a1 A 0
viommu a2 A 2
vm B
viommu b1 B 1
touch /tmp/ready
wait /tmp/go
fault skip_put
destroy b1
close B
destroy a1
destroy a2
close A
S
p1=$!
echo $p1 > "$OUT/p1.pid"
wait_file /tmp/ready
tdv_start live leaks --json --grace-ms 200
tdvctl churn --vms 50 --viommus 2 --seed 3 --procs 1 --one-per-seg
touch /tmp/go
wait $p1
sleep 1
tdv_stop live INT
mv "$OUT/live.out" "$OUT/live.json"
