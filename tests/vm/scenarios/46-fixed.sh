#!/bin/sh
# tdvsim fixed=1 clears a translate DTE only when its last ref goes: the
# patch's clear_while_shared reports disappear, and nothing else changes.
. /scenarios/lib.sh
OUT=$1
SIM_PARAMS=fixed=1

leaks_case shared <<'S'
vm A
viommu a1 A 0
viommu a2 A 1
destroy a1
destroy a2
close A
S
leaks_case stale <<'S'
vm A
viommu a1 A 2
fault skip_dte_clear
destroy a1
close A
S

# Two VMMs, one fd number, one segment: fixed, each VM has its own entry.
sim_load fixed=1
two_vmms_one_fd alias
