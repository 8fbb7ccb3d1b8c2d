// SPDX-License-Identifier: GPL-2.0
/*
 * driver_dte0. Kernel fact: when amd_viommu_init_one() fails, its error path
 * calls amd_viommu_uninit_one() before amd_iommufd_viommu_init() has stored
 * the vIOMMU's trans_devid, so the driver clears VF control and the
 * translate DTE of trans_devid 0, which the failing vIOMMU never had (the
 * patch's own error path then clears the right ones). That clear is the
 * driver's, on a device table entry of whatever device owns id 0: it is no
 * hazard of the vIOMMU's VM, nor of a VM that holds trans_devid 0. Said once
 * a run; later ones are counted (stats.driver_dte0).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "detect.h"

void detect_driver_dte0(struct tdv_model *m, const struct err_uninit *u,
			const struct tdv_event *clear)
{
	struct entry *holder = entry_holding(m, clear->seg, clear->trans_devid);
	struct tdv_evidence ev;
	struct tdv_report r;
	int n;

	if (m->stats.driver_dte0++)
		return;
	report_init(&r, TDV_R_DRIVER_DTE0, clear->ts_ns, NULL);
	r.seg = clear->seg;
	r.trans_devid = clear->trans_devid;
	r.owner_tgid = clear->tgid;
	memcpy(r.owner_comm, clear->comm, sizeof(r.owner_comm));
	n = snprintf(r.detail, sizeof(r.detail),
		     "vIOMMU init failed: the driver's uninit cleared VF control and DTE 0x%04x, "
		     "not the vIOMMU's 0x%04x",
		     clear->trans_devid, u->own_devid);
	if (holder && n > 0 && (size_t)n < sizeof(r.detail))
		snprintf(r.detail + n, sizeof(r.detail) - n, " (held by VM 0x%" PRIx64 ")",
			 holder->vm);
	add_evidence(&r, &u->uninit);
	evidence_of_event(&ev, clear);
	add_evidence(&r, &ev);
	deliver(m, &r);
}
