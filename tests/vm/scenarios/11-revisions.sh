#!/bin/sh
# Kernels tdvtrace cannot trace, each told in one line with exit status 1:
# other revisions of the trans_devid series and the supported one with a
# traced function or a read field changed (/lib/rev/tdvrev_*.ko, loaded
# instead of tdvsim, one at a time); a kernel without a kprobe PMU; and one
# whose /proc/kallsyms lists no data symbols (no CONFIG_KALLSYMS_ALL).
. /scenarios/lib.sh
OUT=$1

sim_unload
run_case none_probes tdvtrace probes	# no AMD IOMMU driver at all
for m in pervi reloc vmm sig field; do
	insmod /lib/rev/tdvrev_$m.ko || fail "insmod tdvrev_$m failed"
	run_case ${m}_probes tdvtrace probes
	run_case ${m}_trace tdvtrace trace -d 1
	rmmod tdvrev_$m || fail "rmmod tdvrev_$m failed"
done
probes_gone after_revisions

sim_load
# No kprobe PMU: an empty folder where perf lists its PMUs.
mount -t tmpfs none /sys/bus/event_source/devices
run_case nokprobe_auto tdvtrace probes --json
run_case nokprobe_kprobe tdvtrace probes --attach kprobe
run_case nokprobe_trace_kprobe tdvtrace trace --attach kprobe -d 1
umount /sys/bus/event_source/devices

# No data symbols in kallsyms: vmlinux's and the segment list (which a
# built-in driver would have in vmlinux) left out.
awk '!($2 ~ /^[dDbB]$/ && (NF == 3 || $3 == "amd_iommu_pci_seg_list"))' /proc/kallsyms \
	> /tmp/kallsyms.text
mount -o bind /tmp/kallsyms.text /proc/kallsyms || fail "cannot bind over /proc/kallsyms"
run_case noksymall_trace tdvtrace trace -d 1
umount /proc/kallsyms
run_case ksymall_trace tdvtrace trace -d 1
sim_unload
