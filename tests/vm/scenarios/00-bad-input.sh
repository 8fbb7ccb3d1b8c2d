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
# Numbers are decimal: -p 08 is pid 8 (read as octal it is refused), so the
# error is the next option's.
run_case octal_pid tdvtrace trace -p 08 --kvmfd x
run_case hexseg tdvtrace trace --seg 0x1
# Options a command would ignore are refused.
run_case probes_seg tdvtrace probes --seg 1
run_case probes_duration tdvtrace probes -d 1
run_case top_batch_json tdvtrace top -b --json
run_case report_svg_json tdvtrace report /nonexistent.rec --format svg --json
run_case report_events_grace tdvtrace report /nonexistent.rec --format events --grace-ms 5
run_case report_svg_ms tdvtrace report /nonexistent.rec --format svg -m
run_case report_nohist_unit tdvtrace report /nonexistent.rec --no-hist -n
run_case report_perfetto_timelines tdvtrace report /nonexistent.rec --format perfetto --timelines
run_case top_interval tdvtrace top 0
run_case hist_interval tdvtrace hist 0
run_case top_count tdvtrace top 1 4294967296
run_case hist_count tdvtrace hist 1 4294967296
