// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "event_format.h"
#include "live.h"
#include "model.h"
#include "feed.h"
#include "report_format.h"
#include "tdvtrace.skel.h"

/* Teardown still in flight after a VM goes: a put may follow this late. */
#define DEFAULT_GRACE_MS 500

static const char leaks_doc[] =
	"Watch VM churn and report trans_devid leaks and anomalies as soon as "
	"they are certain, and a summary at exit.\v"
	"Report kinds: leak_ref leak_id unbalanced_put alias stale_dte "
	"clear_while_shared reserve_clash alloc_fail fini_live. "
	"Exit status 1 when anything was reported, 0 when clean.";

enum { OPT_GRACE = 0x200, OPT_TIMELINES, OPT_STACKS };

enum timelines { TIMELINES_NONE, TIMELINES_REPORTS, TIMELINES_ALL };

static const struct argp_option leaks_options[] = {
	{ "grace-ms", OPT_GRACE, "MS", 0,
	  "How long teardown may lag a VM's end before refs count as leaked (500)", 0 },
	{ "stacks", OPT_STACKS, NULL, 0,
	  "With each outstanding get, the kernel stack and the VMM's user stack", 0 },
	{ "timelines", OPT_TIMELINES, "all", OPTION_ARG_OPTIONAL,
	  "With each report, its entry's refcount timeline; =all: every entry's as it closes", 0 },
	{},
};

struct leaks_ctx {
	struct tdv_options opts;
	uint64_t grace_ms;
	enum timelines timelines;
	struct tdv_symbolizer *sym; /* --stacks */
	uint64_t start_ns;
	struct tdv_model *model;
	struct tdv_feed feed;
};

static error_t parse_leaks(int key, char *arg, struct argp_state *state)
{
	struct leaks_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ctx->opts;
		break;
	case OPT_STACKS:
		ctx->opts.stacks = true;
		break;
	case OPT_TIMELINES:
		if (arg && strcmp(arg, "all"))
			argp_error(
				state,
				"invalid --timelines=%s: expected --timelines or --timelines=all",
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
		tdv_report_print_json(stdout, r, ctx->timelines != TIMELINES_NONE, ctx->sym);
	} else {
		tdv_report_print_text(stdout, r, ctx->start_ns, ctx->sym);
		if (ctx->timelines != TIMELINES_NONE && r->timeline.npoints)
			tdv_timeline_print_text(stdout, &r->timeline, ctx->start_ns);
	}
	fflush(stdout);
}

/* --timelines=all: every entry's timeline as it closes. */
static void on_close(void *data, const struct tdv_timeline *t)
{
	struct leaks_ctx *ctx = data;

	if (ctx->opts.json)
		tdv_timeline_print_json(stdout, t);
	else
		tdv_timeline_print_text(stdout, t, ctx->start_ns);
}

static bool on_tick(void *data, uint64_t now_ns, uint64_t new_drops)
{
	struct leaks_ctx *ctx = data;

	tdv_feed_tick(&ctx->feed, now_ns, new_drops);
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
	tdv_feed_init(&ctx.feed, ctx.model);
	err = tdv_live_start(&live, &ctx.opts, tdv_feed_event, &ctx.feed, tdv_feed_seed);
	if (err)
		goto out;
	ctx.start_ns = live.start_ns;
	if (ctx.opts.stacks)
		ctx.sym = tdv_symbolizer_new(bpf_map__fd(live.session.skel->maps.stacks));
	err = tdv_live_run(&live, on_tick, &ctx);
	tdv_feed_finish(&ctx.feed, tdv_now_ns(), live.drops);
	tdv_live_stop(&live, ctx.feed.events);
	tdv_model_stats(ctx.model, &st);
	for (int k = 0; k < TDV_R_KINDS; k++)
		reports += st.reports[k];
	tdv_report_print_summary(ctx.opts.json ? stderr : stdout, &st);
	if (!err && reports)
		err = 1; /* found something: CI pipelines gate on this */
out:
	tdv_symbolizer_free(ctx.sym);
	tdv_feed_free(&ctx.feed);
	tdv_model_free(ctx.model);
	return err;
}
