// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "reorder.h"

/*
 * A binary min-heap ordered by (timestamp, arrival number): a push and a pop
 * cost O(log n) whatever the order events come in (a crafted recording
 * with descending timestamps too), and equal timestamps keep their arrival
 * order.
 */

void tdv_reorder_init(struct tdv_reorder *r, uint64_t window_ns)
{
	r->heap = NULL;
	r->n = r->cap = 0;
	r->seq = 0;
	r->window_ns = window_ns;
}

void tdv_reorder_free(struct tdv_reorder *r)
{
	free(r->heap);
	tdv_reorder_init(r, r->window_ns);
}

static bool before(const struct tdv_reorder_slot *a, const struct tdv_reorder_slot *b)
{
	return a->e.ts_ns < b->e.ts_ns || (a->e.ts_ns == b->e.ts_ns && a->seq < b->seq);
}

static void swap(struct tdv_reorder_slot *a, struct tdv_reorder_slot *b)
{
	struct tdv_reorder_slot t = *a;

	*a = *b;
	*b = t;
}

static int grow(struct tdv_reorder *r)
{
	size_t cap = r->cap ? r->cap * 2 : 256;
	struct tdv_reorder_slot *heap;

	if (cap > TDV_REORDER_MAX)
		cap = TDV_REORDER_MAX;
	heap = realloc(r->heap, cap * sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	r->heap = heap;
	r->cap = cap;
	return 0;
}

/* Take the oldest event out and pass it on. */
static void pop(struct tdv_reorder *r, tdv_event_fn fn, void *ctx)
{
	struct tdv_event e = r->heap[0].e;
	size_t i = 0;

	r->heap[0] = r->heap[--r->n];
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < r->n && before(&r->heap[l], &r->heap[m]))
			m = l;
		if (l + 1 < r->n && before(&r->heap[l + 1], &r->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		swap(&r->heap[i], &r->heap[m]);
		i = m;
	}
	fn(ctx, &e);
}

int tdv_reorder_push(struct tdv_reorder *r, const struct tdv_event *e, tdv_event_fn fn, void *ctx)
{
	size_t i;

	/* At the bound the oldest goes on now: it has waited longest. */
	if (r->n == TDV_REORDER_MAX)
		pop(r, fn, ctx);
	if (r->n == r->cap && grow(r)) {
		fn(ctx, e);
		return -ENOMEM;
	}
	i = r->n++;
	r->heap[i] = (struct tdv_reorder_slot){ .e = *e, .seq = r->seq++ };
	while (i && before(&r->heap[i], &r->heap[(i - 1) / 2])) {
		swap(&r->heap[i], &r->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return 0;
}

void tdv_reorder_drain(struct tdv_reorder *r, uint64_t now_ns, tdv_event_fn fn, void *ctx)
{
	while (r->n && r->heap[0].e.ts_ns + r->window_ns <= now_ns)
		pop(r, fn, ctx);
}

void tdv_reorder_flush(struct tdv_reorder *r, tdv_event_fn fn, void *ctx)
{
	while (r->n)
		pop(r, fn, ctx);
}
