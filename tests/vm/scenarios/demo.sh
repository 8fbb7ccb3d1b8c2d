#!/bin/sh
# make demo: VM churn from two VMM processes with one injected leak (a
# vIOMMU destroy that skips its put), traced live on the console.
. /scenarios/lib.sh

sim_load
echo "==> tdvtrace probes"
tdvtrace probes
echo
echo "==> tdvtrace trace, while 2 VMMs churn 6 VMs; one vIOMMU destroy skips its put"
tdvtrace leaks > /tmp/leaks.out 2>/tmp/leaks.err &
leaks=$!
tdvtrace trace 2>/tmp/demo.err &
tracer=$!
wait_for_line /tmp/leaks.err "tdvtrace: attached" 60
wait_for_line /tmp/demo.err "tdvtrace: attached" 60
cat /tmp/demo.err
tdvctl script - <<'SCRIPT' >/dev/null
fault skip_put 1
SCRIPT
tdvctl churn --vms 6 --viommus 2 --seed 7 --procs 2 >/dev/null
sleep 1
kill -INT $tracer $leaks
wait $tracer
tail -n 1 /tmp/demo.err
wait $leaks
rc=$?
echo
echo "==> tdvtrace leaks, which ran alongside (exit status $rc: 3 = found something)"
cat /tmp/leaks.out
echo
echo "==> what the kernel's kvmfd_xa still holds (the leaked entry)"
tdvctl script - <<'SCRIPT'
state 0
state 1
SCRIPT
