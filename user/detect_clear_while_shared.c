// SPDX-License-Identifier: GPL-2.0
/*
 * clear_while_shared. Kernel fact: all vIOMMUs of one VM on a segment share
 * its trans_devid, yet amd_viommu_uninit_one() clears the translate DTE as
 * each one goes, not with the last ref. A clear while other refs remain
 * (this vIOMMU's own ref is still held at the clear) pulls the translation
 * from under the vIOMMUs still using it.
 */
#include <stdio.h>
#include "detect.h"

void detect_clear_while_shared(struct tdv_model *m, const struct entry *en,
			       const struct tdv_event *clear)
{
	struct tdv_evidence ev;
	struct tdv_report r;

	if (en->refs <= 1)
		return;
	report_init(&r, TDV_R_CLEAR_WHILE_SHARED, clear->ts_ns, en);
	snprintf(r.detail, sizeof(r.detail),
		 "DTE 0x%04x cleared by gid %u on iommu 0x%04x while %u refs remain",
		 clear->trans_devid, clear->gid, clear->iommu, en->refs);
	evidence_of_event(&ev, clear);
	add_evidence(&r, &ev);
	add_gets(&r, en);
	deliver(m, &r);
}
