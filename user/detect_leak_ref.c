// SPDX-License-Identifier: GPL-2.0
/*
 * leak_ref. Kernel fact: every ref amd_iommu_get_trans_devid_by_kvmfd() gives
 * a VM's vIOMMU is dropped by amd_iommu_free_trans_devid_by_kvmfd() when that
 * vIOMMU is destroyed, which VM teardown does. So once a VM is destroyed (or
 * its VMM exits) and the grace period has passed, no ref it took may remain.
 * Refs another VM took on the same entry (alias) are not its leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include "detect.h"

void detect_leak_ref_arm(struct tdv_model *m, const struct leaver *who, uint64_t ts_ns)
{
	struct taker t = taker_take(m, who);
	struct u64nummap seen; /* a key repeats once per get: arm each entry once */

	u64nummap_init(&seen);
	for (size_t k = 0; k < t.n; k++) {
		struct entry *en = u64map_get(&m->entries, t.keys[k]);
		bool armed = u64nummap_get(&seen, t.keys[k], &(uint64_t){ 0 });

		u64nummap_put(&seen, t.keys[k], 1);
		for (size_t i = 0; en && !armed && i < en->ngets; i++) {
			if (!get_of(&en->gets[i], who) || en->gets[i].reported)
				continue;
			grace_schedule(m, &(struct pending){ .due_ns = ts_ns + m->grace_ns,
							     .kind = P_GONE,
							     .seg = en->seg,
							     .kvmfd = en->kvmfd,
							     .gen = en->gen,
							     .who = *who });
			armed = true;
		}
	}
	u64nummap_destroy(&seen);
	free(t.keys);
}

void detect_leak_ref(struct tdv_model *m, const struct pending *p)
{
	struct entry *en = entry_find(m, p->seg, p->kvmfd);
	struct tdv_report r;
	unsigned int n = 0;

	if (!en || en->gen != p->gen)
		return;
	report_init(&r, TDV_R_LEAK_REF, p->due_ns, en);
	for (size_t i = 0; i < en->ngets; i++) {
		struct get_rec *g = &en->gets[i];

		if (!get_of(g, &p->who) || g->reported)
			continue;
		g->reported = true;
		add_get(&r, g);
		n++;
	}
	if (!n)
		return;
	en->leak_reported = true;
	r.refs = n;
	if (p->who.vm)
		r.vm = p->who.vm;
	snprintf(r.detail, sizeof(r.detail), "%s gone with %u refs outstanding (entry holds %u)",
		 p->who.vm ? "VM" : "VMM", n, en->refs);
	deliver(m, &r);
}
