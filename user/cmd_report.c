// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "capture.h"
#include "commands.h"
#include "event_format.h"
#include "feed.h"
#include "hist.h"
#include "hist_format.h"
#include "json.h"
#include "model.h"
#include "options.h"
#include "output.h"
#include "perfetto_format.h"
#include "recfile.h"
#include "safe_file.h"
#include "report_printer.h"
#include "svg_format.h"
#include "text_escape.h"

static const char report_doc[] =
	"Analyse a recording made by `tdvtrace record`, on any machine: the leak and "
	"anomaly reports `tdvtrace leaks` would have made live, entry timelines, and "
	"latency histograms of the recorded calls.\v"
	"Formats: text (default); json (NDJSON: reports, timelines and histograms as "
	"the live commands print them); perfetto (Chrome trace event JSON for "
	"ui.perfetto.dev and chrome://tracing); svg (a timeline picture); events (every "
	"recorded event, as `tdvtrace trace --json` prints it). "
	"FILE is a regular file, or - for standard input, of at most 1 GiB (it is read "
	"into memory). -o OUT must not exist (--force replaces a regular file, or a "
	"symlink itself) nor be FILE; it is written beside OUT and takes its name when "
	"complete, so a failed report leaves nothing and OUT as it was. "
	"Exit status: 0 nothing found, 1 an error (the file cannot be read or is no "
	"recording, -o cannot be written), 2 bad usage, 3 reports, 4 the recording is "
	"damaged (what could be read is still analysed, and marked partial).";

enum format { FMT_TEXT, FMT_JSON, FMT_PERFETTO, FMT_SVG, FMT_EVENTS };
enum { OPT_FORMAT = 0x400, OPT_NO_HIST, OPT_FORCE };

static const char *const format_names[] = { "text", "json", "perfetto", "svg", "events" };

static const struct argp_option report_options[] = {
	{ "format", OPT_FORMAT, "FMT", 0,
	  "text, json, perfetto, svg, or events (the recorded events as trace --json)", 0 },
	{ "output", 'o', "OUT", 0,
	  "Write to OUT instead of standard output: a new file, renamed into place when "
	  "complete",
	  0 },
	{ "force", OPT_FORCE, NULL, 0, "Let -o replace a file that exists", 0 },
	{ "no-hist", OPT_NO_HIST, NULL, 0, "No latency histograms (text, json)", 0 },
	{},
};

struct report_ctx {
	struct tdv_options opts;
	const char *path, *out_path;
	enum format format;
	bool format_given, no_hist;
	struct tdv_hist_options hist;
	struct tdv_report_options rep;
	FILE *out;
	struct tdv_report_printer printer; /* text, json */
	struct tdv_rec_header header;
	bool have_header;
	uint64_t start_ns, last_ns, lost;
	struct tdv_model *model;
	struct tdv_feed feed;
	struct tdv_hist_set hists;
	struct tdv_capture capture; /* perfetto, svg */
	bool force;		    /* -o may replace a file */
	struct tdv_new_file file;   /* -o, until committed */
	struct tdv_output file_out; /* the stream over it */
	int err;
};

/* Each format shows some of what the options ask for; the rest is refused. */
static void refuse_ignored(const struct report_ctx *ctx, struct argp_state *state)
{
	const char *fmt = format_names[ctx->format];
	bool hists = ctx->format == FMT_TEXT || ctx->format == FMT_JSON;

	if (ctx->hist.given && (!hists || ctx->no_hist))
		argp_error(state, "-m, -u, -n and --per-seg shape histograms, which %s has none of",
			   ctx->no_hist ? "--no-hist" : fmt);
	if (ctx->no_hist && !hists)
		argp_error(state, "--no-hist does not apply to --format %s: it has no histograms",
			   fmt);
	if (ctx->format == FMT_EVENTS && (ctx->rep.grace_given || ctx->rep.timelines))
		argp_error(state, "--grace-ms and --timelines shape reports, which --format events "
				  "has none of");
	if ((ctx->format == FMT_PERFETTO || ctx->format == FMT_SVG) && ctx->rep.timelines)
		argp_error(state,
			   "--timelines does not apply to --format %s: it shows every "
			   "entry's timeline",
			   fmt);
}

