// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "btf_check.h"
#include "kernel_caps.h"
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

/*
 * Where a probe's programs sit in its object's skeleton, by how it attaches
 * (offsets; 0: the object has none), generated from a column of TDV_PROBES.
 * A program the column names and the object lacks is a compile error.
 */
struct tdv_probe_programs {
	size_t entry[TDV_HOW_TRACEPOINT + 1];
	size_t exit[TDV_HOW_TRACEPOINT + 1];
};

struct tdv_session_programs {
	struct tdv_probe_programs probe[TDV_EV_MAX];
};

#define PROG(skel, prog) offsetof(struct skel, progs.prog)
#define PROGRAMS_NONE(skel, name)                                                                  \
	{                                                                                          \
	}
#define PROGRAMS_ENTRY(skel, name)                                                                 \
	{                                                                                          \
		.entry = { [TDV_HOW_FENTRY] = PROG(skel, name##_fentry),                           \
			   [TDV_HOW_KPROBE] = PROG(skel, name##_kprobe) },                         \
	}
#define PROGRAMS_CALL(skel, name)                                                                  \
	{                                                                                          \
		.entry = { [TDV_HOW_FENTRY] = PROG(skel, name##_fentry),                           \
			   [TDV_HOW_KPROBE] = PROG(skel, name##_kprobe) },                         \
		.exit = { [TDV_HOW_FENTRY] = PROG(skel, name##_fexit),                             \
			  [TDV_HOW_KPROBE] = PROG(skel, name##_kretprobe) },                       \
	}
#define PROGRAMS_TRACEPOINT(skel, name)                                                            \
	{                                                                                          \
		.entry = { [TDV_HOW_TRACEPOINT] = PROG(skel, name##_tp) },                         \
	}
#define EVENT_PROGRAMS(KIND, name, sym, flags, events, ...)                                        \
	[TDV_EV_##KIND] = PROGRAMS_##events(tdvtrace_bpf, name),
#define HIST_PROGRAMS(KIND, name, sym, flags, events, hist, ...)                                   \
	[TDV_EV_##KIND] = PROGRAMS_##hist(hist_bpf, name),

static const struct tdv_session_programs event_programs = { { TDV_PROBES(EVENT_PROGRAMS) } };
static const struct tdv_session_programs hist_programs = { { TDV_PROBES(HIST_PROGRAMS) } };

static const struct tdv_probe_programs *programs_of(const struct tdv_session *s, int i)
{
	return &s->progs->probe[i + 1]; /* probe[i] is event kind i + 1 */
}

static struct bpf_program *program_at(const struct tdv_session *s, size_t offset)
{
	return offset ? *(struct bpf_program **)((char *)s->loaded + offset) : NULL;
}

/* Probe @i's entry and return programs for how it attaches; NULL: none. */
static struct bpf_program *entry_program(const struct tdv_session *s, int i)
{
	return program_at(s, programs_of(s, i)->entry[s->probes.probe[i].how]);
}

static struct bpf_program *exit_program(const struct tdv_session *s, int i)
{
	return program_at(s, programs_of(s, i)->exit[s->probes.probe[i].how]);
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
		struct bpf_program *entry_prog, *exit_prog;

		if (s->probes.probe[i].unused)
			continue;
		entry_prog = entry_program(s, i);
		exit_prog = exit_program(s, i);
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
		const size_t *entry = programs_of(s, i)->entry;

		s->probes.probe[i].unused = !entry[TDV_HOW_FENTRY] && !entry[TDV_HOW_KPROBE] &&
					    !entry[TDV_HOW_TRACEPOINT];
	}
}

static int load_hist(struct tdv_session *s, const struct tdv_options *opts)
{
	int err;

	s->hist = hist_bpf__open();
	if (!s->hist)
		return -errno;
	s->obj = s->hist->obj;
	s->loaded = s->hist;
	s->progs = &hist_programs;
	s->hist->rodata->filter_tgid = opts->filter.tgid;
	s->hist->rodata->filter_seg = opts->filter.seg;
	s->hist->rodata->unit_ns = opts->hist_unit_ns;
	/*
	 * Read-only, so taken from detection before attaching: should the
	 * probe then fail to attach, gets that allocate count as shared.
	 */
	s->hist->rodata->have_id_alloc =
		tdv_probe_every_call(tdv_probe_of(&s->probes, TDV_EV_ID_ALLOC));
	mark_unused(s);
	select_programs(s);
	err = hist_bpf__load(s->hist);
	if (err)
		tdv_session_close(s); /* nothing attached yet: destroys the object */
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
	s->loaded = s->skel;
	s->progs = &event_programs;
	bpf_map__set_max_entries(s->skel->maps.events, kb * 1024);
	s->skel->rodata->filter_tgid = opts->filter.tgid;
	s->skel->rodata->filter_seg = opts->filter.seg;
	s->skel->rodata->filter_kvmfd = opts->filter.kvmfd;
	/* Never sit on more than a quarter of the buffer waiting for a batch. */
	if (wakeup > kb * 1024 / 4)
		wakeup = kb * 1024 / 4;
	s->skel->rodata->wakeup_bytes = wakeup;
	s->skel->rodata->want_stacks = opts->stacks;
	if (opts->stacks) {
		bpf_map__set_max_entries(s->skel->maps.stacks,
					 opts->map_entries ? opts->map_entries : 16384);
		bpf_map__set_max_entries(s->skel->maps.ustack_copies, 256);
	}
	if (opts->map_entries) {
		struct bpf_map *maps[] = { s->skel->maps.calls, s->skel->maps.gens,
					   s->skel->maps.owners, s->skel->maps.puts_inflight,
					   s->skel->maps.vmm_tgids };

		for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
			bpf_map__set_max_entries(maps[i], opts->map_entries);
	}
	mark_unused(s);
	select_programs(s);
	err = tdvtrace_bpf__load(s->skel);
	if (err)
		tdv_session_close(s); /* nothing attached yet: destroys the object */
	return err;
}

static bool any_fentry(const struct tdv_probe_set *set)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++)
		if (set->probe[i].how == TDV_HOW_FENTRY && !set->probe[i].unused)
			return true;
	return false;
}

static int attach_one(struct tdv_session *s, struct tdv_probe *p, struct bpf_program *prog,
		      const char *flavour)
{
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
 * start of. An optional probe that fails is reported missing, not fatal;
 * a required one fails the session: returns -errno, its index in *@failed.
 */
static int attach(struct tdv_session *s, int *failed)
{
	static const char *const entry_flavour[TDV_HOW_TRACEPOINT + 1] = {
		[TDV_HOW_FENTRY] = "fentry",
		[TDV_HOW_KPROBE] = "kprobe",
		[TDV_HOW_TRACEPOINT] = "tp",
	};
	static const char *const exit_flavour[TDV_HOW_TRACEPOINT + 1] = {
		[TDV_HOW_FENTRY] = "fexit",
		[TDV_HOW_KPROBE] = "kretprobe",
	};

	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &s->probes.probe[i];
		struct bpf_program *entry = entry_program(s, i);
		int first = s->nlinks, err;

		if (!entry || p->unused)
			continue;
		err = attach_one(s, p, entry, entry_flavour[p->how]);
		if (!err)
			err = attach_one(s, p, exit_program(s, i), exit_flavour[p->how]);
		if (!err)
			continue;
		while (s->nlinks > first)
			bpf_link__destroy(s->links[--s->nlinks]);
		if (p->required) {
			*failed = i;
			return err;
		}
		p->how = TDV_HOW_MISSING;
	}
	return 0;
}

static int open_failed(struct tdv_session_error *why, enum tdv_session_step step, int err)
{
	why->step = step;
	why->err = err;
	return err;
}

int tdv_session_open(struct tdv_session *s, const struct tdv_options *opts,
		     ring_buffer_sample_fn on_event, void *ctx, struct tdv_session_error *why)
{
	int err, failed;

	memset(s, 0, sizeof(*s));
	memset(why, 0, sizeof(*why));
	err = tdv_probes_detect(&s->probes, opts->attach);
	if (err)
		return open_failed(why, TDV_STEP_KALLSYMS, err);
	if (!tdv_have_kprobe_pmu()) {
		if (opts->attach == TDV_ATTACH_KPROBE)
			return open_failed(why, TDV_STEP_KPROBES, -ENOENT);
		tdv_probes_drop_kprobes(&s->probes);
	}
	for (int i = 0; i < TDV_PROBE_COUNT; i++)
		if (s->probes.probe[i].required && s->probes.probe[i].how == TDV_HOW_MISSING)
			return open_failed(why, TDV_STEP_PATCH, -ENOENT);
	if (tdv_btf_check_probes(&s->probes, why->detail, sizeof(why->detail)))
		return open_failed(why, TDV_STEP_MISMATCH, -EINVAL);

	/* In auto mode a fentry that fails to load falls back to kprobes. */
	libbpf_quiet = opts->attach == TDV_ATTACH_AUTO && any_fentry(&s->probes);
	err = load(s, opts);
	libbpf_quiet = false;
	if (err && opts->attach == TDV_ATTACH_AUTO && any_fentry(&s->probes) &&
	    tdv_have_kprobe_pmu()) {
		if (opts->verbose)
			fprintf(stderr,
				"tdvtrace: fentry load failed (%s), "
				"retrying with kprobes\n",
				strerror(-err));
		tdv_probes_use_kprobes(&s->probes);
		err = load(s, opts);
	}
	if (err)
		return open_failed(why, TDV_STEP_LOAD, err);
	err = attach(s, &failed);
	if (err) {
		why->probe = &s->probes.probe[failed];
		open_failed(why, TDV_STEP_ATTACH, err);
		goto fail;
	}
	if (s->hist)
		return 0; /* histograms stay in the kernel until read */
	/* Only now is it certain that trans_devid_alloc's probe is on. */
	s->skel->bss->id_alloc_traced = tdv_session_observed(s) & TDV_OBSERVE_ID_ALLOC;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_event, ctx, NULL);
	if (!s->rb) {
		open_failed(why, TDV_STEP_RINGBUF, -errno);
		goto fail;
	}
	return 0;
fail:
	tdv_session_close(s);
	return why->err;
}

unsigned int tdv_session_observed(const struct tdv_session *s)
{
	unsigned int observed = 0;

	if (tdv_probe_every_call(&s->probes.probe[TDV_EV_ID_ALLOC - 1]))
		observed |= TDV_OBSERVE_ID_ALLOC;
	if (tdv_probe_every_call(&s->probes.probe[TDV_EV_ID_FREE - 1]))
		observed |= TDV_OBSERVE_ID_FREE;
	return observed;
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
#define TDV_LOSS_SUM(name, what) out[k].name += percpu[c].name;
		for (int c = 0; c < ncpu; c++) {
			TDV_LOSSES(TDV_LOSS_SUM)
		}
#undef TDV_LOSS_SUM
	}
	return 0;
}

__u64 tdv_session_missed(struct tdv_session *s, tdv_missed_fn fn, void *ctx)
{
	struct bpf_program *prog;
	__u64 missed = 0;

	bpf_object__for_each_program (prog, s->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_program__autoload(prog) ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) ||
		    !info.recursion_misses)
			continue;
		missed += info.recursion_misses;
		if (fn)
			fn(ctx, bpf_program__name(prog), info.recursion_misses);
	}
	return missed;
}

/*
 * struct bpf_link_info of a perf-event link (kprobes), as Linux 6.7 made it
 * (the "missed" count); the installed uapi header predates it.
 */
struct tdv_perf_link_info {
	__u32 type; /* BPF_LINK_TYPE_PERF_EVENT */
	__u32 id;
	__u32 prog_id;
	__u32 : 32;
	__u32 perf_type; /* enum bpf_perf_event_type */
	__u32 : 32;
	__u64 func_name;
	__u32 name_len;
	__u32 offset;
	__u64 addr;
	__u64 missed; /* the kprobe's nmissed (a kretprobe's too: maxactive) */
	__u64 cookie;
};

#define TDV_LINK_TYPE_PERF_EVENT 7
#define TDV_PERF_EVENT_KPROBE 3
#define TDV_PERF_EVENT_KRETPROBE 4

bool tdv_session_uses_kprobes(const struct tdv_session *s)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++)
		if (s->probes.probe[i].how == TDV_HOW_KPROBE && !s->probes.probe[i].unused)
			return true;
	return false;
}

/* Does BTF type @id have members @path[0].@path[1]... (@depth names), anonymous ones aside? */
static bool btf_has_path(const struct btf *btf, __u32 id, const char *const *path, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	const struct btf_member *m;

	if (!depth)
		return true;
	if (!t || (!btf_is_struct(t) && !btf_is_union(t)))
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (name && !*name && btf_has_path(btf, m->type, path, depth)) /* anonymous */
			return true;
		if (name && !strcmp(name, path[0]) &&
		    btf_has_path(btf, m->type, path + 1, depth - 1))
			return true;
	}
	return false;
}

/* Does this kernel's link info count a kprobe's misses (Linux 6.7 on)? */
static bool kprobe_missed_known(void)
{
	static const char *const path[] = { "perf_event", "kprobe", "missed" };
	static int known = -1;
	struct btf *btf;
	__s32 id;

	if (known >= 0)
		return known;
	btf = btf__load_vmlinux_btf();
	known = 0;
	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "bpf_link_info", BTF_KIND_STRUCT);
	known = id > 0 && btf_has_path(btf, id, path, 3);
	btf__free(btf);
	return known;
}

__s64 tdv_session_kprobe_missed(struct tdv_session *s, tdv_missed_fn fn, void *ctx)
{
	__s64 missed = 0;

	if (!tdv_session_uses_kprobes(s))
		return 0;
	if (!kprobe_missed_known())
		return -EOPNOTSUPP;
	for (int i = 0; i < s->nlinks; i++) {
		struct bpf_program *prog = NULL;
		struct tdv_perf_link_info info;
		__u32 len = sizeof(info);
		int fd = bpf_link__fd(s->links[i]);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
		    info.type != TDV_LINK_TYPE_PERF_EVENT ||
		    (info.perf_type != TDV_PERF_EVENT_KPROBE &&
		     info.perf_type != TDV_PERF_EVENT_KRETPROBE))
			continue;
		if (!info.missed)
			continue;
		missed += info.missed;
		bpf_object__for_each_program (prog, s->obj) {
			struct bpf_prog_info pinfo = {};
			__u32 plen = sizeof(pinfo);

			if (bpf_program__fd(prog) >= 0 &&
			    !bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pinfo, &plen) &&
			    pinfo.id == info.prog_id)
				break;
		}
		if (fn)
			fn(ctx, prog ? bpf_program__name(prog) : "kprobe", info.missed);
	}
	return missed;
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
	s->loaded = NULL;
}
