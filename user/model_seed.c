// SPDX-License-Identifier: GPL-2.0
/* Entries that predate tracing, as discovery (or a recording) found them. */
#include <string.h>
#include "model_state.h"

/*
 * Refs a seeded entry gets as outstanding gets (one per vIOMMU: a handful).
 * Past it, from a corrupt or crafted recording, the rest stay in its count
 * only, so a leak_ref of it names at most this many.
 */
#define SEED_GETS_MAX 64

void tdv_model_seed(struct tdv_model *m, const struct tdv_model_seed *seed)
{
	struct tdv_event e = {
		.ts_ns = seed->ts_ns,
		.kind = TDV_EV_GET,
		.tgid = seed->tgid,
		.pid = seed->tgid,
		.seg = seed->seg,
		.kvmfd = seed->kvmfd,
		.gen = seed->gen,
		.trans_devid = seed->trans_devid,
		.refs = seed->refs,
		.vm = seed->vm,
		.fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_GEN | TDV_F_TRANS_DEVID | TDV_F_REFS,
	};
	struct entry *en;
	struct pool *p;

	memcpy(e.comm, seed->comm, sizeof(e.comm));
	if (entry_find(m, seed->seg, seed->kvmfd))
		return;
	en = entry_create(m, &e);
	if (!en)
		return;
	en->refs = seed->refs;
	for (uint32_t i = 0; i < seed->refs && i < SEED_GETS_MAX; i++)
		entry_add_get(m, en, &e);
	p = pool_of(m, seed->seg);
	if (p)
		pool_set(p, seed->trans_devid, true);
}