static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	struct report_ctx *ctx = state->input;
	size_t i;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ctx->opts;
		state->child_inputs[1] = &ctx->hist;
		state->child_inputs[2] = &ctx->rep;
		break;
	case OPT_FORMAT:
		for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
			if (!strcmp(arg, format_names[i]))
				break;
		if (i == sizeof(format_names) / sizeof(format_names[0]))
			argp_error(state,
				   "invalid --format '%s': expected text, json, perfetto, svg or "
				   "events",
				   arg);
		ctx->format = i;
		ctx->format_given = true;
		break;
	case 'o':
		ctx->out_path = arg;
		break;
	case OPT_NO_HIST:
		ctx->no_hist = true;
		break;
	case OPT_FORCE:
		ctx->force = true;
		break;
	case ARGP_KEY_ARG:
		if (ctx->path)
			argp_error(state, "one recording at a time: '%s' is one too many", arg);
		ctx->path = arg;
		break;
	case ARGP_KEY_END:
		if (!ctx->path)
			argp_error(state, "no recording given: tdvtrace report FILE");
		if (ctx->force && !ctx->out_path)
			argp_error(state, "--force applies to -o OUT, which is not given");
		if (ctx->opts.json && ctx->format_given && ctx->format != FMT_JSON)
			argp_error(state, "--json and --format %s contradict: give one of them",
				   format_names[ctx->format]);
		if (ctx->opts.json)
			ctx->format = FMT_JSON;
		refuse_ignored(ctx, state);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child report_children[] = {
	{ &tdv_filter_argp, 0, NULL, 0 },
	{ &tdv_hist_argp, 0, NULL, 0 },
	{ &tdv_report_argp, 0, NULL, 0 },
	{},
};

static const struct argp report_argp = {
	.options = report_options,
	.parser = parse_report,
	.args_doc = "FILE",
	.doc = report_doc,
	.children = report_children,
};

static bool capturing(const struct report_ctx *ctx)
{
	return ctx->format == FMT_PERFETTO || ctx->format == FMT_SVG;
}

static void keep(struct report_ctx *ctx, int err)
{
	if (err && !ctx->err)
		ctx->err = err;
}

/* ---- the model's output: as tdvtrace leaks prints it, or kept ---------- */

static void on_report(void *data, const struct tdv_report *r)
{
	struct report_ctx *ctx = data;

	if (ctx->format == FMT_EVENTS)
		return; /* the events alone */
	if (capturing(ctx))
		keep(ctx, tdv_capture_report(&ctx->capture, r));
	else
		tdv_printer_report(&ctx->printer, r);
}

static void on_timeline(void *data, const struct tdv_timeline *t)
{
	struct report_ctx *ctx = data;

	if (capturing(ctx))
		keep(ctx, tdv_capture_timeline(&ctx->capture, t));
	else
		tdv_printer_timeline(&ctx->printer, t);
}

/* ---- the recording, replayed through the same feed as a live run ------- */

static void replay_header(void *data, const struct tdv_rec_header *h)
{
	struct report_ctx *ctx = data;

	ctx->header = *h;
	ctx->have_header = true;
	/* What the live run saw at every call; a minor 0 file: its id events decide. */
	if (h->has_observed)
		tdv_model_observe(ctx->model, h->observed);
	ctx->start_ns = ctx->last_ns = h->start_ns;
	ctx->printer.start_ns = h->start_ns;
}

static void replay_seed(void *data, const struct tdv_model_seed *s)
{
	struct report_ctx *ctx = data;
	struct tdv_event as_event = {
		.tgid = s->tgid,
		.seg = s->seg,
		.kvmfd = s->kvmfd,
		.fields = TDV_F_SEG | TDV_F_KVMFD,
	};

	if (tdv_filter_event(&ctx->opts.filter, &as_event))
		tdv_feed_seed(&ctx->feed, s);
}

