# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Helpers for the guest scenarios, sourced as /scenarios/lib.sh by
#   sh /scenarios/NAME.sh OUTDIR
# tdvtrace and tdvctl are on PATH (/bin); the module is /lib/tdvsim.ko.
#
#   sim_load [PARAM=VALUE...]    insmod the simulator, wait for /dev/tdvsim;
#                                its trans_devid symbols (which statics the
#                                compiler kept) to $OUT/kallsyms.trans_devid
#   sim_unload                   rmmod it (retrying while references drain)
#   run_case NAME CMD [ARGS...]  run CMD: stdout $OUT/NAME.out, stderr
#                                $OUT/NAME.err, exit status $OUT/NAME.rc;
#                                a program is SIGKILLed (137) after
#                                RUN_CASE_TIMEOUT seconds (default 120)
#   tdv_start NAME ARGS...       tdvtrace ARGS in the background: stdout
#                                $OUT/NAME.out, stderr $OUT/NAME.err, pid in
#                                $TDV_PID_NAME; returns once it is attached
#   tdv_stop NAME [SIG]          send SIG (default INT), wait, exit status
#                                in $OUT/NAME.rc (and $TDV_RC)
#   tdv_bg FILE ARGS...          tdvtrace ARGS in the background: stdout FILE,
#                                stderr FILE.err, pid in $TDV_PID
#   tdv_stop                     (no NAME) stop the last tdv_bg: exit status
#                                in FILE.rc (and $TDV_RC)
#   wait_for_line FILE PATTERN [SECS]  poll until FILE has a line matching
#                                the grep PATTERN (default 20 s); 1 if not
#   probes_gone WHEN             save enabled_functions and kprobe_events to
#                                $OUT/enabled_WHEN, $OUT/kprobe_events_WHEN
#                                (waits up to 5 s for probes to go first)
#   leaks_case NAME < SCRIPT     tdvctl SCRIPT under tdvtrace leaks --json:
#                                $OUT/NAME.json, .err, .rc, .ctl
#   wait_file PATH [SECS]        until PATH exists (30 s); 1 if it never does
#   two_vmms_one_fd NAME         two VMMs, one fd number, one segment, under
#                                tdvtrace leaks: $OUT/NAME.json, .ctl1, .ctl2
#   vmm_start NAME < SCRIPT      a VMM: tdvctl runs SCRIPT (stdout
#                                $OUT/NAME.ctl, pid in $VMM_PID_NAME) in the
#                                background up to its line "pause", and
#                                vmm_start returns once it is there
#   vmm_resume NAME              let it run on from "pause"; wait for it
#   fail MSG                     print MSG to stderr and exit 1
#
# "Attached" means tdvtrace printed a line containing "tdvtrace: attached"
# on its standard error; tdv_start/tdv_bg give up after TDV_ATTACH_TIMEOUT
# seconds (default 20) or when tdvtrace exits first, and then return 1.
# All helpers work in scenarios that use set -e.

OUT=${1:-${OUT:-/tmp}}
TRACEFS=/sys/kernel/tracing
[ -e $TRACEFS/kprobe_events ] || TRACEFS=/sys/kernel/debug/tracing
SIM_KO=${SIM_KO:-/lib/tdvsim.ko}
TDV_ATTACH_TIMEOUT=${TDV_ATTACH_TIMEOUT:-20}
RUN_CASE_TIMEOUT=${RUN_CASE_TIMEOUT:-120}
TDV_PID=""
TDV_FILE=""
TDV_RC=""

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

log() {
	echo "lib: $*" >&2
}

sim_unload() {
	_i=0
	while [ -e /sys/module/tdvsim ]; do
		rmmod tdvsim 2>/dev/null && return 0
		_i=$((_i + 1))
		if [ $_i -ge 50 ]; then
			rmmod tdvsim
			log "could not unload tdvsim"
			return 1
		fi
		sleep 0.2
	done
	return 0
}

sim_load() {
	[ -e /sys/module/tdvsim ] && sim_unload
	insmod "$SIM_KO" "$@" || fail "insmod $SIM_KO $* failed"
	_i=0
	while [ ! -c /dev/tdvsim ]; do
		_i=$((_i + 1))
		[ $_i -ge 100 ] && fail "/dev/tdvsim did not appear after insmod"
		sleep 0.05
	done
	grep trans_devid /proc/kallsyms > "$OUT/kallsyms.trans_devid" || true
	return 0
}

# wait_for_line FILE PATTERN [SECS]
wait_for_line() {
	_deadline=$(($(date +%s) + ${3:-20}))
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.1
	done
	return 0
}

