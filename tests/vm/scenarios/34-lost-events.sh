#!/bin/sh
# A stalled reader on a 4 KiB ring buffer: losses are counted and reported,
# and printed + lost equals what the churn caused.
. /scenarios/lib.sh
OUT=$1
CYCLES=40

sim_load
: > /tmp/churn
i=0
while [ $i -lt $CYCLES ]; do
	printf 'vm V%d\nviommu v%d V%d 0\ndestroy v%d\nclose V%d\n' $i $i $i $i $i >> /tmp/churn
	i=$((i + 1))
done
# Per cycle: id_alloc get dte_set vfctrl viommu_init (5), viommu_uninit
# vfctrl dte_clear id_free put viommu_destroy (6), vm_destroy (1), without
# the id_alloc / id_free of an inlined trans_devid_alloc / _free (check.py
# counts them from kallsyms.trans_devid); then one proc_exit.
echo $CYCLES > "$OUT/cycles"

tdv_start lost trace --json --ringbuf-kb 4
kill -STOP $TDV_PID_lost
tdvctl script /tmp/churn > "$OUT/ctl.out"
kill -CONT $TDV_PID_lost
sleep 2	# the reader notices the loss within a second
tdv_stop lost INT
mv "$OUT/lost.out" "$OUT/lost.json"
