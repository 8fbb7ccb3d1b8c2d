// SPDX-License-Identifier: GPL-2.0
/*
 * fini_live. Kernel fact: amd_iommu_pci_seg_trans_devid_fini() frees every
 * entry of the segment's kvmfd_xa and its trans_devid whatever its refs. An
 * entry still holding refs then loses them under its vIOMMUs' feet.
 */
#include <stdio.h>
#include "detect.h"

void detect_fini_live(struct tdv_model *m, const struct entry *en, const struct tdv_event *fini)
{
	struct tdv_evidence ev;
	struct tdv_report r;

	report_init(&r, TDV_R_FINI_LIVE, fini->ts_ns, en);
	snprintf(r.detail, sizeof(r.detail), "segment %u torn down while kvmfd %u holds %u refs",
		 fini->seg, en->kvmfd, en->refs);
	evidence_of_event(&ev, fini);
	add_evidence(&r, &ev);
	add_gets(&r, en);
	deliver(m, &r);
}
