// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "event_format.h"
#include "json.h"
#include "live.h"
#include "model.h"
#include "feed.h"
#include "grow.h"
#include "text_escape.h"

static const char top_doc[] =
	"A live table of the VMs holding trans_devids: seg, kvmfd, gen, "
	"trans_devid, refs, vIOMMUs, owner pid/comm, age; ids allocated per "
	"segment.\v"
	"[INTERVAL [COUNT]]: refresh every INTERVAL seconds (default 1), COUNT "
	"times (default: until interrupted). Exit status 0, 1 on an error, 2 bad usage.";

struct top_ctx {
	struct tdv_options opts;
	bool batch;
	struct tdv_interval iv;
	struct tdv_model *model;
	struct tdv_feed feed;
	uint64_t next_ns;
	unsigned int printed;
	struct tdv_entry_view *rows;
	size_t nrows, caprows;
	size_t missed; /* rows left out for want of memory */
};

static error_t parse_top(int key, char *arg, struct argp_state *state)
{
	struct top_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ctx->opts;
		state->child_inputs[1] = &ctx->iv;
		break;
	case 'b':
		ctx->batch = true;
		break;
	case ARGP_KEY_END:
		if (ctx->batch && ctx->opts.json)
			argp_error(state,
				   "-b does not apply to --json: JSON never clears the screen");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_option top_options[] = {
	{ "batch", 'b', NULL, 0, "Plain snapshots, no screen clearing (for scripts)", 0 },
	{},
};

static const struct argp_child top_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{ &tdv_interval_argp, 0, NULL, 0 },
	{},
};

static const struct argp top_argp = {
	.options = top_options,
	.parser = parse_top,
	.doc = top_doc,
	.children = top_children,
};

static void ignore_report(void *ctx, const struct tdv_report *r)
{
}

static void collect_row(void *data, const struct tdv_entry_view *v)
{
	struct top_ctx *ctx = data;

	if (ctx->nrows == ctx->caprows && TDV_GROW(ctx->rows, ctx->caprows, ctx->nrows + 1, 64))
		ctx->missed++;
	else
		ctx->rows[ctx->nrows++] = *v;
}

static int by_seg_kvmfd(const void *a, const void *b)
{
	const struct tdv_entry_view *x = a, *y = b;

	if (x->seg != y->seg)
		return x->seg < y->seg ? -1 : 1;
	return x->kvmfd < y->kvmfd ? -1 : x->kvmfd > y->kvmfd;
}

/* One object per entry and snapshot; a vm not known (0) is omitted. */
static void print_row_json(const struct tdv_entry_view *v, uint64_t now_ns)
{
	struct tdv_json w;

	tdv_json_init(&w, stdout);
	tdv_json_start_object(&w);
	tdv_json_uint_field(&w, "ts_ns", now_ns);
	tdv_json_uint_field(&w, "seg", v->seg);
	tdv_json_uint_field(&w, "kvmfd", v->kvmfd);
	tdv_json_uint_field(&w, "gen", v->gen);
	tdv_json_uint_field(&w, "trans_devid", v->trans_devid);
	tdv_json_uint_field(&w, "refs", v->refs);
	tdv_json_uint_field(&w, "viommus", v->viommus);
	if (v->vm)
		tdv_json_hex_field(&w, "vm", v->vm);
	tdv_json_uint_field(&w, "pid", v->owner_tgid);
	tdv_json_string_n_field(&w, "comm", v->owner_comm, sizeof(v->owner_comm));
	tdv_json_double_field(&w, "age_s",
			      v->created_ns < now_ns ? (now_ns - v->created_ns) / 1e9 : 0.0, 3);
	tdv_json_bool_field(&w, "leaked", v->leaked);
	tdv_json_end_object(&w);
	tdv_json_end_line(&w);
}

