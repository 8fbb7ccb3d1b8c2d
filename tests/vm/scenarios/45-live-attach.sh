#!/bin/sh
# Live attach: VMs with vIOMMUs exist before tdvtrace starts. It finds their
# entries with their true refcounts; their later puts are no unbalanced_put;
# churn of new VMs gives no report; a pre-existing VM made to leak is caught.
. /scenarios/lib.sh
OUT=$1

sim_load
# Fillers first: A and B sit at fd numbers the churn below never reaches.
vmm_start pre <<'S'
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
pause
fault skip_put
destroy b1
close B
destroy a1
destroy a2
close A
S
echo "$VMM_PID_pre" > "$OUT/p1.pid"
tdv_start live leaks --json --grace-ms 200
tdvctl churn --vms 50 --viommus 2 --seed 3 --procs 1 --one-per-seg
vmm_resume pre
sleep 1
tdv_stop live INT
mv "$OUT/live.out" "$OUT/live.json"
