#!/bin/sh
# -p, --seg and --kvmfd keep exactly the matching events; -d stops on time.
. /scenarios/lib.sh
OUT=$1

sim_load
rm -f /tmp/go2
# P2 waits for its cue so its pid is known before the tracers start.
tdvctl script - > "$OUT/ctl2.out" <<'SCRIPT' &
wait /tmp/go2
vm Z
vm B
viommu b1 B 1
viommu b2 B 3
viommu z1 Z 0
destroy b1
destroy b2
destroy z1
close B
close Z
SCRIPT
pid2=$!
echo $pid2 > "$OUT/pid2"
tdv_start all trace --json
tdv_start pid trace --json -p $pid2
tdv_start seg trace --json --seg 1
tdv_start kvmfd trace --json --kvmfd 4
tdv_start seg_kvmfd trace --json --seg 0 --kvmfd 4
tdvctl script - > "$OUT/ctl1.out" <<'SCRIPT'
vm A
viommu a1 A 0
viommu a2 A 2
destroy a1
destroy a2
close A
SCRIPT
sed -n 's/^vm A kvmfd=\([0-9]*\).*/\1/p' "$OUT/ctl1.out" > "$OUT/kvmfd"
touch /tmp/go2
wait $pid2
for t in all pid seg kvmfd seg_kvmfd; do
	tdv_stop $t INT
	mv "$OUT/$t.out" "$OUT/$t.json"
done

# -d counts from when the probes are attached.
tdv_start duration trace -d 2
start=$(date +%s)
eval "wait \$TDV_PID_duration"
echo $? > "$OUT/duration.rc"
echo $(($(date +%s) - start)) > "$OUT/duration.secs"
