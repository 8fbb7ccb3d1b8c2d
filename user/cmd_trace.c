// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "commands.h"
#include "event_format.h"
#include "preflight.h"
#include "session.h"

static const char trace_doc[] =
	"Print every trans_devid event as it happens: one line each, or one "
	"JSON object per line with --json.\v"
	"Events: get put id_alloc id_free reserve dte_set dte_clear vfctrl "
	"viommu_init viommu_destroy viommu_uninit seg_fini vm_destroy proc_exit. "
	"Lost-event notices and the summary go to standard error.";

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

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

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

static uint64_t total_drops(struct tdv_session *s)
{
	struct tdv_counters c[TDV_EV_MAX];
	uint64_t drops = 0;

	if (tdv_session_counters(s, c))
		return 0;
	for (int k = 0; k < TDV_EV_MAX; k++)
		drops += c[k].drops;
	return drops;
}

int cmd_trace(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct tdv_options opts;
	struct tdv_session session;
	struct trace_ctx ctx = { .opts = &opts };
	uint64_t deadline = 0, next_check, drops = 0, reported = 0;
	char what[128];
	int err;

	tdv_options_init(&opts);
	argp_parse(&trace_argp, argc, argv, 0, NULL, &opts);
	tdv_libbpf_logging(opts.verbose);
	err = tdv_preflight();
	if (err)
		return err;
	/* No SA_RESTART: a signal must cut the poll short. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = tdv_session_open(&session, &opts, on_event, &ctx);
	if (err)
		return err;
	tdv_session_describe(&session, what, sizeof(what));
	fprintf(stderr, "tdvtrace: %s; Ctrl-C to stop\n", what);
	ctx.start_ns = now_ns();
	if (opts.duration_s)
		deadline = ctx.start_ns + opts.duration_s * 1000000000ULL;
	if (!opts.json)
		tdv_event_print_text_header(stdout);
	fflush(stdout);
	next_check = ctx.start_ns + 1000000000ULL;

	while (!exiting) {
		uint64_t now;

		err = tdv_session_poll(&session, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "tdvtrace: ring buffer poll: %s\n",
				strerror(-err));
			break;
		}
		err = 0;
		fflush(stdout);
		now = now_ns();
		if (deadline && now >= deadline)
			break;
		if (now >= next_check) {
			next_check = now + 1000000000ULL;
			drops = total_drops(&session);
			if (drops > reported) {
				fprintf(stderr, "tdvtrace: lost %" PRIu64
					" events (ring buffer full)\n",
					drops - reported);
				reported = drops;
			}
		}
	}
	tdv_session_poll(&session, 0);
	fflush(stdout);
	drops = total_drops(&session);
	fprintf(stderr, "tdvtrace: %" PRIu64 " events, %" PRIu64 " lost, %"
		PRIu64 " missed\n", ctx.events, drops,
		(uint64_t)tdv_session_missed(&session));
	if (ctx.bad)
		fprintf(stderr, "tdvtrace: %" PRIu64 " malformed records skipped\n",
			ctx.bad);
	tdv_session_close(&session);
	return err ? TDV_EXIT_ENV : TDV_EXIT_OK;
}
