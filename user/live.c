// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "discover.h"
#include "event_format.h"
#include "kallsyms.h"
#include "live.h"
#include "output.h"
#include "preflight.h"
#include "revision.h"

#define POLL_MS 100
#define LOSS_SAY_NS 1000000000ULL

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

uint64_t tdv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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

/* Evidence the BPF side lost, but for ring-buffer drops, per TDV_LOSSES field. */
static void evidence_losses(struct tdv_session *s, uint64_t out[TDV_LOSS_KINDS])
{
	struct tdv_counters c[TDV_EV_MAX];

	memset(out, 0, TDV_LOSS_KINDS * sizeof(*out));
	if (tdv_session_counters(s, c))
		return;
	for (int k = 0; k < TDV_EV_MAX; k++) {
		int i = 0;

#define TDV_LOSS_ADD(name, what) out[i++] += c[k].name;
		TDV_LOSSES(TDV_LOSS_ADD)
#undef TDV_LOSS_ADD
	}
	out[0] = 0; /* drops: said on their own */
}

/* Calls no program saw: BPF recursion, kprobe and kretprobe misses. */
static uint64_t total_missed(struct tdv_session *s)
{
	__s64 kprobes = tdv_session_kprobe_missed(s, NULL, NULL);

	return tdv_session_missed(s, NULL, NULL) + (kprobes > 0 ? kprobes : 0);
}

static const char *const loss_what[] = {
#define TDV_LOSS_WHAT(name, what) what,
	TDV_LOSSES(TDV_LOSS_WHAT)
#undef TDV_LOSS_WHAT
};

/*
 * What was lost since the last call: ring-buffer drops, evidence the
 * programs could not keep, calls they never saw. Counted at every poll, so
 * the model knows of a loss before it reports on the time around it; said
 * (@say) at most once a second. Returns how many were lost anew.
 */
static uint64_t check_losses(struct tdv_live *l, bool say)
{
	uint64_t drops = total_drops(&l->session), ev[TDV_LOSS_KINDS];
	uint64_t missed = total_missed(&l->session), total = drops + missed, fresh;

	evidence_losses(&l->session, ev);
	for (int i = 1; i < TDV_LOSS_KINDS; i++)
		total += ev[i];
	fresh = total > l->lost ? total - l->lost : 0;
	l->lost += fresh;
	if (!say)
		return fresh;
	if (drops > l->drops)
		fprintf(stderr, "tdvtrace: lost %" PRIu64 " events (ring buffer full)\n",
			drops - l->drops);
	l->drops = drops;
	for (int i = 1; i < TDV_LOSS_KINDS; i++) {
		if (ev[i] > l->evidence[i])
			fprintf(stderr, "tdvtrace: lost evidence %" PRIu64 "x: %s\n",
				ev[i] - l->evidence[i], loss_what[i]);
		l->evidence[i] = ev[i];
	}
	if (missed > l->missed)
		fprintf(stderr, "tdvtrace: missed %" PRIu64 " calls (a probe did not run)\n",
			missed - l->missed);
	l->missed = missed;
	return fresh;
}

/* Entries that predate us: into the BPF maps, and to @fn if there is one. */
static void discover_existing(struct tdv_live *l, tdv_seed_fn fn, void *ctx)
{
	struct tdv_discovery d;
	int err = tdv_discover(&d);
	size_t n;

	if (err && d.blind[0]) {
		fprintf(stderr,
			"tdvtrace: warning: found no existing entries because it could not "
			"look: %s; VMs that predate tdvtrace are unknown to it\n",
			d.blind);
		return;
	}
	if (err) {
		fprintf(stderr,
			"tdvtrace: warning: cannot discover existing entries (%s): "
			"VMs that predate tdvtrace are unknown to it\n",
			strerror(-err));
		return;
	}
	n = tdv_seed(&d, &l->session, fn, ctx, tdv_now_ns());
	if (n)
		fprintf(stderr, "tdvtrace: found %zu live entr%s\n", n, n == 1 ? "y" : "ies");
	tdv_discovery_free(&d);
}