static void print_table(struct top_ctx *ctx, uint64_t now_ns)
{
	const char *sep = "";

	ctx->nrows = ctx->missed = 0;
	tdv_model_each_entry(ctx->model, collect_row, ctx);
	if (ctx->missed)
		fprintf(stderr, "tdvtrace top: out of memory, %zu entries not shown\n",
			ctx->missed);
	qsort(ctx->rows, ctx->nrows, sizeof(ctx->rows[0]), by_seg_kvmfd);
	if (!ctx->batch && !ctx->opts.json)
		fputs("\033[H\033[2J", stdout);
	if (ctx->opts.json) {
		for (unsigned int i = 0; i < ctx->nrows; i++)
			print_row_json(&ctx->rows[i], now_ns);
		return;
	}
	/* The true total: rows left out for want of memory count too. */
	printf("tdvtrace top: %zu entries; ids allocated per seg:", ctx->nrows + ctx->missed);
	for (unsigned int s = 0; s <= UINT16_MAX; s++) {
		uint32_t used = tdv_model_pool_used(ctx->model, s);

		if (!used)
			continue;
		printf("%s seg%u=%u", sep, s, used);
		sep = ",";
	}
	if (!*sep)
		printf(" none");
	printf("\n%-4s %-6s %-4s %-6s %-5s %-7s %-7s %-16s %-9s %s\n", "SEG", "KVMFD", "GEN",
	       "TRANS", "REFS", "VIOMMUS", "PID", "COMM", "AGE(s)", "VM");
	for (unsigned int i = 0; i < ctx->nrows; i++) {
		const struct tdv_entry_view *v = &ctx->rows[i];
		char comm[TDV_ESC_SIZE(sizeof(v->owner_comm))];

		printf("%-4u %-6u %-4u 0x%04x %-5u %-7u %-7u %-16s %-9.1f 0x%" PRIx64 "%s\n",
		       v->seg, v->kvmfd, v->gen, v->trans_devid, v->refs, v->viommus, v->owner_tgid,
		       tdv_esc(comm, sizeof(comm), v->owner_comm, sizeof(v->owner_comm)),
		       v->created_ns < now_ns ? (now_ns - v->created_ns) / 1e9 : 0.0, v->vm,
		       v->leaked ? " LEAKED" : "");
	}
	putchar('\n');
}

static bool on_tick(void *data, uint64_t now_ns, uint64_t new_drops)
{
	struct top_ctx *ctx = data;

	tdv_feed_tick(&ctx->feed, now_ns, new_drops);
	if (now_ns < ctx->next_ns)
		return false;
	ctx->next_ns = now_ns + ctx->iv.interval_s * 1000000000ULL;
	print_table(ctx, now_ns);
	return ctx->iv.count && ++ctx->printed >= ctx->iv.count;
}

int cmd_top(int argc, char **argv)
{
	struct top_ctx *ctx = calloc(1, sizeof(*ctx));
	struct tdv_live live;
	int err;

	if (!ctx)
		return TDV_EXIT_ENV;
	ctx->iv.interval_s = 1;
	tdv_options_init(&ctx->opts);
	argp_parse(&top_argp, argc, argv, 0, NULL, ctx);
	ctx->model = tdv_model_new(TDV_DEFAULT_GRACE_NS, ignore_report, ctx);
	if (ctx->model)
		tdv_feed_init(&ctx->feed, ctx->model);
	err = ctx->model
		      ? tdv_live_start(&live, &ctx->opts, tdv_feed_event, &ctx->feed, tdv_feed_seed)
		      : TDV_EXIT_ENV;
	if (err)
		goto out;
	tdv_model_observe(ctx->model, tdv_session_observed(&live.session));
	ctx->next_ns = live.start_ns + ctx->iv.interval_s * 1000000000ULL;
	err = tdv_live_run(&live, on_tick, ctx);
	tdv_live_stop(&live, ctx->feed.events);
out:
	if (ctx->model)
		tdv_feed_free(&ctx->feed);
	tdv_model_free(ctx->model);
	free(ctx->rows);
	free(ctx);
	return err;
}
