#!/bin/sh
# The driver's get_kvm_handler fdgets the kvmfd and never fdputs. In a
# multi-threaded VMM (shared fd table) that fdget took a reference, so the
# VM file is never released and KVM never runs kvm_destroy_vm, even after a
# clean shutdown (vIOMMUs destroyed, VM fds closed, exit). Cases:
#   threads  2 idle threads, unfixed: both VMs leak
#   fixed    2 idle threads, fixed=1 (fdput): both VMs destroyed
#   single   no threads, unfixed (fdget borrowed, nothing to leak): destroyed
# Per case: tdvtrace trace --json (CASE.json) and leaks --json
# (CASE_leaks.json) over the run, tdvctl's truth (CASE.truth) and the
# simulator's counters after it (CASE.counts).
. /scenarios/lib.sh
OUT=$1

cat > /tmp/vm-leak.script <<'S'
vm A
vm B
viommu a1 A 0
viommu a2 A 2
viommu b1 B 1
destroy a1
destroy a2
destroy b1
close A
S
# B is closed by the exit.

run() { # CASE SIM_PARAMS TDVCTL_OPTIONS
	# shellcheck disable=SC2086 # parameters are words
	sim_load $2
	tdv_start "$1" trace --json
	tdv_start "$1_leaks" leaks --json --grace-ms 200
	# shellcheck disable=SC2086
	tdvctl --truth "$OUT/$1.truth" $3 script /tmp/vm-leak.script > "$OUT/$1.ctl" ||
		fail "$1: tdvctl failed"
	sleep 1	# kvm_destroy_vm (if any) and the grace period, traced
	echo truth | tdvctl script - > "$OUT/$1.counts"
	tdv_stop "$1" INT
	tdv_stop "$1_leaks" INT
	mv "$OUT/$1.out" "$OUT/$1.json"
	mv "$OUT/$1_leaks.out" "$OUT/$1_leaks.json"
	sim_unload
}

run threads "" "--threads 2"
run fixed fixed=1 "--threads 2"
run single "" ""
