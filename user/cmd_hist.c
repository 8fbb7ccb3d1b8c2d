// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "hist.h"
#include "hist_format.h"
#include "live.h"
#include "hist.skel.h"

static const char hist_doc[] =
	"Latency histograms of the trans_devid allocator, aggregated in the kernel: "
	"per function, get split by outcome (new id, shared, failed), id_alloc split "
	"by pool occupancy (taken ids its scan passed).\v"
	"With no INTERVAL, one summary when stopped (Ctrl-C or -d). With INTERVAL "
	"seconds, the calls of each interval, COUNT times (default: until stopped). "
	"Functions: get put id_alloc viommu_init viommu_destroy dte_set dte_clear. "
	"Exit status 0, 1 on an error, 2 bad usage.";

static const struct argp_option hist_options[] = {
	{ "timestamp", 'T', NULL, 0, "Print the time of each interval", 0 },
	{},
};

struct hist_ctx {
	struct tdv_options opts;
	struct tdv_hist_options hist;
	bool stamps;
	struct tdv_interval iv; /* interval_s 0: one summary at the end */
	unsigned int printed;
	uint64_t next_ns;
	struct tdv_live live;
	struct tdv_hist_set prev, now, delta;
	int err;
};

static error_t parse_hist(int key, char *arg, struct argp_state *state)
{
	struct hist_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ctx->opts;
		state->child_inputs[1] = &ctx->hist;
		state->child_inputs[2] = &ctx->iv;
		break;
	case 'T':
		ctx->stamps = true;
		break;
	case ARGP_KEY_END:
		if (ctx->opts.filter.kvmfd >= 0)
			argp_error(state,
				   "--kvmfd does not apply to hist: filter with -p or --seg");
		if (ctx->opts.ringbuf_kb)
			argp_error(state,
				   "--ringbuf-kb does not apply to hist: it has no ring buffer");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child hist_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{ &tdv_hist_argp, 0, NULL, 0 },
	{ &tdv_interval_argp, 0, NULL, 0 },
	{},
};

static const struct argp hist_argp = {
	.options = hist_options,
	.parser = parse_hist,
	.doc = hist_doc,
	.children = hist_children,
};

/* The kernel's histograms, summed over CPUs (and segments unless --per-seg). */
static int read_hists(struct hist_ctx *ctx, struct tdv_hist_set *out)
{
	int fd = bpf_map__fd(ctx->live.session.hist->maps.hists);
	int ncpu = libbpf_num_possible_cpus();
	struct tdv_hist_key cur, next, key, *prev = NULL;
	struct tdv_hist_val *percpu;
	int err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	tdv_hist_set_clear(out);
	/* Keys are never deleted, so the walk sees each one once. */
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		cur = next;
		prev = &cur;
		if (bpf_map_lookup_elem(fd, &cur, percpu))
			continue;
		key = cur;
		if (!ctx->hist.per_seg)
			key.seg = TDV_HIST_ALL_SEGS;
		for (int c = 0; c < ncpu && !err; c++)
			err = tdv_hist_set_add(out, &key, &percpu[c]);
	}
	free(percpu);
	return err;
}

static void print_set(struct hist_ctx *ctx, const struct tdv_hist_set *set, unsigned int interval)
{
	struct tdv_hist_print p = { .unit_ns = ctx->hist.unit_ns, .interval = interval };
	char stamp[16];
	time_t t = time(NULL);

	if (ctx->stamps) {
		strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&t));
		p.stamp = stamp;
		if (!ctx->opts.json)
			printf("\n%s\n", stamp);
	}
	for (size_t i = 0; i < set->n; i++) {
		if (ctx->opts.json)
			tdv_hist_print_json(stdout, &set->h[i], &p);
		else
			tdv_hist_print_text(stdout, &set->h[i], &p);
	}
	fflush(stdout);
}

/* Print what came since the last interval; false if reading failed. */
static bool print_interval(struct hist_ctx *ctx)
{
	ctx->err = read_hists(ctx, &ctx->now);
	if (!ctx->err)
		ctx->err = tdv_hist_set_diff(&ctx->now, &ctx->prev, &ctx->delta);
	if (!ctx->err)
		ctx->err = tdv_hist_set_copy(&ctx->prev, &ctx->now);
	if (ctx->err) {
		fprintf(stderr, "tdvtrace: reading the histograms: %s\n", strerror(-ctx->err));
		return false;
	}
	ctx->printed++;
	print_set(ctx, &ctx->delta, ctx->iv.interval_s ? ctx->printed : 0);
	return true;
}

static bool on_tick(void *data, uint64_t now_ns, uint64_t new_drops)
{
	struct hist_ctx *ctx = data;

	if (!ctx->iv.interval_s || now_ns < ctx->next_ns)
		return false;
	ctx->next_ns += ctx->iv.interval_s * 1000000000ULL;
	if (!print_interval(ctx))
		return true;
	return ctx->iv.count && ctx->printed >= ctx->iv.count;
}

int cmd_hist(int argc, char **argv)
{
	struct hist_ctx ctx = {};
	int err;

	tdv_options_init(&ctx.opts);
	argp_parse(&hist_argp, argc, argv, 0, NULL, &ctx);
	ctx.opts.hist_unit_ns = ctx.hist.unit_ns; /* a histogram session */
	tdv_hist_set_init(&ctx.prev);
	tdv_hist_set_init(&ctx.now);
	tdv_hist_set_init(&ctx.delta);
	err = tdv_live_start(&ctx.live, &ctx.opts, NULL, NULL, NULL);
	if (err)
		return err;
	ctx.next_ns = ctx.live.start_ns + ctx.iv.interval_s * 1000000000ULL;
	err = tdv_live_run(&ctx.live, on_tick, &ctx);
	/* Stopped early, or no interval: what is left, so totals add up. */
	if (!ctx.err && !(ctx.iv.count && ctx.printed >= ctx.iv.count))
		print_interval(&ctx);
	if (ctx.err)
		err = TDV_EXIT_ENV;
	tdv_live_stop(&ctx.live, tdv_hist_set_calls(&ctx.prev));
	tdv_hist_set_free(&ctx.prev);
	tdv_hist_set_free(&ctx.now);
	tdv_hist_set_free(&ctx.delta);
	return err;
}
