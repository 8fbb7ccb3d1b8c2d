#!/bin/sh
# tdvtrace probes in each attach mode; nothing stays attached after any exit.
. /scenarios/lib.sh
OUT=$1

sim_load
for mode in auto fentry kprobe; do
	run_case probes_$mode tdvtrace probes --json --attach $mode
	mv "$OUT/probes_$mode.out" "$OUT/probes_$mode.json"
done
run_case probes_text tdvtrace probes

tdv_start sigint trace --json
cat $TRACEFS/enabled_functions > "$OUT/enabled_live_fentry"
tdv_stop sigint INT
probes_gone after_sigint

tdv_start sigterm trace --attach kprobe
cat $TRACEFS/enabled_functions > "$OUT/enabled_live_kprobe"
tdv_stop sigterm TERM
probes_gone after_sigterm

tdv_start sigkill trace
tdv_stop sigkill KILL
probes_gone after_sigkill
