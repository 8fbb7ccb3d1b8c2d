// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "reorder.h"

/*
 * A ring of events kept sorted by timestamp. Events arrive almost in order
 * (a few trail by a handler's run time), so a push is an append that moves
 * back past at most a few later events; a pop takes the head. Equal
 * timestamps keep their arrival order.
 */

void tdv_reorder_init(struct tdv_reorder *r, uint64_t window_ns)
{
	r->ring = NULL;
	r->head = r->n = r->cap = 0;
	r->window_ns = window_ns;
}

void tdv_reorder_free(struct tdv_reorder *r)
{
	free(r->ring);
	tdv_reorder_init(r, r->window_ns);
}

static struct tdv_event *at(const struct tdv_reorder *r, size_t i)
{
	return &r->ring[(r->head + i) & (r->cap - 1)];
}

/* Double the ring (a power of two), its events from index 0. */
static int grow(struct tdv_reorder *r)
{
	size_t cap = r->cap ? r->cap * 2 : 256, first = r->cap - r->head;
	struct tdv_event *ring = malloc(cap * sizeof(*ring));

	if (!ring)
		return -ENOMEM;
	if (r->n) {
		if (first > r->n)
			first = r->n;
		memcpy(ring, &r->ring[r->head], first * sizeof(*ring));
		memcpy(ring + first, r->ring, (r->n - first) * sizeof(*ring));
	}
	free(r->ring);
	r->ring = ring;
	r->cap = cap;
	r->head = 0;
	return 0;
}

int tdv_reorder_push(struct tdv_reorder *r, const struct tdv_event *e, tdv_event_fn fn, void *ctx)
{
	size_t i;

	if (r->n == r->cap && grow(r)) {
		fn(ctx, e);
		return -ENOMEM;
	}
	for (i = r->n; i && at(r, i - 1)->ts_ns > e->ts_ns; i--)
		*at(r, i) = *at(r, i - 1);
	*at(r, i) = *e;
	r->n++;
	return 0;
}

static void pop(struct tdv_reorder *r, tdv_event_fn fn, void *ctx)
{
	const struct tdv_event *e = at(r, 0);

	r->head = (r->head + 1) & (r->cap - 1);
	r->n--;
	fn(ctx, e); /* its slot is free only from the next push on */
}

void tdv_reorder_drain(struct tdv_reorder *r, uint64_t now_ns, tdv_event_fn fn, void *ctx)
{
	while (r->n && at(r, 0)->ts_ns + r->window_ns <= now_ns)
		pop(r, fn, ctx);
}

void tdv_reorder_flush(struct tdv_reorder *r, tdv_event_fn fn, void *ctx)
{
	while (r->n)
		pop(r, fn, ctx);
}