static void replay_event(void *data, const struct tdv_event *e)
{
	struct report_ctx *ctx = data;
	struct tdv_event copy = *e;

	if (e->ts_ns > ctx->last_ns)
		ctx->last_ns = e->ts_ns;
	if (!tdv_filter_event(&ctx->opts.filter, e))
		return;
	if (ctx->format == FMT_EVENTS)
		tdv_event_print_json(ctx->out, e);
	if (!ctx->no_hist)
		keep(ctx,
		     tdv_hist_set_add_event(&ctx->hists, e, ctx->hist.unit_ns, ctx->hist.per_seg));
	tdv_feed_event(&ctx->feed, &copy, sizeof(copy));
}

/* A time mark of the live run (each poll), with the events lost by then. */
static void replay_loss(void *data, uint64_t ts_ns, uint64_t lost)
{
	struct report_ctx *ctx = data;

	if (ts_ns > ctx->last_ns)
		ctx->last_ns = ts_ns;
	ctx->lost += lost;
	tdv_feed_tick(&ctx->feed, ts_ns, lost);
}

static void replay_end(void *data, uint64_t end_ns, uint64_t events, uint64_t lost)
{
	struct report_ctx *ctx = data;

	if (end_ns > ctx->last_ns)
		ctx->last_ns = end_ns;
}

static const struct tdv_rec_visitor visitor = {
	.header = replay_header,
	.event = replay_event,
	.loss = replay_loss,
	.seed = replay_seed,
	.end = replay_end,
};

/* ---- output -------------------------------------------------------------- */

/* Which pool operations the live run derived, as its header says. */
static const char *derived_note(const struct tdv_rec_header *h)
{
	if (!h->has_observed)
		return "";
	switch (h->observed & TDV_OBSERVE_ALL) {
	case TDV_OBSERVE_ALL:
		return "";
	case TDV_OBSERVE_ID_FREE:
		return "; derived: id_alloc (from gets)";
	case TDV_OBSERVE_ID_ALLOC:
		return "; derived: id_free (from trans_devid_xa at final puts)";
	default:
		return "; derived: id_alloc (from gets), id_free (from trans_devid_xa at final "
		       "puts)";
	}
}

/* Where and when it was recorded; every string of the file escaped. */
static void describe_recording(const struct report_ctx *ctx)
{
	const struct tdv_rec_header *h = &ctx->header;
	time_t wall = (h->start_ns + h->boot_offset_ns) / 1000000000ULL;
	char when[32] = "?";
	const char *sep = "; not traced: ";

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&wall));
	fputs("tdvtrace: ", stderr);
	tdv_esc_fputs(stderr, ctx->path, SIZE_MAX);
	fputs(": recorded on ", stderr);
	tdv_esc_fputs(stderr, h->hostname, sizeof(h->hostname));
	fputs(" (kernel ", stderr);
	tdv_esc_fputs(stderr, h->krelease, sizeof(h->krelease));
	fputs(", ", stderr);
	tdv_esc_fputs(stderr, h->version, sizeof(h->version));
	fprintf(stderr, ") from %s for %.1f s", when, (ctx->last_ns - h->start_ns) / 1e9);
	for (unsigned int i = 0; i < h->nprobes && i < TDV_REC_MAX_PROBES; i++) {
		if (h->probes[i].attach != TDV_REC_MISSING)
			continue;
		fputs(sep, stderr);
		tdv_esc_fputs(stderr, h->probes[i].name, sizeof(h->probes[i].name));
		sep = ", ";
	}
	fprintf(stderr, "%s\n", derived_note(h));
}

static void print_hists(struct report_ctx *ctx)
{
	struct tdv_hist_print p = { .unit_ns = ctx->hist.unit_ns };

	for (size_t i = 0; i < ctx->hists.n; i++) {
		if (ctx->format == FMT_JSON)
			tdv_hist_print_json(ctx->out, &ctx->hists.h[i], &p);
		else
			tdv_hist_print_text(ctx->out, &ctx->hists.h[i], &p);
	}
}

