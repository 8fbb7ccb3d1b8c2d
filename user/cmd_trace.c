// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include "commands.h"
#include "event_format.h"
#include "live.h"

static const char trace_doc[] =
	"Print every trans_devid event as it happens: one line each, or one "
	"JSON object per line with --json.\v"
	"Events: get put id_alloc id_free reserve dte_set dte_clear vfctrl "
	"viommu_init viommu_destroy viommu_uninit seg_fini vm_destroy proc_exit. "
	"Lost-event notices and the summary go to standard error. A reader of standard "
	"output that goes away ends it quietly. Exit status 0, 1 on an error (a write "
	"error too), 2 bad usage.";

static const struct argp_child trace_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{},
};

static const struct argp trace_argp = {
	.doc = trace_doc,
	.children = trace_children,
};

struct trace_ctx {
	const struct tdv_options *opts;
	uint64_t start_ns;
	uint64_t events;
	uint64_t bad;
};

static int on_event(void *data, void *raw, size_t size)
{
	struct trace_ctx *ctx = data;
	struct tdv_event e;

	if (tdv_event_decode(raw, size, &e)) {
		ctx->bad++;
		return 0;
	}
	ctx->events++;
	if (ctx->opts->json)
		tdv_event_print_json(stdout, &e);
	else
		tdv_event_print_text(stdout, &e, ctx->start_ns);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct tdv_options opts;
	struct trace_ctx ctx = { .opts = &opts };
	struct tdv_live live;
	int err;

	tdv_options_init(&opts);
	argp_parse(&trace_argp, argc, argv, 0, NULL, &opts);
	err = tdv_live_start(&live, &opts, on_event, &ctx, NULL);
	if (err)
		return err;
	ctx.start_ns = live.start_ns;
	if (!opts.json)
		tdv_event_print_text_header(stdout);
	err = tdv_live_run(&live, NULL, NULL);
	tdv_live_stop(&live, ctx.events);
	if (ctx.bad)
		fprintf(stderr, "tdvtrace: %" PRIu64 " malformed records skipped\n", ctx.bad);
	return err;
}
