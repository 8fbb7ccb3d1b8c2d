#!/bin/sh
# tdvtrace leaks --stacks: a leaked ref comes with the kernel stack and the
# VMM's user stack of the get that took it, symbolized although the VMM has
# exited before the report is printed (the report waits out the grace).
. /scenarios/lib.sh
OUT=$1

sim_load
tdv_start stacks leaks --json --stacks --grace-ms 200
# The VMM lives on a while after the get, as a real one does; then it
# leaks the ref and exits.
tdvctl script - > "$OUT/stacks.ctl" <<'S'
vm A
viommu a1 A 0
sleep 500
fault skip_put
destroy a1
close A
S
echo $? > "$OUT/stacks.ctl.rc"
sleep 1
tdv_stop stacks INT
mv "$OUT/stacks.out" "$OUT/stacks.json"
tdv_start stackstext leaks --stacks --grace-ms 200
tdvctl script - > /dev/null <<'S'
vm A
viommu a1 A 2
sleep 500
fault skip_put
destroy a1
close A
S
sleep 1
tdv_stop stackstext INT
# The same through kprobes: a kretprobe's stacks, no tdvtrace frames either.
tdv_start stackskp leaks --json --stacks --attach kprobe --grace-ms 200
tdvctl script - > /dev/null <<'S'
vm A
viommu a1 A 1
sleep 500
fault skip_put
destroy a1
close A
S
sleep 1
tdv_stop stackskp INT
mv "$OUT/stackskp.out" "$OUT/stackskp.json"
