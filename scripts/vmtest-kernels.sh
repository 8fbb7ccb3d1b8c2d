#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the guest suite on each kernel in turn (make vmtest-RELEASE, or
# vmtest-inline-RELEASE for an argument inline-RELEASE), even when
# one fails, and sum up: a line per kernel with its `N passed, N failed` and
# how long it took, then the total `N passed, N failed`. Exit status 1 when
# any kernel's suite failed or reported nothing.
#
# usage: scripts/vmtest-kernels.sh [inline-]RELEASE[:SCENARIOS]...
#   SCENARIOS: only these (VMTEST_ONLY patterns, comma-separated)
#   env OUT (default .output): each run's log goes to
#   OUT/kernels/RELEASE/vmtest.log (vmtest-inline.log)
set -eu

me=vmtest-kernels.sh
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
out=${OUT:-$top/.output}

if [ $# -eq 0 ]; then
	sed -n '3,12s/^# \{0,1\}//p' "$0" >&2
	exit 2
fi

summary=""
total_passed=0
total_failed=0
status=0
for arg in "$@"; do
	k=${arg%%:*}
	only=""
	[ "$k" = "$arg" ] || only=${arg#*:}
	case "$k" in
	inline-*) log=$out/kernels/${k#inline-}/vmtest-inline.log ;;
	*) log=$out/kernels/$k/vmtest.log ;;
	esac
	mkdir -p "$(dirname "$log")"
	echo "$me: guest suite on $k"
	start=$(date +%s)
	rc=0
	# The log is kept whole; the console sees it as it comes.
	VMTEST_ONLY=${only:-${VMTEST_ONLY:-}} ${MAKE:-make} -C "$top" --no-print-directory \
		"vmtest-$k" >"$log" 2>&1 &
	pid=$!
	tail -n +1 -s 0.5 --pid="$pid" -F "$log" 2>/dev/null || true
	wait "$pid" || rc=$?
	secs=$(($(date +%s) - start))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
	if [ -z "$line" ]; then
		line="0 passed, 1 failed"
		why=" (no results: see $log)"
	else
		why=""
	fi
	[ "$rc" = 0 ] || status=1
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	[ "$p" -gt 0 ] || status=1
	[ "$f" = 0 ] || status=1
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	summary="$summary$k${only:+ ($only)}: $line in $((secs / 60)) min $((secs % 60)) s, exit status $rc$why
"
done

printf '%s' "$summary"
echo "$total_passed passed, $total_failed failed"
exit "$status"
