// SPDX-License-Identifier: GPL-2.0
#include "event_format.h"
#include "feed.h"

/*
 * Events from other CPUs may trail by this much in the ring buffer (the
 * time between a handler's timestamp and its commit); hold them back.
 */
#define REORDER_WINDOW_NS 100000000ULL

static void to_model(void *data, const struct tdv_event *e)
{
	struct tdv_feed *f = data;

	tdv_model_event(f->model, e);
}

void tdv_feed_init(struct tdv_feed *f, struct tdv_model *m)
{
	f->model = m;
	f->events = f->bad = 0;
	f->newest_ns = 0;
	tdv_reorder_init(&f->reorder, REORDER_WINDOW_NS);
}

void tdv_feed_free(struct tdv_feed *f)
{
	tdv_reorder_free(&f->reorder);
}

int tdv_feed_event(void *feed, void *raw, size_t size)
{
	struct tdv_feed *f = feed;
	struct tdv_event e;

	if (tdv_event_decode(raw, size, &e)) {
		f->bad++;
		return 0;
	}
	f->events++;
	tdv_reorder_push(&f->reorder, &e, to_model, f);
	/* Drain by event time too: a recording has no clock ticks between. */
	if (e.ts_ns > f->newest_ns) {
		f->newest_ns = e.ts_ns;
		tdv_reorder_drain(&f->reorder, f->newest_ns, to_model, f);
	}
	return 0;
}

void tdv_feed_tick(struct tdv_feed *f, uint64_t now_ns, uint64_t new_drops)
{
	if (new_drops)
		tdv_model_loss(f->model, now_ns);
	tdv_reorder_drain(&f->reorder, now_ns, to_model, f);
	tdv_model_tick(f->model, now_ns - REORDER_WINDOW_NS);
}

void tdv_feed_finish(struct tdv_feed *f, uint64_t now_ns, bool lossy)
{
	tdv_reorder_flush(&f->reorder, to_model, f);
	if (lossy)
		tdv_model_loss(f->model, now_ns);
	tdv_model_finish(f->model);
}

void tdv_feed_seed(void *feed, const struct tdv_model_seed *seed)
{
	struct tdv_feed *f = feed;

	tdv_model_seed(f->model, seed);
}
