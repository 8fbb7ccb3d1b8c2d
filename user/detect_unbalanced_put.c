// SPDX-License-Identifier: GPL-2.0
/*
 * unbalanced_put. Kernel fact: amd_iommu_free_trans_devid_by_kvmfd() on a
 * kvmfd with no entry returns silently, so a put without its get (a double
 * put, or a put with the wrong kvmfd) goes unnoticed by the kernel. The put
 * then carries no trans_devid: there was no entry to read it from.
 */
#include "detect.h"

void detect_unbalanced_put(struct tdv_model *m, const struct tdv_event *put)
{
	struct tdv_evidence ev;
	struct tdv_report r;

	report_of_caller(&r, TDV_R_UNBALANCED_PUT, put);
	evidence_of_event(&ev, put);
	add_evidence(&r, &ev);
	deliver(m, &r);
}
