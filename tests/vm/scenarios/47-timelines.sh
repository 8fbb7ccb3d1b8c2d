#!/bin/sh
# tdvtrace leaks --timelines=all: the report carries its entry's timeline and
# every entry's timeline is printed as it closes; text form too.
. /scenarios/lib.sh
OUT=$1

sim_load
cat > /tmp/tl.script <<'S'
vm A
viommu a1 A 0
viommu a2 A 1
destroy a1
destroy a2
close A
S
tdv_start tl leaks --json --timelines=all --grace-ms 200
tdvctl script /tmp/tl.script > "$OUT/tl.ctl"
sleep 1
tdv_stop tl INT
mv "$OUT/tl.out" "$OUT/tl.json"
tdv_start tltext leaks --timelines --grace-ms 200
tdvctl script /tmp/tl.script > /dev/null
sleep 1
tdv_stop tltext INT
