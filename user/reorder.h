/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Put events back in timestamp order. One ring buffer carries events from
 * every CPU in commit order, which can trail timestamp order by the time a
 * handler takes between bpf_ktime_get_ns() and the commit; the model needs
 * causal order (a get before its put), so events wait here for @window_ns.
 */
#ifndef TDV_REORDER_H
#define TDV_REORDER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tdvtrace.h"

/*
 * The most events held: at the bound a push first passes on the oldest
 * (order is then kept only within the last TDV_REORDER_MAX events).
 */
#define TDV_REORDER_MAX (1U << 16)

struct tdv_reorder_slot {
	struct tdv_event e;
	uint64_t seq; /* arrival order, for equal timestamps */
};

struct tdv_reorder {
	struct tdv_reorder_slot *heap; /* a min-heap by (ts_ns, seq) */
	size_t n, cap;
	uint64_t seq;
	uint64_t window_ns;
};

typedef void (*tdv_event_fn)(void *ctx, const struct tdv_event *e);

void tdv_reorder_init(struct tdv_reorder *r, uint64_t window_ns);
void tdv_reorder_free(struct tdv_reorder *r);
/* Returns 0 or -ENOMEM (the event is then passed on at once, unordered). */
int tdv_reorder_push(struct tdv_reorder *r, const struct tdv_event *e, tdv_event_fn fn, void *ctx);
/* Pass on, oldest first, every event stamped at or before @now_ns - window. */
void tdv_reorder_drain(struct tdv_reorder *r, uint64_t now_ns, tdv_event_fn fn, void *ctx);
/* Pass on everything. */
void tdv_reorder_flush(struct tdv_reorder *r, tdv_event_fn fn, void *ctx);

#endif /* TDV_REORDER_H */
