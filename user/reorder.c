// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include "reorder.h"

void tdv_reorder_init(struct tdv_reorder *r, uint64_t window_ns)
{
	r->heap = NULL;
	r->seqs = NULL;
	r->n = r->cap = 0;
	r->seq = 0;
	r->window_ns = window_ns;
}

void tdv_reorder_free(struct tdv_reorder *r)
{
	free(r->heap);
	free(r->seqs);
	tdv_reorder_init(r, r->window_ns);
}

static bool before(const struct tdv_reorder *r, size_t a, size_t b)
{
	if (r->heap[a].ts_ns != r->heap[b].ts_ns)
		return r->heap[a].ts_ns < r->heap[b].ts_ns;
	return r->seqs[a] < r->seqs[b];
}

static void swap(struct tdv_reorder *r, size_t a, size_t b)
{
	struct tdv_event e = r->heap[a];
	uint64_t s = r->seqs[a];

	r->heap[a] = r->heap[b];
	r->heap[b] = e;
	r->seqs[a] = r->seqs[b];
	r->seqs[b] = s;
}

static int grow(struct tdv_reorder *r)
{
	size_t cap = r->cap ? r->cap * 2 : 256;
	struct tdv_event *h = realloc(r->heap, cap * sizeof(*h));
	uint64_t *s;

	if (!h)
		return -ENOMEM;
	r->heap = h;
	s = realloc(r->seqs, cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	r->seqs = s;
	r->cap = cap;
	return 0;
}

int tdv_reorder_push(struct tdv_reorder *r, const struct tdv_event *e, tdv_event_fn fn, void *ctx)
{
	size_t i;

	if (r->n == r->cap && grow(r)) {
		fn(ctx, e);
		return -ENOMEM;
	}
	i = r->n++;
	r->heap[i] = *e;
	r->seqs[i] = r->seq++;
	while (i && before(r, i, (i - 1) / 2)) {
		swap(r, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void pop(struct tdv_reorder *r, tdv_event_fn fn, void *ctx)
{
	struct tdv_event top = r->heap[0];
	size_t i = 0;

	r->n--;
	if (r->n) {
		r->heap[0] = r->heap[r->n];
		r->seqs[0] = r->seqs[r->n];
	}
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < r->n && before(r, l, m))
			m = l;
		if (l + 1 < r->n && before(r, l + 1, m))
			m = l + 1;
		if (m == i)
			break;
		swap(r, i, m);
		i = m;
	}
	fn(ctx, &top);
}

void tdv_reorder_drain(struct tdv_reorder *r, uint64_t now_ns, tdv_event_fn fn, void *ctx)
{
	while (r->n && r->heap[0].ts_ns + r->window_ns <= now_ns)
		pop(r, fn, ctx);
}

void tdv_reorder_flush(struct tdv_reorder *r, tdv_event_fn fn, void *ctx)
{
	while (r->n)
		pop(r, fn, ctx);
}
