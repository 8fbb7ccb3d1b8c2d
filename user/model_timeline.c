// SPDX-License-Identifier: GPL-2.0
/* Each entry's refcount timeline: its refs, DTE and VF control state over time. */
#include <string.h>
#include "grow.h"
#include "model_state.h"

/* Points kept per entry; past it the oldest half goes (and it says so). */
#define TIMELINE_MAX 1024

void timeline_add(struct tdv_model *m, struct entry *en, const struct tdv_event *e)
{
	const struct devid_state *d = u64map_get(&m->devids, devid_key(en->seg, en->trans_devid));
	struct tdv_timeline_point *pt;

	if (en->ntl == TIMELINE_MAX) {
		memmove(en->tl, en->tl + TIMELINE_MAX / 2, TIMELINE_MAX / 2 * sizeof(*en->tl));
		en->ntl = TIMELINE_MAX / 2;
		en->tl_truncated = true;
	}
	if (en->ntl == en->captl && TDV_GROW(en->tl, en->captl, en->ntl + 1, 8))
		return;
	pt = &en->tl[en->ntl++];
	pt->ts_ns = e->ts_ns;
	pt->kind = e->kind;
	pt->refs = en->refs;
	pt->pid = e->pid;
	pt->tgid = e->tgid;
	memcpy(pt->comm, e->comm, sizeof(pt->comm));
	pt->gid = e->gid;
	pt->iommu = e->iommu;
	pt->dte_set = d && d->set;
	pt->vfctrls = d ? d->vfctrl_refs : 0;
}

void timeline_of(const struct entry *en, struct tdv_timeline *t)
{
	memset(t, 0, sizeof(*t));
	t->seg = en->seg;
	t->kvmfd = en->kvmfd;
	t->gen = en->gen;
	t->trans_devid = en->trans_devid;
	t->vm = en->vm;
	t->owner_tgid = en->owner_tgid;
	memcpy(t->owner_comm, en->owner_comm, sizeof(t->owner_comm));
	t->created_ns = en->created_ns;
	t->truncated = en->tl_truncated;
	t->npoints = en->ntl;
	t->points = en->tl;
}

void tdv_model_on_close(struct tdv_model *m, void (*fn)(void *ctx, const struct tdv_timeline *t),
			void *ctx)
{
	m->on_close = fn;
	m->close_ctx = ctx;
}

void timeline_close(struct tdv_model *m, const struct entry *en, uint64_t ts_ns)
{
	struct tdv_timeline t;

	if (!m->on_close)
		return;
	timeline_of(en, &t);
	t.released_ns = ts_ns;
	m->on_close(m->close_ctx, &t);
}

struct timeline_ctx {
	void (*fn)(void *ctx, const struct tdv_timeline *t);
	void *ctx;
};

static void timeline_one(void *ctx, uint64_t key, void *value)
{
	struct timeline_ctx *c = ctx;
	struct tdv_timeline t;

	timeline_of(value, &t);
	c->fn(c->ctx, &t);
}

void tdv_model_each_timeline(const struct tdv_model *m,
			     void (*fn)(void *ctx, const struct tdv_timeline *t), void *ctx)
{
	struct timeline_ctx c = { .fn = fn, .ctx = ctx };

	u64map_each(&m->entries, timeline_one, &c);
}
