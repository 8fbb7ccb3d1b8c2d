#!/bin/sh
# tdvtrace leaks: each injected fault gives exactly its report, and a clean
# run gives none (exit 0). One tdvtrace leaks run per case.
. /scenarios/lib.sh
OUT=$1

leaks_case clean <<'S'
vm A
viommu a1 A 0
viommu a2 A 2
destroy a1
destroy a2
close A
S
leaks_case leak_ref <<'S'
vm A
viommu a1 A 0
fault skip_put
destroy a1
close A
S
leaks_case unbalanced_put <<'S'
vm A
viommu a1 A 1
fault double_put
destroy a1
close A
S
leaks_case stale_dte <<'S'
vm A
viommu a1 A 2
fault skip_dte_clear
destroy a1
close A
S
# The DTE left set, and the id handed out again at once (top-down
# allocation): stale when reassigned, seen by id_alloc or, where
# trans_devid_alloc is inlined, by the get that created the entry.
leaks_case stale_dte_reassigned <<'S'
vm A
viommu a1 A 2
fault skip_dte_clear
destroy a1
viommu a2 A 2
destroy a2
close A
S
# Both faults armed for one destroy: its put is skipped, so the entry (and
# its id) stays allocated and the DTE clear must not be skipped for it.
leaks_case skip_put_and_dte_clear <<'S'
vm A
viommu a1 A 1
fault skip_dte_clear
fault skip_put
destroy a1
close A
S
leaks_case clear_while_shared <<'S'
vm A
viommu a1 A 0
viommu a2 A 1
destroy a1
destroy a2
close A
S
leaks_case reserve_clash <<'S'
vm A
viommu a1 A 0
reserve 0 0xffff
reserve 0 0x0010
destroy a1
close A
S
leaks_case alloc_fail_enospc <<'S'
vm A
fault fail_alloc_enospc
viommu a1 A 3
close A
S
leaks_case alloc_fail_enomem <<'S'
vm A
fault fail_alloc_enomem
viommu a1 A 1
close A
S
leaks_case leak_id <<'S'
vm A
viommu a1 A 3
fault skip_id_free
destroy a1
close A
S
# Segment teardown under a live entry; the vIOMMU's destroy at exit then
# puts a kvmfd the segment no longer knows: the kernel ignores it.
leaks_case fini_live <<'S'
vm A
viommu a1 A 2
fini 1
S