static void capture_live_timeline(void *data, const struct tdv_timeline *t)
{
	struct report_ctx *ctx = data;

	keep(ctx, tdv_capture_timeline(&ctx->capture, t));
}

static int write_capture(struct report_ctx *ctx)
{
	tdv_model_each_timeline(ctx->model, capture_live_timeline, ctx);
	ctx->capture.start_ns = ctx->start_ns;
	ctx->capture.end_ns = ctx->last_ns;
	if (ctx->err)
		return ctx->err;
	if (ctx->format == FMT_PERFETTO)
		return tdv_perfetto_write(ctx->out, &ctx->capture);
	return tdv_svg_write(ctx->out, &ctx->capture);
}

/* "tdvtrace: ERROR": it names the file, which anyone may have named. */
static void print_error(const char *error)
{
	fputs("tdvtrace: ", stderr);
	tdv_esc_fputs(stderr, error, SIZE_MAX);
	fputc('\n', stderr);
}

/* Say a report is partial where its reader will see it. */
static void mark_partial(struct report_ctx *ctx, const struct tdv_rec_result *res)
{
	if (ctx->format == FMT_JSON || ctx->format == FMT_EVENTS) {
		struct tdv_json w;

		tdv_json_init(&w, ctx->out);
		tdv_json_start_object(&w);
		tdv_json_name(&w, "partial");
		tdv_json_start_object(&w);
		tdv_json_string_field(&w, "status", tdv_rec_status_name(res->status));
		tdv_json_uint_field(&w, "offset", res->offset);
		tdv_json_uint_field(&w, "records", res->records);
		tdv_json_string_n_field(&w, "error", res->error, sizeof(res->error));
		tdv_json_end_object(&w);
		tdv_json_end_object(&w);
		tdv_json_end_line(&w);
	} else if (ctx->format == FMT_TEXT) {
		fputs("\nPARTIAL REPORT: ", ctx->out);
		tdv_esc_fputs(ctx->out, res->error, sizeof(res->error));
		fputc('\n', ctx->out);
	}
	print_error(res->error);
}

/* The recording, read whole before any output exists. 0 or TDV_EXIT_ENV. */
static int read_recording(struct report_ctx *ctx, uint8_t **buf, size_t *len, struct stat *st)
{
	char why[192];

	if (!tdv_read_whole(ctx->path, TDV_REC_MAX_FILE, buf, len, st, why, sizeof(why)))
		return 0;
	fputs("tdvtrace: ", stderr);
	tdv_esc_fputs(stderr, ctx->path, SIZE_MAX);
	fprintf(stderr, ": %s\n", why);
	return TDV_EXIT_ENV;
}

/* -o: a new file beside OUT, never the recording itself. 0 or TDV_EXIT_ENV. */
static int open_output(struct report_ctx *ctx, const struct stat *in)
{
	struct stat st;
	char why[512];

	if (!ctx->out_path) {
		ctx->out = stdout;
		return 0;
	}
	if (!stat(ctx->out_path, &st) && st.st_dev == in->st_dev && st.st_ino == in->st_ino) {
		fprintf(stderr, "tdvtrace: %s is the recording being read: give another -o\n",
			ctx->out_path);
		return TDV_EXIT_ENV;
	}
	if (tdv_new_file_create(&ctx->file, ctx->out_path, 0666, ctx->force, why, sizeof(why))) {
		fprintf(stderr, "tdvtrace: %s\n", why);
		return TDV_EXIT_ENV;
	}
	if (tdv_output_open(&ctx->file_out, ctx->file.fd, true, ctx->out_path)) {
		fprintf(stderr, "tdvtrace: %s\n", strerror(ENOMEM));
		close(ctx->file.fd);
		tdv_new_file_end(&ctx->file);
		return TDV_EXIT_ENV;
	}
	ctx->out = ctx->file_out.f;
	return 0;
}

