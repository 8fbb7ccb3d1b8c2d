// SPDX-License-Identifier: GPL-2.0
/*
 * stale_dte. Kernel fact: amd_viommu_uninit_one() points the vIOMMU's VF
 * control register away (amd_iommu_update_vfctrl_mmio_translate_devid(.., 0))
 * and clears its translate DTE before the put that releases the trans_devid.
 * So a released id has no translate DTE set and no VF control register on
 * it: checked when the id is handed out again (its id_alloc, or the get
 * that created an entry with it where trans_devid_alloc is inlined), and a
 * grace period after the release, whichever comes first (once per DTE until it is set again).
 */
#include <stdio.h>
#include "detect.h"

/* The DTE of @devid if it still points somewhere and is not reported yet. */
static struct devid_state *stale_dte(struct tdv_model *m, uint16_t seg, uint16_t devid)
{
	struct devid_state *d = u64map_get(&m->devids, devid_key(seg, devid));

	/* Held by a live entry: the owner's state, not stale. */
	if (!d || !(d->set || d->vfctrl_refs) || d->stale_reported || devid_live(m, seg, devid))
		return NULL;
	d->stale_reported = true;
	return d;
}

static void report_stale(struct tdv_model *m, struct tdv_report *r, const struct devid_state *d,
			 const char *what, const struct tdv_evidence *ev)
{
	snprintf(r->detail, sizeof(r->detail),
		 "trans_devid 0x%04x %s; translate DTE %s, %u VF control register(s) on it",
		 r->trans_devid, what, d->set ? "still set" : "cleared", d->vfctrl_refs);
	if (d->set)
		add_dte_set(r, d);
	add_evidence(r, ev);
	deliver(m, r);
}

void detect_stale_dte_reassigned(struct tdv_model *m, const struct tdv_event *alloc)
{
	struct devid_state *d = stale_dte(m, alloc->seg, alloc->trans_devid);
	struct tdv_evidence ev;
	struct tdv_report r;

	if (!d)
		return;
	report_init(&r, TDV_R_STALE_DTE, alloc->ts_ns, NULL);
	r.seg = alloc->seg;
	r.trans_devid = alloc->trans_devid;
	evidence_of_event(&ev, alloc);
	report_stale(m, &r, d, "reassigned", &ev);
}

void detect_stale_dte_released(struct tdv_model *m, const struct pending *p)
{
	struct devid_state *d = stale_dte(m, p->seg, p->trans_devid);
	struct tdv_report r;

	if (!d)
		return;
	report_of_release(&r, TDV_R_STALE_DTE, p);
	report_stale(m, &r, d, "released", &p->release);
}
