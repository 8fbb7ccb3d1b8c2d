#!/bin/sh
# Forced loss: a 4 KiB ring buffer and a stalled reader while VMs churn. The
# leak injected around the stall is still reported, marked lossy; no report
# claims to be exact when events were lost; tdvtrace does not crash.
. /scenarios/lib.sh
OUT=$1

sim_load
rm -f /tmp/l1 /tmp/go
: > /tmp/churn
i=0
while [ $i -lt 40 ]; do
	printf 'vm V%d\nviommu v%d V%d 1\ndestroy v%d\nclose V%d\n' $i $i $i $i $i >> /tmp/churn
	i=$((i + 1))
done
tdv_start lossy leaks --json --grace-ms 200 --ringbuf-kb 4
tdvctl script - > "$OUT/ctl1.out" <<'S' &
vm L
viommu l1 L 2
touch /tmp/l1
wait /tmp/go
fault skip_put
destroy l1
close L
S
p1=$!
wait_file /tmp/l1
sleep 1	# l1's events reach tdvtrace before the stall
kill -STOP $TDV_PID_lossy
tdvctl script /tmp/churn > "$OUT/churn.out"
kill -CONT $TDV_PID_lossy
sleep 2	# the loss is noticed
touch /tmp/go
wait $p1
sleep 1
tdv_stop lossy INT
mv "$OUT/lossy.out" "$OUT/lossy.json"
