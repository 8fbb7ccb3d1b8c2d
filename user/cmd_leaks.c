// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "event_format.h"
#include "live.h"
#include "model.h"
#include "reorder.h"
#include "report_format.h"

/* Events from other CPUs may trail by this much; hold them back. */
#define REORDER_WINDOW_NS 100000000ULL
/* Teardown still in flight after a VM goes: a put may follow this late. */
#define DEFAULT_GRACE_MS 500

static const char leaks_doc[] =
	"Watch VM churn and report trans_devid leaks and anomalies as soon as "
	"they are certain, and a summary at exit.\v"
	"Report kinds: leak_ref leak_id unbalanced_put alias stale_dte "
	"clear_while_shared reserve_clash alloc_fail fini_live. "
	"Exit status 1 when anything was reported, 0 when clean.";

enum { OPT_GRACE = 0x200, OPT_TIMELINES };

enum timelines { TIMELINES_NONE, TIMELINES_REPORTS, TIMELINES_ALL };

static const struct argp_option leaks_options[] = {
	{ "grace-ms", OPT_GRACE, "MS", 0,
	  "How long teardown may lag a VM's end before refs count as leaked (500)", 0 },
	{ "timelines", OPT_TIMELINES, "all", OPTION_ARG_OPTIONAL,
	  "With each report, its entry's refcount timeline; =all: every entry's as it closes", 0 },
	{},
};

struct leaks_ctx {
	struct tdv_options opts;
	uint64_t grace_ms;
	enum timelines timelines;
	uint64_t start_ns;
	uint64_t events;
	uint64_t bad;
	struct tdv_reorder reorder;
	struct tdv_model *model;
};

static error_t parse_leaks(int key, char *arg, struct argp_state *state)
{
	struct leaks_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ctx->opts;
		break;
	case OPT_TIMELINES:
		if (arg && strcmp(arg, "all"))
			argp_error(state, "invalid --timelines=%s: expected --timelines or --timelines=all",
				   arg);
		ctx->timelines = arg ? TIMELINES_ALL : TIMELINES_REPORTS;
		break;
	case OPT_GRACE:
		if (tdv_parse_uint(arg, 3600000, &ctx->grace_ms))
			argp_error(state, "invalid --grace-ms '%s': expected milliseconds", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child leaks_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{},
};

static const struct argp leaks_argp = {
	.options = leaks_options,
	.parser = parse_leaks,
	.doc = leaks_doc,
	.children = leaks_children,
};

static void on_report(void *data, const struct tdv_report *r)
{
	struct leaks_ctx *ctx = data;

	if (ctx->opts.json) {
		tdv_report_print_json(stdout, r, ctx->timelines != TIMELINES_NONE);
	} else {
		tdv_report_print_text(stdout, r, ctx->start_ns);
		if (ctx->timelines != TIMELINES_NONE && r->timeline.npoints)
			tdv_timeline_print_text(stdout, &r->timeline, ctx->start_ns);
	}
	fflush(stdout);
}

/* --timelines=all: every entry's timeline as it closes. */
static void on_close(void *data, const struct tdv_timeline *t)
{
	struct leaks_ctx *ctx = data;

	if (ctx->opts.json) {
		fputs("{\"timeline\":", stdout);
		tdv_timeline_print_json(stdout, t);
		fputs("}\n", stdout);
	} else {
		tdv_timeline_print_text(stdout, t, ctx->start_ns);
	}
}

static void to_model(void *data, const struct tdv_event *e)
{
	struct leaks_ctx *ctx = data;

	tdv_model_event(ctx->model, e);
}

static int on_event(void *data, void *raw, size_t size)
{
	struct leaks_ctx *ctx = data;
	struct tdv_event e;

	if (tdv_event_decode(raw, size, &e)) {
		ctx->bad++;
		return 0;
	}
	ctx->events++;
	tdv_reorder_push(&ctx->reorder, &e, to_model, ctx);
	return 0;
}

static bool on_tick(void *data, uint64_t now_ns, uint64_t new_drops)
{
	struct leaks_ctx *ctx = data;

	if (new_drops)
		tdv_model_loss(ctx->model, now_ns);
	tdv_reorder_drain(&ctx->reorder, now_ns, to_model, ctx);
	tdv_model_tick(ctx->model, now_ns - REORDER_WINDOW_NS);
	return false;
}

int cmd_leaks(int argc, char **argv)
{
	struct leaks_ctx ctx = { .grace_ms = DEFAULT_GRACE_MS };
	struct tdv_model_stats st;
	struct tdv_live live;
	uint64_t reports = 0;
	int err;

	tdv_options_init(&ctx.opts);
	argp_parse(&leaks_argp, argc, argv, 0, NULL, &ctx);
	ctx.model = tdv_model_new(ctx.grace_ms * 1000000ULL, on_report, &ctx);
	if (!ctx.model) {
		fprintf(stderr, "tdvtrace: out of memory\n");
		return TDV_EXIT_ENV;
	}
	if (ctx.timelines == TIMELINES_ALL)
		tdv_model_on_close(ctx.model, on_close, &ctx);
	tdv_reorder_init(&ctx.reorder, REORDER_WINDOW_NS);
	err = tdv_live_start(&live, &ctx.opts, on_event, &ctx, ctx.model);
	if (err)
		goto out;
	ctx.start_ns = live.start_ns;
	err = tdv_live_run(&live, on_tick, &ctx);
	tdv_reorder_flush(&ctx.reorder, to_model, &ctx);
	if (live.drops)
		tdv_model_loss(ctx.model, tdv_now_ns());
	tdv_model_finish(ctx.model);
	tdv_live_stop(&live, ctx.events);
	tdv_model_stats(ctx.model, &st);
	for (int k = 0; k < TDV_R_KINDS; k++)
		reports += st.reports[k];
	tdv_report_print_summary(ctx.opts.json ? stderr : stdout, &st);
	if (!err && reports)
		err = 1; /* found something: CI pipelines gate on this */
out:
	tdv_reorder_free(&ctx.reorder);
	tdv_model_free(ctx.model);
	return err;
}
