// SPDX-License-Identifier: GPL-2.0
/*
 * leak_id. Kernel fact: when an entry's last ref goes,
 * amd_iommu_free_trans_devid_by_kvmfd() returns its trans_devid to the
 * segment's pool (trans_devid_free: xa_erase from trans_devid_xa). So a
 * grace period after the release the id is free, or allocated anew since
 * (then it is a new owner's). The pool's facts come from id_alloc/id_free
 * where they are traced at every call, else from the gets that created
 * entries and from trans_devid_xa as the final put left it (model.c,
 * tdv_model_observe); an old recording without id events cannot tell.
 */
#include <stdio.h>
#include "detect.h"

void detect_leak_id(struct tdv_model *m, const struct pending *p)
{
	struct pool *pool = u64map_get(&m->pools, p->seg);
	uint64_t alloc_ns;
	struct tdv_report r;

	if (!pool_releases_known(m) || !pool || !pool_test(pool, p->trans_devid))
		return;
	/* Held by a live entry, or allocated again since the release: a new owner's. */
	if (devid_live(m, p->seg, p->trans_devid))
		return;
	if (u64nummap_get(&m->alloc_ns, devid_key(p->seg, p->trans_devid), &alloc_ns) &&
	    alloc_ns > p->release.ts_ns)
		return;
	report_of_release(&r, TDV_R_LEAK_ID, p);
	snprintf(r.detail, sizeof(r.detail),
		 "trans_devid 0x%04x still allocated after its last ref went", p->trans_devid);
	add_evidence(&r, &p->release);
	deliver(m, &r);
	pool_set(pool, p->trans_devid, false); /* report it once */
}
