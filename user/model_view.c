// SPDX-License-Identifier: GPL-2.0
/* Read-only views of the model: counts for summaries, live entries for `top`. */
#include <string.h>
#include "model_state.h"

static void count_pool(void *ctx, uint64_t key, void *value)
{
	struct tdv_model_stats *s = ctx;
	struct pool *p = value;

	s->ids_allocated += p->used;
}

void tdv_model_stats(const struct tdv_model *m, struct tdv_model_stats *out)
{
	*out = m->stats;
	out->live_entries = m->entries.count;
	out->vms_tracked = m->vm_lives.map.count;
	out->vms_resolved = m->vms.count;
	out->ids_tracked = m->devids.count;
	out->ids_allocated = 0;
	u64map_each(&m->pools, count_pool, out);
}

uint32_t tdv_model_pool_used(const struct tdv_model *m, uint16_t seg)
{
	const struct pool *p = u64map_get(&m->pools, seg);

	return p ? p->used : 0;
}

struct view_ctx {
	void (*fn)(void *ctx, const struct tdv_entry_view *v);
	void *ctx;
};

static void view_one(void *ctx, uint64_t key, void *value)
{
	struct view_ctx *c = ctx;
	struct entry *en = value;
	struct tdv_entry_view v = {
		.seg = en->seg,
		.kvmfd = en->kvmfd,
		.gen = en->gen,
		.trans_devid = en->trans_devid,
		.refs = en->refs,
		.viommus = en->ngets,
		.vm = en->vm,
		.owner_tgid = en->owner_tgid,
		.created_ns = en->created_ns,
		.leaked = en->leak_reported,
	};

	memcpy(v.owner_comm, en->owner_comm, sizeof(v.owner_comm));
	c->fn(c->ctx, &v);
}

void tdv_model_each_entry(const struct tdv_model *m,
			  void (*fn)(void *ctx, const struct tdv_entry_view *v), void *ctx)
{
	struct view_ctx c = { .fn = fn, .ctx = ctx };

	u64map_each(&m->entries, view_one, &c);
}
