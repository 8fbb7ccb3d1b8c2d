#!/bin/sh
# Files and output as root on a shared host (README "Files", "Exit statuses").
# 1. record -o: a start-up failure leaves nothing; a planted symlink is never
#    followed (refused, then replaced itself with --force); SIGHUP ends a
#    recording with its END record.
# 2. report: -o never equal to the recording; a missing input leaves -o as it
#    was; -o refuses an existing file; only regular files or - (stdin);
#    nothing temporary is left behind.
# 3. Write errors: trace > /dev/full exits 1 at once; trace | head -1 ends by
#    itself, status 0, its summary on stderr, whether SIGPIPE is ignored or not.
# 4. A process named with a terminal escape and a newline: text output escapes it.
. /scenarios/lib.sh
OUT=$1
D=/tmp/fo
rm -rf $D
mkdir -p $D

# ---- 1 ----
run_case nopatch tdvtrace record -o $D/nopatch.rec
ls -A $D > "$OUT/nopatch.ls"

sim_load
echo secret > $D/victim
chmod 640 $D/victim
ln -s $D/victim $D/planted.rec
run_case planted tdvtrace record -o $D/planted.rec -d 1
run_case planted_force tdvtrace record --force -o $D/planted.rec -d 1
stat -c '%F %a' $D/planted.rec > "$OUT/planted.stat"
stat -c '%a' $D/victim > "$OUT/victim.stat"
cat $D/victim > "$OUT/victim.content"
run_case planted_report tdvtrace report $D/planted.rec --format json

tdv_start hup record -o $D/hup.rec
tdv_stop hup HUP
run_case hup_report tdvtrace report $D/hup.rec --format json

# ---- 2 ----
cp $D/hup.rec $D/keep.rec
run_case same tdvtrace report $D/keep.rec -o $D/keep.rec --force
cmp $D/hup.rec $D/keep.rec > "$OUT/same.cmp" 2>&1 && echo same >> "$OUT/same.cmp"
ln -s $D/keep.rec $D/link.rec
run_case same_link tdvtrace report $D/keep.rec -o $D/link.rec --force
echo old > $D/old.txt
run_case typo tdvtrace report $D/nosuch.rec -o $D/old.txt --force
cat $D/old.txt > "$OUT/typo.content"
run_case exists tdvtrace report $D/keep.rec -o $D/old.txt
run_case forced tdvtrace report $D/keep.rec -o $D/old.txt --force
stat -c '%a' $D/old.txt > "$OUT/forced.mode"
run_case zero tdvtrace report /dev/zero
mkfifo $D/fifo
run_case fifo tdvtrace report $D/fifo
run_case stdin sh -c "tdvtrace report - --format json < $D/keep.rec"
ls -A $D > "$OUT/final.ls"

# ---- 3 ----
start=$(date +%s)
run_case full sh -c 'tdvtrace trace -d 60 > /dev/full'
echo $(($(date +%s) - start)) > "$OUT/full.secs"
for mode in default ignored; do
	trap_cmd=""
	[ $mode = ignored ] && trap_cmd="trap '' PIPE;"
	start=$(date +%s)
	sh -c "$trap_cmd"' tdvtrace trace -d 60 2> '"$OUT/pipe_$mode.err"'; echo $? > '"$OUT/pipe_$mode.rc" |
		head -n 1 > "$OUT/pipe_$mode.out"
	echo $(($(date +%s) - start)) > "$OUT/pipe_$mode.secs"
done
# The JSON one ends on a write that fails: head goes after the first event.
start=$(date +%s)
(tdvtrace trace --json -d 60 2> "$OUT/pipe_json.err"
	echo $? > "$OUT/pipe_json.rc") | head -n 1 > "$OUT/pipe_json.out" &
wait_for_line "$OUT/pipe_json.err" "tdvtrace: attached" || fail "trace --json did not attach"
tdvctl churn --vms 20 --viommus 2 --seed 3 --procs 1 > /dev/null
wait
echo $(($(date +%s) - start)) > "$OUT/pipe_json.secs"

# ---- 4 ----
evil=$(printf 'ev\033[2J\nil')
cp "$(command -v tdvctl)" "/tmp/$evil"
tdv_start evil trace
"/tmp/$evil" script - > /dev/null <<'S'
vm E
viommu e1 E 0
destroy e1
close E
exit
S
sleep 0.3
tdv_stop evil INT
rm -f "/tmp/$evil"
sim_unload
