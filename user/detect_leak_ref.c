// SPDX-License-Identifier: GPL-2.0
/*
 * leak_ref. Kernel fact: every ref amd_iommu_get_trans_devid_by_kvmfd() gives
 * a VM's vIOMMU is dropped by amd_iommu_free_trans_devid_by_kvmfd() when that
 * vIOMMU is destroyed, which VM teardown does. So once a VM is destroyed (or
 * its VMM exits) and the grace period has passed, no ref it took may remain.
 * Refs another VM took on the same entry (alias) are not its leak.
 */
#include <stdio.h>
#include "detect.h"

/* Whether get @g was taken by @who. */
static bool get_of(const struct get_rec *g, const struct leaver *who)
{
	if (who->vm)
		return g->vm == who->vm && g->vm_life == who->vm_life;
	return g->tgid == who->tgid;
}

struct arm_ctx {
	struct tdv_model *m;
	const struct leaver *who;
	uint64_t ts_ns;
};

static void arm_entry(void *ctx, uint64_t key, void *value)
{
	struct arm_ctx *c = ctx;
	struct entry *en = value;

	for (size_t i = 0; i < en->ngets; i++) {
		if (!get_of(&en->gets[i], c->who) || en->gets[i].reported)
			continue;
		grace_schedule(c->m, &(struct pending){ .due_ns = c->ts_ns + c->m->grace_ns,
							.kind = P_GONE,
							.seg = en->seg,
							.kvmfd = en->kvmfd,
							.gen = en->gen,
							.who = *c->who });
		return;
	}
}

void detect_leak_ref_arm(struct tdv_model *m, const struct leaver *who, uint64_t ts_ns)
{
	struct arm_ctx c = { .m = m, .who = who, .ts_ns = ts_ns };

	u64map_each(&m->entries, arm_entry, &c);
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
