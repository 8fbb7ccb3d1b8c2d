#!/bin/sh
# tdvtrace record / report.
# 1. Every event kind, recorded while `trace --json` watches: `report
#    --format events` gives back the same events. The file is mode 0600 and
#    SIGTERM leaves it complete. A recording that starts with live entries
#    holds them (seeds): their puts are no unbalanced_put. (all.rec and
#    seeded.rec also seed the fuzz corpus.)
# 2. Churn with faults and VMs that predate both tools, under `leaks --json`
#    and `record` at once: `report --format json` makes the same reports.
#    The same recording as text, perfetto and svg.
# 3. Damage: a recording killed (SIGKILL) mid-run, cut short, corrupted, a
#    file that is no recording; bad usage.
. /scenarios/lib.sh
OUT=$1

# ---- 1 ----
sim_load
tdv_start all_trace trace --json
tdv_start all_rec record -o /tmp/all.rec
tdvctl script - > "$OUT/all.ctl" <<'S'
vm A
viommu a1 A 0
viommu a2 A 1
reserve 1 0x10
vm B
viommu b1 B 2
destroy a1
destroy a2
destroy b1
fini 1
close A
close B
exit
S
sleep 0.5
tdv_stop all_rec TERM
tdv_stop all_trace INT
mv "$OUT/all_trace.out" "$OUT/all_trace.json"
stat -c %a /tmp/all.rec > "$OUT/all.mode"
cp /tmp/all.rec "$OUT/all.rec"
run_case all_events tdvtrace report /tmp/all.rec --format events
sim_unload

# A small recording with entries that predate it (seeds), for the corpus too.
sim_load
vmm_start seeded <<'S'
vm P
viommu p1 P 0
viommu p2 P 2
pause
destroy p1
destroy p2
close P
S
tdv_start seeded_rec record -o /tmp/seeded.rec
vmm_resume seeded
sleep 0.3
tdv_stop seeded_rec INT
cp /tmp/seeded.rec "$OUT/seeded.rec"
run_case seeded_report tdvtrace report /tmp/seeded.rec --format json --grace-ms 300
sim_unload

# ---- 2 ----
sim_load
vmm_start pre <<'S'
vm D0
vm D1
vm D2
vm D3
vm D4
vm D5
vm P
viommu p1 P 0
viommu p2 P 3
pause
destroy p1
destroy p2
close P
S
tdv_start live leaks --json --grace-ms 300
tdv_start rec record -o /tmp/churn.rec
tdvctl --truth "$OUT/churn.truth" churn --vms 150 --viommus 3 --seed 23 --procs 3 \
	--serialize --fault-rate 15
vmm_resume pre
sleep 1
tdv_stop rec INT
tdv_stop live INT
mv "$OUT/live.out" "$OUT/live.json"
run_case report_json tdvtrace report /tmp/churn.rec --format json --grace-ms 300
run_case report_text tdvtrace report /tmp/churn.rec --grace-ms 300 -o "$OUT/report.txt"
run_case timelines tdvtrace report /tmp/churn.rec --grace-ms 300 --timelines -o /tmp/timelines.txt
head -c 20000 /tmp/timelines.txt > "$OUT/timelines.txt" # shared entries' timelines are long
run_case perfetto tdvtrace report /tmp/churn.rec --format perfetto --grace-ms 300 \
	-o "$OUT/churn.perfetto.json"
run_case svg tdvtrace report /tmp/churn.rec --format svg --grace-ms 300 -o "$OUT/churn.svg"
run_case seg1 tdvtrace report /tmp/churn.rec --format json --no-hist --seg 1 --grace-ms 300
sim_unload

# ---- 3 ----
# The churn ends before the kill: detaching fentry trampolines from
# functions running flat out can livelock a TCG guest's text patching.
sim_load
tdv_start killed record -o /tmp/killed.rec
tdvctl churn --vms 300 --viommus 2 --seed 9 --procs 1 > /dev/null
sleep 0.3
tdv_stop killed KILL
run_case killed_report tdvtrace report /tmp/killed.rec --format json
size=$(wc -c < /tmp/churn.rec)
head -c $((size / 2)) /tmp/churn.rec > /tmp/cut.rec
run_case cut_report tdvtrace report /tmp/cut.rec --format json
cp /tmp/churn.rec /tmp/flip.rec
printf 'X' | dd of=/tmp/flip.rec bs=1 seek=$((size / 3)) conv=notrunc 2> /dev/null
run_case flip_report tdvtrace report /tmp/flip.rec
run_case foreign_report tdvtrace report /bin/busybox
run_case missing_report tdvtrace report /tmp/nonexistent.rec
run_case no_output tdvtrace record
run_case bad_dir tdvtrace record -o /nonexistent/x.rec
run_case bad_format tdvtrace report /tmp/churn.rec --format xml
sim_unload
