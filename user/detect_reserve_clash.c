// SPDX-License-Identifier: GPL-2.0
/*
 * reserve_clash. Kernel fact: trans_devids come from the same id space as
 * real device ids, taken from 0xffff down; amd_iommu_trans_devid_reserve()
 * fails with -EBUSY when a device's id is already an allocated trans_devid,
 * so that device cannot be set up.
 */
#include <errno.h>
#include <stdio.h>
#include "detect.h"

void detect_reserve_clash(struct tdv_model *m, const struct tdv_event *reserve)
{
	struct entry *en = NULL;
	struct tdv_evidence ev;
	struct tdv_report r;

	if (reserve->ret != -EBUSY)
		return;
	if (reserve->fields & TDV_F_KVMFD)
		en = entry_find(m, reserve->seg, reserve->kvmfd);
	report_init(&r, TDV_R_RESERVE_CLASH, reserve->ts_ns, en);
	if (!en) {
		r.seg = reserve->seg;
		r.trans_devid = reserve->trans_devid;
	}
	r.ret = reserve->ret;
	snprintf(r.detail, sizeof(r.detail),
		 "device id 0x%04x could not be reserved: it is an allocated trans_devid",
		 reserve->trans_devid);
	evidence_of_event(&ev, reserve);
	add_evidence(&r, &ev);
	deliver(m, &r);
}
