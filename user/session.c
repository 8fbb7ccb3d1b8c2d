// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "session.h"
#include "hist.skel.h"
#include "tdvtrace.skel.h"

#define TDV_DEFAULT_RINGBUF_KB 4096
/* Wake the reader once this many events are queued, not per event. */
#define TDV_WAKEUP_EVENTS 64

static bool libbpf_verbose;
static bool libbpf_quiet; /* a load we expect may fail and will retry */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	if (libbpf_quiet && !libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void tdv_libbpf_logging(bool verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

/* EVENT_FLAVOUR, or NULL when the loaded programs do not trace that way. */
static struct bpf_program *prog_of(struct bpf_object *obj, const char *event, const char *flavour)
{
	char name[64];

	if (!flavour)
		return NULL;
	snprintf(name, sizeof(name), "%s_%s", event, flavour);
	return bpf_object__find_program_by_name(obj, name);
}

static void flavours(const struct tdv_probe *p, const char **entry, const char **exit)
{
	*entry = *exit = NULL;
	switch (p->how) {
	case TDV_HOW_FENTRY:
		*entry = "fentry";
		*exit = "fexit";
		break;
	case TDV_HOW_KPROBE:
		*entry = "kprobe";
		*exit = "kretprobe";
		break;
	case TDV_HOW_TRACEPOINT:
		*entry = "tp";
		break;
	case TDV_HOW_MISSING:
		break;
	}
}

/*
 * Enable exactly the programs of the flavour chosen for each probe. A probe
 * with no program here (hist traces fewer functions) is unused; a return
 * program exists only where the handler needs one.
 */
static void select_programs(struct tdv_session *s)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, s->obj)
		bpf_program__set_autoload(prog, false);
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &s->probes.probe[i];
		struct bpf_program *entry_prog, *exit_prog;
		const char *entry, *exit;

		if (p->unused)
			continue;
		flavours(p, &entry, &exit);
		entry_prog = prog_of(s->obj, p->event, entry);
		exit_prog = prog_of(s->obj, p->event, exit);
		if (entry_prog)
			bpf_program__set_autoload(entry_prog, true);
		if (exit_prog)
			bpf_program__set_autoload(exit_prog, true);
	}
}

/* Probes none of whose flavours the loaded object has. */
static void mark_unused(struct tdv_session *s)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &s->probes.probe[i];

		p->unused = !prog_of(s->obj, p->event, "fentry") &&
			    !prog_of(s->obj, p->event, "kprobe") &&
			    !prog_of(s->obj, p->event, "tp");
	}
}

static bool traced(struct tdv_session *s, const char *event)
{
	return tdv_probe_find(&s->probes, event)->how != TDV_HOW_MISSING;
}

static int load_hist(struct tdv_session *s, const struct tdv_options *opts)
{
	int err;

	s->hist = hist_bpf__open();
	if (!s->hist)
		return -errno;
	s->obj = s->hist->obj;
	s->hist->rodata->filter_tgid = opts->filter.tgid;
	s->hist->rodata->filter_seg = opts->filter.seg;
	s->hist->rodata->unit_ns = opts->hist_unit_ns;
	s->hist->rodata->have_id_alloc = traced(s, "id_alloc");
	mark_unused(s);
	select_programs(s);
	err = hist_bpf__load(s->hist);
	if (err) {
		hist_bpf__destroy(s->hist);
		s->hist = NULL;
		s->obj = NULL;
	}
	return err;
}

static int load(struct tdv_session *s, const struct tdv_options *opts)
{
	unsigned int kb = opts->ringbuf_kb ? opts->ringbuf_kb : TDV_DEFAULT_RINGBUF_KB;
	__u64 wakeup = TDV_WAKEUP_EVENTS * sizeof(struct tdv_event) + 64;
	int err;

	if (opts->hist_unit_ns)
		return load_hist(s, opts);
	s->skel = tdvtrace_bpf__open();
	if (!s->skel)
		return -errno;
	s->obj = s->skel->obj;
	bpf_map__set_max_entries(s->skel->maps.events, kb * 1024);
	s->skel->rodata->filter_tgid = opts->filter.tgid;
	s->skel->rodata->filter_seg = opts->filter.seg;
	s->skel->rodata->filter_kvmfd = opts->filter.kvmfd;
	/* Never sit on more than a quarter of the buffer waiting for a batch. */
	if (wakeup > kb * 1024 / 4)
		wakeup = kb * 1024 / 4;
	s->skel->rodata->wakeup_bytes = wakeup;
	s->skel->rodata->want_stacks = opts->stacks;
	if (opts->stacks)
		bpf_map__set_max_entries(s->skel->maps.stacks, 16384);
	s->skel->rodata->have_id_alloc = traced(s, "id_alloc");
	s->skel->rodata->have_id_free = traced(s, "id_free");
	mark_unused(s);
	select_programs(s);
	err = tdvtrace_bpf__load(s->skel);
	if (err) {
		tdvtrace_bpf__destroy(s->skel);
		s->skel = NULL;
		s->obj = NULL;
	}
	return err;
}

static bool any_fentry(const struct tdv_probe_set *set)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++)
		if (set->probe[i].how == TDV_HOW_FENTRY && !set->probe[i].unused)
			return true;
	return false;
}

static int attach_one(struct tdv_session *s, struct tdv_probe *p, const char *flavour)
{
	struct bpf_program *prog = prog_of(s->obj, p->event, flavour);
	struct bpf_link *link;
	int err;

	if (!prog)
		return 0; /* no return probe needed here */
	link = bpf_program__attach(prog);
	if (link) {
		s->links[s->nlinks++] = link;
		return 0;
	}
	err = -errno;
	snprintf(p->why, sizeof(p->why), "%s attach failed: %s", flavour, strerror(-err));
	return err;
}

