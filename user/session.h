/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tracing session: the BPF object loaded with the probes this kernel
 * allows, attached, and the ring buffer that carries struct tdv_event.
 * Closing it (or the process dying) detaches everything: links are fds.
 */
#ifndef TDV_SESSION_H
#define TDV_SESSION_H

#include <stdio.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "options.h"
#include "probes.h"
#include "tdvtrace.h"

#define TDV_MAX_LINKS (2 * TDV_PROBE_COUNT)

/* Either the event programs (ring buffer) or the histogram programs. */
struct tdv_session {
	struct tdvtrace_bpf *skel; /* events */
	struct hist_bpf *hist;	   /* histograms: opts->hist_unit_ns set */
	struct bpf_object *obj;	   /* the one loaded */
	struct tdv_probe_set probes;
	struct bpf_link *links[TDV_MAX_LINKS];
	int nlinks;
	struct ring_buffer *rb;
};

/*
 * Detect probes, load and attach. @on_event gets every ring-buffer record
 * (there is none in a histogram session). Returns 0, or a TDV_EXIT_*
 * status after printing why.
 */
int tdv_session_open(struct tdv_session *s, const struct tdv_options *opts,
		     ring_buffer_sample_fn on_event, void *ctx);

/* Wait up to @timeout_ms for records and drain them all (or just wait). */
int tdv_session_poll(struct tdv_session *s, int timeout_ms);

/* Sum the per-CPU counters: drops per event kind. */
int tdv_session_counters(struct tdv_session *s, struct tdv_counters out[TDV_EV_MAX]);

/*
 * Calls the kernel skipped because a BPF program was already running on the
 * CPU (kprobe or trampoline recursion). With @per_probe, also print
 * " (PROGRAM N, ...)" there for each program that missed any.
 */
__u64 tdv_session_missed(struct tdv_session *s, FILE *per_probe);

/* "attached N probes (F fentry, K kprobe, 1 tracepoint, M missing)" */
void tdv_session_describe(const struct tdv_session *s, char *buf, size_t len);

void tdv_session_close(struct tdv_session *s);

/* Install the libbpf print callback: debug output only with -v. */
void tdv_libbpf_logging(bool verbose);

#endif /* TDV_SESSION_H */