int tdv_live_explain(const struct tdv_session *s, const struct tdv_session_error *why)
{
	char missing[1024], line[2048];
	struct tdv_revision rev;

	switch (why->step) {
	case TDV_STEP_KALLSYMS:
		fprintf(stderr, "tdvtrace: cannot read /proc/kallsyms: %s\n", strerror(-why->err));
		break;
	case TDV_STEP_PATCH:
		tdv_probes_missing_required(&s->probes, missing, sizeof(missing));
		if (tdv_revision_detect(TDV_KALLSYMS, &rev))
			memset(&rev, 0, sizeof(rev));
		tdv_revision_explain(&rev, missing, line, sizeof(line));
		fprintf(stderr, "tdvtrace: %s\n", line);
		break;
	case TDV_STEP_KPROBES:
		fprintf(stderr,
			"tdvtrace: --attach kprobe: this kernel has no kprobe PMU "
			"(/sys/bus/event_source/devices/kprobe; CONFIG_KPROBE_EVENTS is off): "
			"use --attach fentry\n");
		break;
	case TDV_STEP_MISMATCH:
		fprintf(stderr, "tdvtrace: %s\n", why->detail);
		break;
	case TDV_STEP_LOAD:
		fprintf(stderr,
			"tdvtrace: cannot load BPF programs: %s "
			"(run with -v for the verifier log)\n",
			strerror(-why->err));
		break;
	case TDV_STEP_ATTACH:
		fprintf(stderr, "tdvtrace: cannot attach %s (%s): %s\n", why->probe->event,
			why->probe->symbol, why->probe->why);
		break;
	case TDV_STEP_RINGBUF:
		fprintf(stderr, "tdvtrace: cannot open ring buffer: %s\n", strerror(-why->err));
		break;
	}
	return TDV_EXIT_ENV;
}

void tdv_live_warn_missing(const struct tdv_session *s)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		const struct tdv_probe *p = &s->probes.probe[i];

		const char *from;

		if (p->how != TDV_HOW_MISSING || p->unused)
			continue;
		if (tdv_probe_observed(&s->probes, p, &from) == TDV_OBS_DERIVED)
			fprintf(stderr, "tdvtrace: no %s events (%s %s): derived from %s\n",
				p->event, p->symbol, p->why, from);
		else
			fprintf(stderr, "tdvtrace: warning: no %s events: %s %s\n", p->event,
				p->symbol, p->why);
	}
}

/* "attached N probes (F fentry, K kprobe, 1 tracepoint, M missing)" */
static void describe(const struct tdv_session *s, char *buf, size_t len)
{
	int n[TDV_HOW_TRACEPOINT + 1] = {};

	for (int i = 0; i < TDV_PROBE_COUNT; i++)
		if (!s->probes.probe[i].unused)
			n[s->probes.probe[i].how]++;
	snprintf(buf, len,
		 "attached %d probes (%d fentry, %d kprobe, "
		 "%d tracepoint, %d missing)",
		 n[TDV_HOW_FENTRY] + n[TDV_HOW_KPROBE] + n[TDV_HOW_TRACEPOINT], n[TDV_HOW_FENTRY],
		 n[TDV_HOW_KPROBE], n[TDV_HOW_TRACEPOINT], n[TDV_HOW_MISSING]);
}

int tdv_live_start(struct tdv_live *l, const struct tdv_options *opts,
		   ring_buffer_sample_fn on_event, void *ctx, tdv_seed_fn on_seed)
{
	/* No SA_RESTART: a signal must cut the poll short. */
	struct sigaction sa = { .sa_handler = on_signal };
	struct tdv_session_error why;
	char what[128];
	int err;

	memset(l, 0, sizeof(*l));
	tdv_libbpf_logging(opts->verbose);
	err = tdv_preflight();
	if (err)
		return err;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* the terminal went: end as on SIGTERM */
	if (tdv_session_open(&l->session, opts, on_event, ctx, &why))
		return tdv_live_explain(&l->session, &why);
	tdv_live_warn_missing(&l->session);
	/* Probes first, then discovery: nothing falls between the two. */
	if (l->session.skel)
		discover_existing(l, on_seed, ctx); /* histograms need no history */
	describe(&l->session, what, sizeof(what));
	fprintf(stderr, "tdvtrace: %s; Ctrl-C to stop\n", what);
	l->start_ns = tdv_now_ns();
	if (opts->duration_s)
		l->deadline_ns = l->start_ns + opts->duration_s * 1000000000ULL;
	return 0;
}

