#!/bin/sh
# Bad input: every case gives its one-line error and exit status.
. /scenarios/lib.sh
OUT=$1

run_case nomod_probes tdvtrace probes
run_case nomod_trace tdvtrace trace -d 1

sim_load
run_case nonroot su -s /bin/sh nobody -c "tdvtrace trace -d 1"
mount -t tmpfs none /sys/kernel/btf	# a kernel without BTF
run_case nobtf tdvtrace trace -d 1
umount /sys/kernel/btf
run_case badflag tdvtrace trace --bogus
run_case badseg tdvtrace trace --seg x1
run_case badkvmfd tdvtrace trace --kvmfd -3
run_case badpid tdvtrace trace -p 0
run_case badattach tdvtrace probes --attach uprobe
run_case badcmd tdvtrace frobnicate
