#!/bin/sh
# tdvtrace top -b: started while VMs are live (their entries found by
# discovery), its snapshots list exactly the entries the kernel's kvmfd_xa
# holds (tdvctl state), with refs, vIOMMUs, owner and ids per segment.
. /scenarios/lib.sh
OUT=$1

sim_load
rm -f /tmp/ready /tmp/done
tdvctl script - > "$OUT/ctl.out" <<'S' &
vm A
vm B
viommu a1 A 0
viommu a2 A 1
viommu b1 B 2
state 0
state 1
touch /tmp/ready
wait /tmp/done
destroy a1
destroy a2
destroy b1
S
ctl=$!
echo $ctl > "$OUT/ctl.pid"
wait_file /tmp/ready
tdv_start top top --json 1 3
tdv_start toptext top -b 1 3
eval "wait \$TDV_PID_top"
echo $? > "$OUT/top.rc"
eval "wait \$TDV_PID_toptext"
echo $? > "$OUT/toptext.rc"
touch /tmp/done
wait $ctl
mv "$OUT/top.out" "$OUT/top.json"