int tdv_live_run(struct tdv_live *l, tdv_tick_fn tick, void *ctx)
{
	uint64_t next_say = l->start_ns + LOSS_SAY_NS;

	while (!exiting) {
		uint64_t now = tdv_now_ns(), lost;
		bool say = now >= next_say;
		int err;

		/* Losses first: the tick may deliver reports on the time before now. */
		if (say)
			next_say = now + LOSS_SAY_NS;
		lost = check_losses(l, say);
		/*
		 * Read what was committed before now first: the tick lets the
		 * model decide on the time before now, which an event still
		 * in the ring buffer could change (report replays it that way).
		 */
		tdv_session_poll(&l->session, 0);
		if (tick && tick(ctx, now, lost))
			break;
		/* A reader that went away ends the run as SIGINT does; an error too. */
		if (tdv_output_check(tdv_stdout()))
			break;
		if (l->deadline_ns && now >= l->deadline_ns)
			break;
		err = tdv_session_poll(&l->session, POLL_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "tdvtrace: ring buffer poll: %s\n", strerror(-err));
			return TDV_EXIT_ENV;
		}
	}
	tdv_session_poll(&l->session, 0);
	check_losses(l, true);
	return 0;
}

/* "get 5, put 7": where the ring buffer dropped events, per event kind. */
static void print_drops_by_kind(struct tdv_session *s)
{
	struct tdv_counters c[TDV_EV_MAX];
	const char *sep = " (";

	if (tdv_session_counters(s, c))
		return;
	for (int k = 1; k < TDV_EV_MAX; k++) {
		if (!c[k].drops)
			continue;
		fprintf(stderr, "%s%s %" PRIu64, sep, tdv_event_name(k), (uint64_t)c[k].drops);
		sep = ", ";
	}
	if (*sep == ',')
		fputc(')', stderr);
}

struct missed_list {
	FILE *f;
	const char *sep;
};

/* " (get_kretprobe 3": the program is the probe and its flavour. */
static void list_missed(void *ctx, const char *program, __u64 missed)
{
	struct missed_list *list = ctx;

	fprintf(list->f, "%s%s %llu", list->sep, program, (unsigned long long)missed);
	list->sep = ", ";
}

/* ", N evidence lost (calls_full get 2, ...)": by why and event kind. */
static void print_evidence_lost(struct tdv_session *s)
{
	struct tdv_counters c[TDV_EV_MAX];
	const char *sep = " (";
	uint64_t total = 0;

	if (tdv_session_counters(s, c))
		return;
#define TDV_LOSS_PLUS(name, what) +c[k].name
	for (int k = 1; k < TDV_EV_MAX; k++)
		total += 0 TDV_LOSSES(TDV_LOSS_PLUS) - c[k].drops;
#undef TDV_LOSS_PLUS
	if (!total)
		return;
	fprintf(stderr, ", %" PRIu64 " evidence lost", total);
	for (int k = 1; k < TDV_EV_MAX; k++) {
#define TDV_LOSS_PRINT(name, what)                                                                 \
	if (c[k].name && strcmp(#name, "drops")) {                                                 \
		fprintf(stderr, "%s%s %s %" PRIu64, sep, #name, tdv_event_name(k),                 \
			(uint64_t)c[k].name);                                                      \
		sep = ", ";                                                                        \
	}
		TDV_LOSSES(TDV_LOSS_PRINT)
#undef TDV_LOSS_PRINT
	}
	fputc(')', stderr);
}

/*
 * ", N missed (get_kretprobe 3, ...)": the count, then which programs;
 * where the kernel does not count kprobe misses, that said.
 */
static void print_missed(struct tdv_session *s)
{
	char *which = NULL;
	size_t len = 0;
	struct missed_list list = { .f = open_memstream(&which, &len), .sep = " (" };
	uint64_t missed = tdv_session_missed(s, list.f ? list_missed : NULL, &list);
	__s64 kprobes = tdv_session_kprobe_missed(s, list.f ? list_missed : NULL, &list);

	if (kprobes > 0)
		missed += kprobes;
	if (list.f) {
		if (*list.sep == ',')
			fputc(')', list.f);
		fclose(list.f);
	}
	fprintf(stderr, ", %" PRIu64 " missed%s%s\n", missed, which ? which : "",
		kprobes == -EOPNOTSUPP ? " (kprobe misses not counted: the kernel's link info "
					 "has them from Linux 6.7)"
				       : "");
	free(which);
}

void tdv_live_stop(struct tdv_live *l, uint64_t events)
{
	check_losses(l, true);
	tdv_output_check(tdv_stdout());
	fprintf(stderr, "tdvtrace: %" PRIu64 " %s, %" PRIu64 " lost", events,
		l->session.hist ? "calls" : "events", l->drops);
	print_drops_by_kind(&l->session);
	print_evidence_lost(&l->session);
	print_missed(&l->session);
	tdv_session_close(&l->session);
}
