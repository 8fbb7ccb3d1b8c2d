#!/bin/sh
# tdvtrace leaks --stacks: a leaked ref comes with the kernel stack and the
# VMM's user stack of the get that took it, symbolized.
. /scenarios/lib.sh
OUT=$1

sim_load
tdv_start stacks leaks --json --stacks --grace-ms 200
# The VMM stays alive past the report, as a real one would.
tdvctl script - > "$OUT/stacks.ctl" <<'S' &
vm A
viommu a1 A 0
fault skip_put
destroy a1
close A
sleep 3000
S
ctl=$!
sleep 2
tdv_stop stacks INT
wait $ctl
mv "$OUT/stacks.out" "$OUT/stacks.json"
tdv_start stackstext leaks --stacks --grace-ms 200
tdvctl script - > /dev/null <<'S' &
vm A
viommu a1 A 2
fault skip_put
destroy a1
close A
sleep 3000
S
ctl=$!
sleep 2
tdv_stop stackstext INT
wait $ctl