/* -o: the output takes its name if all of it was written, else it goes. */
static int close_output(struct report_ctx *ctx, int status)
{
	char why[512];

	if (!ctx->out_path || !ctx->out)
		return status;
	if (status != TDV_EXIT_ENV) {
		status = tdv_output_status(&ctx->file_out, status);
		if (status != TDV_EXIT_ENV && fsync(ctx->file.fd))
			status = tdv_output_status(&ctx->file_out, TDV_EXIT_ENV);
	}
	if (status != TDV_EXIT_ENV && tdv_new_file_commit(&ctx->file, why, sizeof(why))) {
		fprintf(stderr, "tdvtrace: %s\n", why);
		status = TDV_EXIT_ENV;
	}
	tdv_output_close(&ctx->file_out);
	tdv_new_file_end(&ctx->file);
	return status;
}

int cmd_report(int argc, char **argv)
{
	struct report_ctx ctx = {};
	struct tdv_rec_result res;
	char msg[sizeof(res.error)];
	uint8_t *rec = NULL;
	size_t rec_len = 0;
	struct stat in;
	int err, found;

	tdv_options_init(&ctx.opts);
	argp_parse(&report_argp, argc, argv, 0, NULL, &ctx);
	if (ctx.format == FMT_EVENTS)
		ctx.no_hist = true;
	/* Read first, write last: a bad input leaves -o as it was. */
	err = read_recording(&ctx, &rec, &rec_len, &in);
	if (err)
		return err;
	ctx.model = tdv_model_new(ctx.rep.grace_ns, on_report, &ctx);
	if (!ctx.model) {
		fprintf(stderr, "tdvtrace: out of memory\n");
		free(rec);
		return TDV_EXIT_ENV;
	}
	err = open_output(&ctx, &in);
	if (err)
		goto out;
	ctx.printer = (struct tdv_report_printer){ .f = ctx.out,
						   .json = ctx.format == FMT_JSON,
						   .timelines = ctx.rep.timelines };
	if (ctx.rep.timelines == TDV_TIMELINES_ALL || capturing(&ctx))
		tdv_model_on_close(ctx.model, on_timeline, &ctx);
	tdv_feed_init(&ctx.feed, ctx.model);
	tdv_hist_set_init(&ctx.hists);
	tdv_capture_init(&ctx.capture);

	tdv_rec_read_mem(rec, rec_len, &visitor, &ctx, &res);
	if (res.error[0] && snprintf(msg, sizeof(msg), "%s: %s", ctx.path, res.error) >= 0)
		memcpy(res.error, msg, sizeof(msg));
	if (!ctx.have_header) {
		/* Nothing to analyse: not a recording, or a newer one. */
		print_error(res.error);
		err = TDV_EXIT_ENV;
		goto out;
	}
	describe_recording(&ctx);
	tdv_feed_finish(&ctx.feed, ctx.last_ns, ctx.lost || res.status != TDV_REC_OK);
	if (capturing(&ctx))
		keep(&ctx, write_capture(&ctx));
	else if (!ctx.no_hist)
		print_hists(&ctx);
	if (res.status != TDV_REC_OK)
		mark_partial(&ctx, &res);
	found = tdv_printer_summary(ctx.model, ctx.format == FMT_TEXT ? ctx.out : stderr);
	if (ctx.err) {
		fprintf(stderr, "tdvtrace: %s\n", strerror(-ctx.err));
		err = TDV_EXIT_ENV;
	} else if (res.status != TDV_REC_OK) {
		err = TDV_EXIT_PARTIAL;
	} else if (ctx.format != FMT_EVENTS) {
		err = found; /* as leaks says it */
	}
out:
	err = close_output(&ctx, err);
	if (ctx.out) {
		tdv_capture_free(&ctx.capture);
		tdv_hist_set_free(&ctx.hists);
		tdv_feed_free(&ctx.feed);
	}
	tdv_model_free(ctx.model);
	free(rec);
	return err;
}
