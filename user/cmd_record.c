// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "commands.h"
#include "event_format.h"
#include "grow.h"
#include "live.h"
#include "recfile.h"
#include "safe_file.h"

static const char record_doc[] =
	"Record every trans_devid event, and the entries that predate the "
	"recording, to FILE for `tdvtrace report` here or on another machine.\v"
	"FILE is created mode 0600 and written every 100 ms: SIGINT, SIGTERM, SIGHUP "
	"or -d end it complete; if tdvtrace dies, what was written is still readable. "
	"FILE must not exist (--force replaces a regular file, or a symlink itself, "
	"never what it points to): it is written as a temporary file beside it, which "
	"takes the name once tracing runs; if start-up fails, nothing is left. "
	"Exit status 0, 1 on an error, 2 bad usage.";

enum { OPT_FORCE = 0x300 };

static const struct argp_option record_options[] = {
	{ "output", 'o', "FILE", 0, "Write the recording to FILE (required)", 0 },
	{ "force", OPT_FORCE, NULL, 0, "Replace FILE if it exists", 0 },
	{},
};

struct record_ctx {
	struct tdv_options opts;
	const char *path;
	bool force;
	struct tdv_model_seed *seeds; /* found before the file has its header */
	size_t nseeds, seeds_cap;
	struct tdv_rec_writer *w;
	uint64_t events;
	int err; /* the first failed write: the recording stops there */
};

static error_t parse_record(int key, char *arg, struct argp_state *state)
{
	struct record_ctx *ctx = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ctx->opts;
		break;
	case 'o':
		ctx->path = arg;
		break;
	case OPT_FORCE:
		ctx->force = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s': the file goes after -o", arg);
		break;
	case ARGP_KEY_END:
		if (!ctx->path)
			argp_error(state, "no output file: give one with -o FILE");
		if (ctx->opts.json)
			argp_error(state,
				   "--json does not apply to record: try 'report --format json'");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child record_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{},
};

static const struct argp record_argp = {
	.options = record_options,
	.parser = parse_record,
	.doc = record_doc,
	.children = record_children,
};

static void keep_seed(void *data, const struct tdv_model_seed *seed)
{
	struct record_ctx *ctx = data;

	if (TDV_GROW(ctx->seeds, ctx->seeds_cap, ctx->nseeds + 1, 16)) {
		ctx->err = -ENOMEM;
		return;
	}
	ctx->seeds[ctx->nseeds++] = *seed;
}

static int on_event(void *data, void *raw, size_t size)
{
	struct record_ctx *ctx = data;
	struct tdv_event e;

	if (ctx->err || tdv_event_decode(raw, size, &e))
		return 0;
	ctx->err = tdv_rec_event(ctx->w, &e);
	ctx->events++;
	return 0;
}

/* Each poll: a time mark (with what was lost) and everything to disk. */
static bool on_tick(void *data, uint64_t now_ns, uint64_t new_drops)
{
	struct record_ctx *ctx = data;

	if (!ctx->err)
		ctx->err = tdv_rec_loss(ctx->w, now_ns, new_drops);
	if (!ctx->err)
		ctx->err = tdv_rec_flush(ctx->w);
	return ctx->err != 0;
}

static void fill_header(struct tdv_rec_header *h, const struct tdv_live *l,
			const struct tdv_options *opts)
{
	struct timespec mono, real;
	struct utsname u;

	memset(h, 0, sizeof(*h));
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	h->start_ns = l->start_ns;
	h->boot_offset_ns =
		(real.tv_sec - mono.tv_sec) * 1000000000LL + real.tv_nsec - mono.tv_nsec;
	h->filter_tgid = opts->filter.tgid;
	h->filter_seg = opts->filter.seg;
	h->filter_kvmfd = opts->filter.kvmfd;
	if (!uname(&u))
		snprintf(h->krelease, sizeof(h->krelease), "%s", u.release);
	snprintf(h->version, sizeof(h->version), "%s", argp_program_version);
	gethostname(h->hostname, sizeof(h->hostname) - 1);
	for (int i = 0; i < TDV_PROBE_COUNT && h->nprobes < TDV_REC_MAX_PROBES; i++) {
		const struct tdv_probe *p = &l->session.probes.probe[i];
		static const uint8_t how[] = {
			[TDV_HOW_MISSING] = TDV_REC_MISSING,
			[TDV_HOW_FENTRY] = TDV_REC_FENTRY,
			[TDV_HOW_KPROBE] = TDV_REC_KPROBE,
			[TDV_HOW_TRACEPOINT] = TDV_REC_TRACEPOINT,
		};

		snprintf(h->probes[h->nprobes].name, sizeof(h->probes[0].name), "%s", p->event);
		h->probes[h->nprobes++].attach = how[p->how];
	}
	h->observed = tdv_session_observed(&l->session);
	h->has_observed = true;
}

int cmd_record(int argc, char **argv)
{
	struct record_ctx ctx = {};
	struct tdv_new_file file;
	struct tdv_rec_header h;
	struct tdv_live live;
	char why[512];
	int err;

	tdv_options_init(&ctx.opts);
	argp_parse(&record_argp, argc, argv, 0, NULL, &ctx);
	/* A bad path fails before anything is attached. */
	if (tdv_new_file_create(&file, ctx.path, 0600, ctx.force, why, sizeof(why))) {
		fprintf(stderr, "tdvtrace: %s\n", why);
		return TDV_EXIT_ENV;
	}
	err = tdv_live_start(&live, &ctx.opts, on_event, &ctx, keep_seed);
	if (err)
		goto out;
	fill_header(&h, &live, &ctx.opts);
	ctx.w = tdv_rec_create(file.fd, &h, why, sizeof(why));
	if (!ctx.w) {
		fprintf(stderr, "tdvtrace: %s: %s\n", ctx.path, why);
		tdv_live_stop(&live, 0);
		err = TDV_EXIT_ENV;
		goto out;
	}
	/* What predates the recording comes first, as it reached the model live. */
	for (size_t i = 0; i < ctx.nseeds && !ctx.err; i++)
		ctx.err = tdv_rec_seed(ctx.w, &ctx.seeds[i]);
	if (!ctx.err)
		ctx.err = tdv_rec_flush(ctx.w);
	/* Tracing runs: the recording takes its name, where it grows from now on. */
	if (!ctx.err && tdv_new_file_commit(&file, why, sizeof(why))) {
		fprintf(stderr, "tdvtrace: %s\n", why);
		tdv_live_stop(&live, 0);
		tdv_rec_close(ctx.w, tdv_now_ns());
		err = TDV_EXIT_ENV;
		goto out;
	}
	if (!ctx.err)
		err = tdv_live_run(&live, on_tick, &ctx);
	tdv_live_stop(&live, ctx.events);
	if (tdv_rec_close(ctx.w, tdv_now_ns()) && !ctx.err)
		ctx.err = -EIO;
	if (ctx.err) {
		fprintf(stderr, "tdvtrace: writing %s: %s%s\n", ctx.path, strerror(-ctx.err),
			file.committed ? "; the recording up to there is readable" : "");
		err = TDV_EXIT_ENV;
	}
out:
	if (!ctx.w)
		close(file.fd); /* else the writer closed it */
	tdv_new_file_end(&file);
	free(ctx.seeds);
	return err;
}