# _tdv_launch OUTFILE ERRFILE ARGS...: sets _pid; returns once attached.
_tdv_launch() {
	_out=$1
	_err=$2
	shift 2
	: > "$_err"
	tdvtrace "$@" > "$_out" 2> "$_err" &
	_pid=$!
	_deadline=$(($(date +%s) + TDV_ATTACH_TIMEOUT))
	while ! grep -q "tdvtrace: attached" "$_err" 2>/dev/null; do
		if ! kill -0 "$_pid" 2>/dev/null; then
			log "tdvtrace $* exited before attaching; its stderr:"
			cat "$_err" >&2
			return 1
		fi
		if [ "$(date +%s)" -ge "$_deadline" ]; then
			log "tdvtrace $* not attached after ${TDV_ATTACH_TIMEOUT}s; its stderr:"
			cat "$_err" >&2
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# _tdv_reap PID SIG RCFILE
_tdv_reap() {
	kill -"$2" "$1" 2>/dev/null || true
	wait "$1" && TDV_RC=0 || TDV_RC=$?
	echo "$TDV_RC" > "$3"
	return 0
}

tdv_start() {
	_name=$1
	shift
	_pid=""
	_tdv_launch "$OUT/$_name.out" "$OUT/$_name.err" "$@" && _r=0 || _r=$?
	eval "TDV_PID_$_name=\$_pid"
	return "$_r"
}

tdv_bg() {
	TDV_FILE=$1
	shift
	_pid=""
	_tdv_launch "$TDV_FILE" "$TDV_FILE.err" "$@" && _r=0 || _r=$?
	TDV_PID=$_pid
	return "$_r"
}

tdv_stop() {
	if [ $# -eq 0 ]; then
		[ -n "$TDV_PID" ] || fail "tdv_stop: no tdv_bg tracer running"
		_tdv_reap "$TDV_PID" INT "$TDV_FILE.rc"
		TDV_PID=""
		return 0
	fi
	eval "_pid=\${TDV_PID_$1:-}"
	[ -n "$_pid" ] || fail "tdv_stop: no tracer named '$1'"
	_tdv_reap "$_pid" "${2:-INT}" "$OUT/$1.rc"
	eval "TDV_PID_$1="
	return 0
}

run_case() {
	_name=$1
	shift
	case "$(command -v "$1" 2>/dev/null)" in
	/*)
		timeout -s KILL "$RUN_CASE_TIMEOUT" "$@" \
			> "$OUT/$_name.out" 2> "$OUT/$_name.err" && _r=0 || _r=$?
		;;
	*) "$@" > "$OUT/$_name.out" 2> "$OUT/$_name.err" && _r=0 || _r=$? ;;
	esac
	echo "$_r" > "$OUT/$_name.rc"
	return 0
}

probes_gone() {
	_i=0
	while [ $_i -lt 50 ]; do
		if ! grep -q -e tdvsim -e amd_iommu $TRACEFS/enabled_functions 2>/dev/null &&
			! grep -q . $TRACEFS/kprobe_events 2>/dev/null; then
			break
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	cat $TRACEFS/enabled_functions > "$OUT/enabled_$1"
	cat $TRACEFS/kprobe_events > "$OUT/kprobe_events_$1"
}

# leaks_case NAME: run the tdvctl script on stdin under tdvtrace leaks --json
# (stdout $OUT/NAME.json, tdvctl's $OUT/NAME.ctl); the simulator is loaded
# with $SIM_PARAMS.
leaks_case() {
	# shellcheck disable=SC2086 # parameters are words
	sim_load $SIM_PARAMS
	cat > "/tmp/$1.script"
	tdv_start "$1" leaks --json --grace-ms 200
	tdvctl script "/tmp/$1.script" > "$OUT/$1.ctl"
	sleep 1	# let the grace period pass while tdvtrace still runs
	tdv_stop "$1" INT
	mv "$OUT/$1.out" "$OUT/$1.json"
	sim_unload
}

# wait_file PATH [SECS]: until PATH exists (default 30 s); 1 if it never does
wait_file() {
	_i=0
	while [ ! -e "$1" ]; do
		[ $_i -ge $((${2:-30} * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 0
}

# two_vmms_one_fd NAME: under tdvtrace leaks --json, VMM 1's VM X (vIOMMU x1
# on IOMMU 0) and VMM 2's VM Y (y1 on IOMMU 1, the same segment) at the same
# fd number; tdvctl's output in $OUT/NAME.ctl1 and .ctl2, reports in
# $OUT/NAME.json.
two_vmms_one_fd() {
	rm -f /tmp/p1ready /tmp/p2done
	tdv_start "$1" leaks --json --grace-ms 200
	tdvctl script - > "$OUT/$1.ctl1" <<'S' &
vm X
viommu x1 X 0
touch /tmp/p1ready
wait /tmp/p2done
destroy x1
close X
S
	_p1=$!
	tdvctl script - > "$OUT/$1.ctl2" <<'S'
wait /tmp/p1ready
vm Y
viommu y1 Y 1
destroy y1
close Y
touch /tmp/p2done
S
	wait $_p1
	sleep 1
	tdv_stop "$1" INT
	mv "$OUT/$1.out" "$OUT/$1.json"
}

vmm_start() {
	rm -f "/tmp/$1.paused" "/tmp/$1.go"
	# A background job's stdin is /dev/null: hand it the script as a file.
	awk -v f="/tmp/$1" '$0 == "pause" { print "touch " f ".paused"; print "wait " f ".go"; next }
		{ print }' > "/tmp/$1.script"
	tdvctl script "/tmp/$1.script" > "$OUT/$1.ctl" &
	eval "VMM_PID_$1=\$!"
	wait_file "/tmp/$1.paused" || fail "VMM $1 never reached its pause"
}

vmm_resume() {
	touch "/tmp/$1.go"
	eval "wait \$VMM_PID_$1"
}
