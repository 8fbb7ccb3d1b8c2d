/* SPDX-License-Identifier: GPL-2.0 */
/* Ring-buffer records, decoded and back in timestamp order, into the model. */
#ifndef TDV_FEED_H
#define TDV_FEED_H

#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "reorder.h"

struct tdv_feed {
	struct tdv_model *model;
	struct tdv_reorder reorder;
	uint64_t events;    /* records taken */
	uint64_t bad;	    /* malformed records skipped */
	uint64_t newest_ns; /* the latest timestamp taken */
};

void tdv_feed_init(struct tdv_feed *f, struct tdv_model *m);
void tdv_feed_free(struct tdv_feed *f);

/* A ring_buffer_sample_fn: @feed is the struct tdv_feed. */
int tdv_feed_event(void *feed, void *raw, size_t size);

/* A tdv_seed_fn: an entry that predates the events, into the model. */
void tdv_feed_seed(void *feed, const struct tdv_model_seed *seed);

/* Time passed (and maybe events were lost): pass on what is due. */
void tdv_feed_tick(struct tdv_feed *f, uint64_t now_ns, uint64_t new_drops);

/* The stream ended at @now_ns (@lossy: something was lost): report all. */
void tdv_feed_finish(struct tdv_feed *f, uint64_t now_ns, bool lossy);

#endif /* TDV_FEED_H */
