// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hist.h"

void tdv_hist_set_init(struct tdv_hist_set *set)
{
	memset(set, 0, sizeof(*set));
}

void tdv_hist_set_free(struct tdv_hist_set *set)
{
	free(set->h);
	tdv_hist_set_init(set);
}

void tdv_hist_set_clear(struct tdv_hist_set *set)
{
	set->n = 0;
}

static int key_cmp(const struct tdv_hist_key *a, const struct tdv_hist_key *b)
{
	if (a->func != b->func)
		return a->func < b->func ? -1 : 1;
	if (a->seg != b->seg)
		return a->seg < b->seg ? -1 : 1;
	if (a->variant != b->variant)
		return a->variant < b->variant ? -1 : 1;
	return 0;
}

/* Index of @key, or where it would go (*found false). */
static size_t find(const struct tdv_hist_set *set, const struct tdv_hist_key *key, bool *found)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&set->h[mid].key, key);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void val_add(struct tdv_hist_val *to, const struct tdv_hist_val *v)
{
	for (int i = 0; i < TDV_HIST_SLOTS; i++)
		to->slots[i] += v->slots[i];
	to->count += v->count;
	to->sum_ns += v->sum_ns;
}

int tdv_hist_set_add(struct tdv_hist_set *set, const struct tdv_hist_key *key,
		     const struct tdv_hist_val *val)
{
	bool found;
	size_t i = find(set, key, &found);

	if (!found) {
		if (TDV_GROW(set->h, set->cap, set->n + 1, 16))
			return -ENOMEM;
		memmove(&set->h[i + 1], &set->h[i], (set->n - i) * sizeof(*set->h));
		memset(&set->h[i], 0, sizeof(*set->h));
		set->h[i].key = *key;
		set->n++;
	}
	val_add(&set->h[i].val, val);
	return 0;
}

int tdv_hist_set_diff(const struct tdv_hist_set *now, const struct tdv_hist_set *prev,
		      struct tdv_hist_set *out)
{
	tdv_hist_set_clear(out);
	for (size_t i = 0; i < now->n; i++) {
		struct tdv_hist_val d = now->h[i].val;
		bool found;
		size_t j = find(prev, &now->h[i].key, &found);

		if (found) {
			const struct tdv_hist_val *p = &prev->h[j].val;

			/* Counters only grow: a reading never goes back. */
			for (int s = 0; s < TDV_HIST_SLOTS; s++)
				d.slots[s] -= p->slots[s];
			d.count -= p->count;
			d.sum_ns -= p->sum_ns;
		}
		if (d.count && tdv_hist_set_add(out, &now->h[i].key, &d))
			return -ENOMEM;
	}
	return 0;
}

int tdv_hist_set_copy(struct tdv_hist_set *to, const struct tdv_hist_set *from)
{
	tdv_hist_set_clear(to);
	for (size_t i = 0; i < from->n; i++)
		if (tdv_hist_set_add(to, &from->h[i].key, &from->h[i].val))
			return -ENOMEM;
	return 0;
}

/* The histogram an event kind feeds; -1 for none. */
static int func_of(uint32_t kind)
{
	switch (kind) {
	case TDV_EV_GET:
		return TDV_H_GET;
	case TDV_EV_PUT:
		return TDV_H_PUT;
	case TDV_EV_ID_ALLOC:
		return TDV_H_ID_ALLOC;
	case TDV_EV_VIOMMU_INIT:
		return TDV_H_VIOMMU_INIT;
	case TDV_EV_VIOMMU_DESTROY:
		return TDV_H_VIOMMU_DESTROY;
	}
	return -1;
}

int tdv_hist_set_add_event(struct tdv_hist_set *set, const struct tdv_event *e, uint64_t unit_ns,
			   bool per_seg)
{
	struct tdv_hist_key key = { .seg = TDV_HIST_ALL_SEGS };
	struct tdv_hist_val val = { .count = 1, .sum_ns = e->lat_ns };
	int func = func_of(e->kind);

	if (func < 0 || !(e->fields & TDV_F_LAT) || !unit_ns)
		return 0;
	key.func = func;
	if (per_seg && (e->fields & TDV_F_SEG))
		key.seg = e->seg;
	if (func == TDV_H_GET)
		key.variant = e->ret			? TDV_H_FAILED
			      : (e->fields & TDV_F_NEW) ? TDV_H_NEW
							: TDV_H_SHARED;
	else if (func == TDV_H_ID_ALLOC)
		key.variant = tdv_hist_occupancy(e->ret);
	val.slots[tdv_hist_slot(e->lat_ns / unit_ns)] = 1;
	return tdv_hist_set_add(set, &key, &val);
}

uint64_t tdv_hist_set_calls(const struct tdv_hist_set *set)
{
	uint64_t n = 0;

	for (size_t i = 0; i < set->n; i++)
		n += set->h[i].val.count;
	return n;
}

uint64_t tdv_hist_slot_low(unsigned int slot)
{
	return slot ? 1ULL << slot : 0;
}

uint64_t tdv_hist_slot_high(unsigned int slot)
{
	return (1ULL << (slot + 1)) - 1;
}

double tdv_hist_quantile(const struct tdv_hist_val *v, double q)
{
	uint64_t total = 0, below = 0;
	double target;

	for (int i = 0; i < TDV_HIST_SLOTS; i++)
		total += v->slots[i];
	if (!total)
		return 0;
	target = q * total;
	for (int i = 0; i < TDV_HIST_SLOTS; i++) {
		uint64_t n = v->slots[i];
		double low = tdv_hist_slot_low(i), width = tdv_hist_slot_high(i) + 1 - low;

		if (!n || below + n < target) {
			below += n;
			continue;
		}
		/* The last slot is open-ended: its low end is all we know. */
		if (i == TDV_HIST_SLOTS - 1)
			return low;
		return low + width * (target - below) / n;
	}
	return tdv_hist_slot_low(TDV_HIST_SLOTS - 1);
}

const char *tdv_hist_func_name(unsigned int func)
{
	static const char *const names[TDV_H_FUNCS] = {
		[TDV_H_GET] = "get",
		[TDV_H_PUT] = "put",
		[TDV_H_ID_ALLOC] = "id_alloc",
		[TDV_H_VIOMMU_INIT] = "viommu_init",
		[TDV_H_VIOMMU_DESTROY] = "viommu_destroy",
		[TDV_H_DTE_SET] = "dte_set",
		[TDV_H_DTE_CLEAR] = "dte_clear",
	};

	return func < TDV_H_FUNCS ? names[func] : "?";
}

const char *tdv_hist_outcome_name(unsigned int outcome)
{
	switch (outcome) {
	case TDV_H_NEW:
		return "new";
	case TDV_H_SHARED:
		return "shared";
	case TDV_H_FAILED:
		return "failed";
	}
	return "?";
}
