#!/bin/sh
# 2 VMs x 2 vIOMMUs on 2 segments, created and destroyed, traced in both
# attach modes and as text.
. /scenarios/lib.sh
OUT=$1

cat > /tmp/two-vms <<'SCRIPT'
vm A
vm B
viommu a1 A 0
viommu a2 A 1
viommu b1 B 2
viommu b2 B 3
destroy a1
destroy a2
destroy b1
destroy b2
close A
close B
SCRIPT

sim_load
for mode in fentry kprobe; do
	tdv_start trace_$mode trace --json --attach $mode
	tdvctl script /tmp/two-vms > "$OUT/ctl_$mode.out"
	tdv_stop trace_$mode INT
	mv "$OUT/trace_$mode.out" "$OUT/trace_$mode.json"
done
tdv_start trace_text trace
tdvctl script /tmp/two-vms > /dev/null
tdv_stop trace_text INT
