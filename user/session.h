/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tracing session: the BPF object loaded with the probes this kernel
 * allows, attached, and the ring buffer that carries struct tdv_event.
 * Closing it (or the process dying) detaches everything: links are fds.
 */
#ifndef TDV_SESSION_H
#define TDV_SESSION_H

#include <bpf/libbpf.h>
#include <linux/types.h>
#include "model.h"
#include "options.h"
#include "probes.h"
#include "tdvtrace.h"

#define TDV_MAX_LINKS (2 * TDV_PROBE_COUNT)

struct tdv_session_programs;

/* Either the event programs (ring buffer) or the histogram programs. */
struct tdv_session {
	struct tdvtrace_bpf *skel; /* events */
	struct hist_bpf *hist;	   /* histograms: opts->hist_unit_ns set */
	struct bpf_object *obj;	   /* the one loaded */
	void *loaded;		   /* skel or hist */
	/* where each probe's programs are in *loaded */
	const struct tdv_session_programs *progs;
	struct tdv_probe_set probes;
	struct bpf_link *links[TDV_MAX_LINKS];
	int nlinks;
	struct ring_buffer *rb;
};

/* The step of tdv_session_open() that failed. */
enum tdv_session_step {
	TDV_STEP_KALLSYMS, /* reading /proc/kallsyms */
	TDV_STEP_PATCH,	   /* a required probe is missing: the driver lacks the patch */
	TDV_STEP_LOAD,	   /* loading the BPF programs */
	TDV_STEP_ATTACH,   /* attaching a required probe */
	TDV_STEP_RINGBUF,  /* opening the ring buffer */
	TDV_STEP_KPROBES,  /* --attach kprobe, and the kernel has no kprobe PMU */
	TDV_STEP_MISMATCH, /* a traced function or a field read changed: detail says which */
};

struct tdv_session_error {
	enum tdv_session_step step;
	int err;		       /* -errno */
	const struct tdv_probe *probe; /* TDV_STEP_ATTACH: the probe; its why says how */
	char detail[512];	       /* TDV_STEP_MISMATCH: the one line */
};

/*
 * Detect probes, load and attach. @on_event gets every ring-buffer record
 * (there is none in a histogram session). Returns 0, or -errno with what
 * failed in @why; s->probes then holds what detection found (for
 * TDV_STEP_PATCH: which required probes are missing, and why).
 */
int tdv_session_open(struct tdv_session *s, const struct tdv_options *opts,
		     ring_buffer_sample_fn on_event, void *ctx, struct tdv_session_error *why);

/*
 * What the attached probes see at every call (TDV_OBSERVE_* of model.h):
 * trans_devid_alloc and trans_devid_free attached, with no compiler clone
 * taking calls past them. The model derives the rest.
 */
unsigned int tdv_session_observed(const struct tdv_session *s);

/* Wait up to @timeout_ms for records and drain them all (or just wait). */
int tdv_session_poll(struct tdv_session *s, int timeout_ms);

/* Sum the per-CPU counters: drops per event kind. */
int tdv_session_counters(struct tdv_session *s, struct tdv_counters out[TDV_EV_MAX]);

typedef void (*tdv_missed_fn)(void *ctx, const char *program, __u64 missed);

/*
 * Calls the kernel skipped because a BPF program was already running on the
 * CPU (kprobe or trampoline recursion): the total, and @fn (if not NULL)
 * with each program that missed any ("get_kretprobe": probe and flavour).
 */
__u64 tdv_session_missed(struct tdv_session *s, tdv_missed_fn fn, void *ctx);

/* Any probe attached as a kprobe / kretprobe? */
bool tdv_session_uses_kprobes(const struct tdv_session *s);

/*
 * Calls the kernel's kprobes and kretprobes missed (a kprobe hit while
 * another ran, a kretprobe out of maxactive instances): the total and @fn
 * per program, from the links' info; -EOPNOTSUPP where the kernel does
 * not say (before Linux 6.7) and kprobes are used.
 */
__s64 tdv_session_kprobe_missed(struct tdv_session *s, tdv_missed_fn fn, void *ctx);

void tdv_session_close(struct tdv_session *s);

/* Install the libbpf print callback: debug output only with -v. */
void tdv_libbpf_logging(bool verbose);

#endif /* TDV_SESSION_H */
