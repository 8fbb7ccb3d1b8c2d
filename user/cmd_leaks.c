// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "commands.h"
#include "event_format.h"
#include "live.h"
#include "model.h"
#include "feed.h"
#include "kallsyms.h"
#include "report_printer.h"
#include "tdvtrace.skel.h"

static const char leaks_doc[] =
	"Watch VM churn and report trans_devid leaks and anomalies as soon as "
	"they are certain, and a summary at exit.\v"
	"Report kinds: leak_ref leak_id unbalanced_put alias stale_dte "
	"clear_while_shared reserve_clash alloc_fail fini_live vm_not_destroyed driver_dte0. "
	"Exit status 0 when clean, 3 when anything was reported, 1 on an error "
	"(cannot trace, cannot write), 2 bad usage.";

enum { OPT_STACKS = 0x200 };

static const struct argp_option leaks_options[] = {
	{ "stacks", OPT_STACKS, NULL, 0,
	  "With each outstanding get, the kernel stack and the VMM's user stack", 0 },
	{},
};

struct leaks_ctx {
	struct tdv_options opts;
	struct tdv_report_options rep;
	struct tdv_report_printer printer;
	struct tdv_model *model;
	struct tdv_feed feed;
};

static error_t parse_leaks(int key, char *arg, struct argp_state *state)
{
	struct leaks_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ctx->opts;
		state->child_inputs[1] = &ctx->rep;
		break;
	case OPT_STACKS:
		ctx->opts.stacks = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child leaks_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{ &tdv_report_argp, 0, NULL, 0 },
	{},
};

static const struct argp leaks_argp = {
	.options = leaks_options,
	.parser = parse_leaks,
	.doc = leaks_doc,
	.children = leaks_children,
};

/* A get's user stack is captured as it arrives, while its VMM lives. */
static int on_event(void *data, void *raw, size_t size)
{
	struct leaks_ctx *ctx = data;

	if (size >= sizeof(struct tdv_event))
		tdv_stack_capture(ctx->printer.sym, raw);
	return tdv_feed_event(&ctx->feed, raw, size);
}

static void on_seed(void *data, const struct tdv_model_seed *seed)
{
	struct leaks_ctx *ctx = data;

	tdv_feed_seed(&ctx->feed, seed);
}

static bool on_tick(void *data, uint64_t now_ns, uint64_t new_drops)
{
	struct leaks_ctx *ctx = data;

	tdv_feed_tick(&ctx->feed, now_ns, new_drops);
	return false;
}

int cmd_leaks(int argc, char **argv)
{
	struct leaks_ctx ctx = {};
	struct tdv_report_printer *p = &ctx.printer;
	struct tdv_live live;
	int err, found;

	tdv_options_init(&ctx.opts);
	argp_parse(&leaks_argp, argc, argv, 0, NULL, &ctx);
	*p = (struct tdv_report_printer){ .f = stdout,
					  .json = ctx.opts.json,
					  .timelines = ctx.rep.timelines };
	ctx.model = tdv_model_new(ctx.rep.grace_ns, tdv_printer_report, p);
	if (!ctx.model) {
		fprintf(stderr, "tdvtrace: out of memory\n");
		return TDV_EXIT_ENV;
	}
	if (ctx.rep.timelines == TDV_TIMELINES_ALL)
		tdv_model_on_close(ctx.model, tdv_printer_timeline, p);
	tdv_feed_init(&ctx.feed, ctx.model);
	err = tdv_live_start(&live, &ctx.opts, on_event, &ctx, on_seed);
	if (err)
		goto out;
	tdv_model_observe(ctx.model, tdv_session_observed(&live.session));
	p->start_ns = live.start_ns;
	if (ctx.opts.stacks)
		p->sym = tdv_symbolizer_new(bpf_map__fd(live.session.skel->maps.stacks),
					    bpf_map__fd(live.session.skel->maps.ustack_copies),
					    TDV_KALLSYMS,
					    tdv_probe_of(&live.session.probes, TDV_EV_GET)->symbol);
	err = tdv_live_run(&live, on_tick, &ctx);
	tdv_feed_finish(&ctx.feed, tdv_now_ns(), live.lost);
	tdv_live_stop(&live, ctx.feed.events);
	found = tdv_printer_summary(ctx.model, ctx.opts.json ? stderr : stdout);
	if (!err)
		err = found;
out:
	tdv_symbolizer_free(p->sym);
	tdv_feed_free(&ctx.feed);
	tdv_model_free(ctx.model);
	return err;
}
