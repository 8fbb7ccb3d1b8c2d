/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loop every live command shares: attach (saying why not, or which
 * probes give nothing), poll the ring buffer until SIGINT, SIGTERM, SIGHUP,
 * -d, or standard output fails (its reader gone, or a write error),
 * notice lost events as they happen, and say at exit how many events came
 * and how many were lost.
 */
#ifndef TDV_LIVE_H
#define TDV_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include "model.h"
#include "session.h"

struct tdv_live {
	struct tdv_session session;
	uint64_t start_ns;
	uint64_t deadline_ns;		   /* 0: none */
	uint64_t drops;			   /* events the ring buffer dropped so far */
	uint64_t evidence[TDV_LOSS_KINDS]; /* other losses so far, by TDV_LOSSES field */
	uint64_t missed;		   /* calls no probe saw (recursion, kprobe misses) */
	uint64_t lost;			   /* all of them */
};

/*
 * Called about every 100 ms with the time and what was lost since the
 * last call (events, evidence, missed calls); returning true ends the run.
 */
typedef bool (*tdv_tick_fn)(void *ctx, uint64_t now_ns, uint64_t new_drops);

uint64_t tdv_now_ns(void);

/*
 * Preflight, signals, open the session, discover what already exists (and
 * pass it to @on_seed with @ctx, if not NULL). 0 or a TDV_EXIT_* status.
 */
int tdv_live_start(struct tdv_live *l, const struct tdv_options *opts,
		   ring_buffer_sample_fn on_event, void *ctx, tdv_seed_fn on_seed);

/* Say on stderr why tdv_session_open() failed. Returns TDV_EXIT_ENV. */
int tdv_live_explain(const struct tdv_session *s, const struct tdv_session_error *why);

/* A warning on stderr for each probe of @s that gives no events. */
void tdv_live_warn_missing(const struct tdv_session *s);

/* Run until stopped. Returns 0 or TDV_EXIT_ENV if polling failed. */
int tdv_live_run(struct tdv_live *l, tdv_tick_fn tick, void *ctx);

/*
 * Print "N events, M lost, K missed" (a histogram session: N calls) to
 * stderr and detach everything.
 */
void tdv_live_stop(struct tdv_live *l, uint64_t events);

#endif /* TDV_LIVE_H */
