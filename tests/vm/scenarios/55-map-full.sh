#!/bin/sh
# BPF maps that fill up lose evidence: with --map-entries 2 the owners map
# has no room for the third live entry. The loss is said live and at the
# end, by why and event kind, and the leak injected before it is lossy.
# Then kprobes: their misses are counted from Linux 6.7's link info; before
# that the summary says they are not.
. /scenarios/lib.sh
OUT=$1

sim_load
tdv_start full leaks --json --grace-ms 200 --map-entries 2
tdvctl script - > "$OUT/full.ctl" <<'S'
vm A
vm B
vm C
viommu a1 A 0
viommu b1 B 0
viommu c1 C 0
fault skip_put
destroy a1
destroy b1
destroy c1
close A
close B
close C
S
sleep 2	# the loss is noticed, the grace period passes
tdv_stop full INT
mv "$OUT/full.out" "$OUT/full.json"

tdv_start kprobes trace --attach kprobe
tdvctl script - > "$OUT/kprobes.ctl" <<'S'
vm A
viommu a1 A 0
destroy a1
close A
S
sleep 1
tdv_stop kprobes INT
