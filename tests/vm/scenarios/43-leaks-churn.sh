#!/bin/sh
# VM churn under tdvtrace leaks, compared with the driver's ground truth.
# 1. 1000 lifecycles, 1-3 vIOMMUs on random IOMMUs, 3 VMMs interleaving
#    (one operation at a time, so every read tdvtrace makes outside the
#    driver's mutex sees settled state): the only reports are the patch's own
#    hazards (alias, clear_while_shared), as many as the simulator counted;
#    gets and puts per segment match.
# 2. 200 lifecycles, one VMM, at most one vIOMMU per VM per segment: nothing.
. /scenarios/lib.sh
OUT=$1

# churn_case NAME CHURN-ARGS...
churn_case() {
	name=$1
	shift
	sim_load
	tdv_start "$name" leaks --json --grace-ms 300
	tdv_start "${name}_trace" trace --json
	tdvctl --truth "/tmp/$name.truth" churn "$@"
	sleep 1
	echo truth | tdvctl script - > "$OUT/$name.truth.json"
	tdv_stop "$name" INT
	tdv_stop "${name}_trace" INT
	mv "$OUT/$name.out" "$OUT/$name.json"
	# Only the counts leave the guest: the trace itself is large.
	for ev in get put; do
		for seg in 0 1; do
			n=$(grep "\"event\":\"$ev\"" "$OUT/${name}_trace.out" |
				grep -c "\"seg\":$seg,")
			echo "$ev $seg $n"
		done
	done > "$OUT/$name.counts"
	wc -l < "/tmp/$name.truth" > "$OUT/$name.actions"
	rm -f "$OUT/${name}_trace.out"
	sim_unload
}

churn_case mixed --vms 1000 --viommus 3 --seed 42 --procs 3 --serialize
churn_case spread --vms 200 --viommus 2 --seed 7 --procs 1 --one-per-seg
