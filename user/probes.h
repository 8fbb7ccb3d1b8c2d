/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe points of SPEC.md: which exist on this kernel and how each
 * attaches (fentry/fexit, kprobe/kretprobe, tracepoint) or why it cannot.
 */
#ifndef TDV_PROBES_H
#define TDV_PROBES_H

#include <stdbool.h>
#include <linux/types.h>
#include "options.h"
#include "tdvtrace.h"

enum tdv_probe_how {
	TDV_HOW_MISSING,
	TDV_HOW_FENTRY,
	TDV_HOW_KPROBE,
	TDV_HOW_TRACEPOINT,
};

/* One row of TDV_PROBES (tdvtrace.h), and what this kernel makes of it. */
struct tdv_probe {
	const char *event;  /* event name, also the BPF program prefix */
	const char *symbol; /* kernel function or tracepoint */
	bool required;	    /* tdvtrace is useless without it */
	bool is_static;	    /* static in the driver: the compiler may inline it */
	bool tracepoint;    /* symbol is a tracepoint, not a function */
	/* found on this kernel */
	char module[64]; /* "vmlinux" or the module holding symbol */
	bool has_btf;	 /* a BTF FUNC of that name: fentry can attach */
	enum tdv_probe_how how;
	bool unused;   /* the loaded programs do not trace it (hist) */
	char why[192]; /* reason when missing, or a note */
	/*
	 * Compiler clones of symbol in kallsyms ("f.isra.0, f.constprop.1"):
	 * their arguments need not be the prototype's, so they are not
	 * probed, and the calls that go through them are missed.
	 */
	char clones[128];
};

/* A probe per event kind: probe[i] is kind i + 1. */
#define TDV_PROBE_COUNT (TDV_EV_MAX - 1)

struct tdv_probe_set {
	struct tdv_probe probe[TDV_PROBE_COUNT];
};

static inline struct tdv_probe *tdv_probe_of(struct tdv_probe_set *set, enum tdv_event_kind kind)
{
	return &set->probe[kind - 1];
}

/*
 * Fill @set from /proc/kallsyms and kernel/module BTF, choosing fentry or
 * kprobe per probe as @mode asks. Returns 0 or -errno if kallsyms is
 * unreadable.
 */
int tdv_probes_detect(struct tdv_probe_set *set, enum tdv_attach_mode mode);

/* Switch every fentry probe to kprobe (fallback when fentry fails to load). */
void tdv_probes_use_kprobes(struct tdv_probe_set *set);

/* Names of required probes that are missing, comma-separated; "" if none. */
void tdv_probes_missing_required(const struct tdv_probe_set *set, char *buf, size_t len);

const char *tdv_probe_how_name(enum tdv_probe_how how);

/* How the facts of a probe point reach tdvtrace. */
enum tdv_observed {
	TDV_OBS_ATTACHED, /* its probe sees every call */
	TDV_OBS_PARTLY,	  /* its probe sees the calls no clone takes */
	TDV_OBS_DERIVED,  /* from other probes and kernel state (see *from) */
	TDV_OBS_MISSED,	  /* not at all */
};

/*
 * How @p's facts are observed in @set; for TDV_OBS_DERIVED *@from says from
 * what (else ""). id_alloc and id_free are derived where their probe misses
 * calls: allocation from the gets, release from the final puts.
 */
enum tdv_observed tdv_probe_observed(const struct tdv_probe_set *set, const struct tdv_probe *p,
				     const char **from);

/* "attached", "partly", "derived", "missed" */
const char *tdv_observed_name(enum tdv_observed o);

/* @p is attached (or will be) and no clone takes calls past it. */
static inline bool tdv_probe_every_call(const struct tdv_probe *p)
{
	return p->how != TDV_HOW_MISSING && !p->unused && !p->clones[0];
}

#endif /* TDV_PROBES_H */