/*
 * Attach entry before exit so no return probe sees a call it missed the
 * start of. An optional probe that fails is reported missing, not fatal.
 */
static int attach(struct tdv_session *s)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &s->probes.probe[i];
		const char *entry, *exit;
		int first = s->nlinks;

		flavours(p, &entry, &exit);
		if (!entry || p->unused)
			continue;
		if (!attach_one(s, p, entry) && (!exit || !attach_one(s, p, exit)))
			continue;
		while (s->nlinks > first)
			bpf_link__destroy(s->links[--s->nlinks]);
		if (p->required) {
			fprintf(stderr, "tdvtrace: cannot attach %s (%s): %s\n", p->event,
				p->symbol, p->why);
			return -EINVAL;
		}
		p->how = TDV_HOW_MISSING;
	}
	return 0;
}

int tdv_session_open(struct tdv_session *s, const struct tdv_options *opts,
		     ring_buffer_sample_fn on_event, void *ctx)
{
	char missing[1024];
	int err;

	memset(s, 0, sizeof(*s));
	err = tdv_probes_detect(&s->probes, opts->attach);
	if (err) {
		fprintf(stderr, "tdvtrace: cannot read /proc/kallsyms: %s\n", strerror(-err));
		return TDV_EXIT_ENV;
	}
	tdv_probes_missing_required(&s->probes, missing, sizeof(missing));
	if (missing[0]) {
		fprintf(stderr,
			"tdvtrace: this kernel lacks the trans_devid patch: "
			"missing %s; load the patched amd_iommu driver (or the "
			"tdvsim module) and retry\n",
			missing);
		return TDV_EXIT_ENV;
	}

	/* In auto mode a fentry that fails to load falls back to kprobes. */
	libbpf_quiet = opts->attach == TDV_ATTACH_AUTO && any_fentry(&s->probes);
	err = load(s, opts);
	libbpf_quiet = false;
	if (err && opts->attach == TDV_ATTACH_AUTO && any_fentry(&s->probes)) {
		if (opts->verbose)
			fprintf(stderr,
				"tdvtrace: fentry load failed (%s), "
				"retrying with kprobes\n",
				strerror(-err));
		tdv_probes_use_kprobes(&s->probes);
		err = load(s, opts);
	}
	if (err) {
		fprintf(stderr,
			"tdvtrace: cannot load BPF programs: %s "
			"(run with -v for the verifier log)\n",
			strerror(-err));
		return TDV_EXIT_ENV;
	}
	err = attach(s);
	if (err)
		goto fail;
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		const struct tdv_probe *p = &s->probes.probe[i];

		if (p->how == TDV_HOW_MISSING && !p->unused)
			fprintf(stderr, "tdvtrace: warning: no %s events: %s %s\n", p->event,
				p->symbol, p->why);
	}
	if (s->hist)
		return 0; /* histograms stay in the kernel until read */
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_event, ctx, NULL);
	if (!s->rb) {
		err = -errno;
		fprintf(stderr, "tdvtrace: cannot open ring buffer: %s\n", strerror(-err));
		goto fail;
	}
	return 0;
fail:
	tdv_session_close(s);
	return TDV_EXIT_ENV;
}

int tdv_session_poll(struct tdv_session *s, int timeout_ms)
{
	int err;

	if (!s->rb) {
		struct timespec ts = { timeout_ms / 1000, timeout_ms % 1000 * 1000000L };

		/* A signal cuts it short, as it does the poll. */
		return nanosleep(&ts, NULL) ? -errno : 0;
	}
	err = ring_buffer__poll(s->rb, timeout_ms);

	if (err < 0)
		return err;
	/* The BPF side wakes us per batch only: take what the timer left. */
	return ring_buffer__consume(s->rb);
}

int tdv_session_counters(struct tdv_session *s, struct tdv_counters out[TDV_EV_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	struct tdv_counters percpu[ncpu > 0 ? ncpu : 1];
	int fd = s->skel ? bpf_map__fd(s->skel->maps.counters) : -1;

	if (ncpu <= 0)
		return ncpu;
	memset(out, 0, sizeof(*out) * TDV_EV_MAX);
	if (!s->skel)
		return 0; /* histograms: nothing can be dropped */
	for (__u32 k = 0; k < TDV_EV_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, percpu))
			return -errno;
		for (int c = 0; c < ncpu; c++) {
			out[k].drops += percpu[c].drops;
		}
	}
	return 0;
}

__u64 tdv_session_missed(struct tdv_session *s, FILE *per_probe)
{
	struct bpf_program *prog;
	const char *sep = " (";
	__u64 missed = 0;

	bpf_object__for_each_program (prog, s->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		const char *name = bpf_program__name(prog);

		if (!bpf_program__autoload(prog) ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ||
		    !info.recursion_misses)
			continue;
		missed += info.recursion_misses;
		/* "get_kretprobe 3": the program is the probe and its flavour */
		if (per_probe)
			fprintf(per_probe, "%s%s %llu", sep, name,
				(unsigned long long)info.recursion_misses);
		sep = ", ";
	}
	if (per_probe && missed)
		fputc(')', per_probe);
	return missed;
}

void tdv_session_describe(const struct tdv_session *s, char *buf, size_t len)
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

void tdv_session_close(struct tdv_session *s)
{
	ring_buffer__free(s->rb);
	s->rb = NULL;
	for (int i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	s->nlinks = 0;
	tdvtrace_bpf__destroy(s->skel);
	hist_bpf__destroy(s->hist);
	s->skel = NULL;
	s->hist = NULL;
	s->obj = NULL;
}
