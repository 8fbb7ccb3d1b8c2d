// SPDX-License-Identifier: GPL-2.0
/*
 * alloc_fail. Kernel fact: amd_iommu_get_trans_devid_by_kvmfd() fails when
 * trans_devid_alloc() finds no free id (-ENOSPC) or memory runs out, and the
 * vIOMMU is not created. Reported with how full the segment's pool was.
 */
#include "detect.h"

void detect_alloc_fail(struct tdv_model *m, const struct tdv_event *get)
{
	struct pool *p = pool_of(m, get->seg);
	struct tdv_evidence ev;
	struct tdv_report r;

	report_of_caller(&r, TDV_R_ALLOC_FAIL, get);
	r.ret = get->ret;
	r.pool_used = p ? p->used : 0;
	evidence_of_event(&ev, get);
	add_evidence(&r, &ev);
	deliver(m, &r);
}
