/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state model: what the kernel's trans_devid allocator holds, rebuilt
 * from the event stream, and the anomalies that become certain as it goes.
 *
 * Per (seg, kvmfd, gen) an entry with its refs, trans_devid, owning VM and
 * process, its vIOMMUs and outstanding gets; per segment the allocated pool;
 * per (seg, trans_devid) the translate DTE and the VF control registers that
 * point at it. Entries are freed once released and reported, so memory
 * follows the kernel's live state, not the length of the run.
 *
 * The parts: model.c the state machine, detect_<kind>.c a detector per
 * report kind (detect.h: when each runs), model_grace.c the grace period,
 * model_timeline.c timelines, model_report.c building reports,
 * model_view.c counts and `top`'s view, model_seed.c discovered entries.
 */
#ifndef TDV_MODEL_H
#define TDV_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tdvtrace.h"

/*
 * Every report kind, in README's order (summaries and legends follow it):
 * X(KIND, name). Each has its detector in user/detect_<name>.c.
 */
#define TDV_REPORT_KINDS(X)                                                                        \
	X(LEAK_REF, leak_ref)                                                                      \
	X(LEAK_ID, leak_id)                                                                        \
	X(UNBALANCED_PUT, unbalanced_put)                                                          \
	X(ALIAS, alias)                                                                            \
	X(STALE_DTE, stale_dte)                                                                    \
	X(CLEAR_WHILE_SHARED, clear_while_shared)                                                  \
	X(RESERVE_CLASH, reserve_clash)                                                            \
	X(ALLOC_FAIL, alloc_fail)                                                                  \
	X(FINI_LIVE, fini_live)                                                                    \
	X(VM_NOT_DESTROYED, vm_not_destroyed)                                                      \
	X(DRIVER_DTE0, driver_dte0)

#define TDV_R_ENUM(kind, name) TDV_R_##kind,
enum tdv_report_kind {
	TDV_REPORT_KINDS(TDV_R_ENUM) /* TDV_R_LEAK_REF, ... */
	TDV_R_KINDS,
};
#undef TDV_R_ENUM

/* One event that a report rests on. */
struct tdv_evidence {
	uint64_t ts_ns;
	uint32_t kind; /* enum tdv_event_kind */
	uint32_t pid, tgid;
	char comm[TDV_COMM_LEN];
	uint16_t gid, iommu;
	uint32_t refs;
	uint64_t vm;
	bool has_stacks;
	int32_t kstack, ustack; /* ids in the BPF stack map */
};

#define TDV_MAX_EVIDENCE 16

/* One change in an entry's life: its refs, and its DTE / VF control state. */
struct tdv_timeline_point {
	uint64_t ts_ns;
	uint32_t kind; /* get, put, dte_set, dte_clear or vfctrl */
	uint32_t refs; /* after this event */
	uint32_t pid, tgid;
	char comm[TDV_COMM_LEN];
	uint16_t gid, iommu;
	bool dte_set;	  /* its trans_devid's translate DTE, after this event */
	uint16_t vfctrls; /* VF control registers pointing at it, after this event */
};

/* The refcount timeline of one (seg, kvmfd, gen). */
struct tdv_timeline {
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint16_t trans_devid;
	uint64_t vm;
	uint32_t owner_tgid;
	char owner_comm[TDV_COMM_LEN];
	uint64_t created_ns;
	uint64_t released_ns; /* 0: still live */
	bool truncated;	      /* the oldest points were dropped */
	unsigned int npoints;
	const struct tdv_timeline_point *points;
};

struct tdv_report {
	enum tdv_report_kind kind;
	uint64_t ts_ns; /* when it became certain */
	uint16_t seg;
	uint32_t kvmfd;
	uint32_t gen;
	uint16_t trans_devid;
	uint32_t refs; /* refs outstanding, where it applies */
	uint64_t vm;
	uint64_t other_vm; /* alias: the VM that hit the entry */
	uint32_t owner_tgid;
	char owner_comm[TDV_COMM_LEN];
	int32_t ret;	    /* alloc_fail / reserve_clash */
	uint32_t pool_used; /* alloc_fail: ids allocated in the segment */
	bool lossy;	    /* events were lost inside the evidence window */
	bool has_entry;	    /* seg/kvmfd/gen name an entry */
	char detail[160];
	unsigned int nevidence;
	struct tdv_evidence evidence[TDV_MAX_EVIDENCE];
	/* Its entry's timeline, valid during the callback (npoints 0: none). */
	struct tdv_timeline timeline;
};

typedef void (*tdv_report_fn)(void *ctx, const struct tdv_report *r);

struct tdv_model;

/* @grace_ns: how long teardown may still be in flight after a VM goes. */
struct tdv_model *tdv_model_new(uint64_t grace_ns, tdv_report_fn fn, void *ctx);
void tdv_model_free(struct tdv_model *m);

/*
 * How the model knows each allocation and release of a trans_devid. Bits of
 * what the probe table says is traced at every call (tdv_session_observed):
 * an id_alloc event for each allocation, an id_free for each release. What
 * is not observed is derived, never guessed:
 *   allocation  from a get that created its entry (TDV_F_NEW: the refs==1
 *               rule of tdv_get_created()), with the get's trans_devid;
 *   release     from the put that released its entry: where no id_free ran
 *               inside it, the id's state in the kernel's trans_devid_xa,
 *               read at its return (TDV_F_ID_STATE).
 * Without tdv_model_observe() (a recording older than this), the first
 * id_alloc or id_free to arrive switches to them, as tdvtrace always did.
 */
#define TDV_OBSERVE_ID_ALLOC (1u << 0)
#define TDV_OBSERVE_ID_FREE (1u << 1)
#define TDV_OBSERVE_ALL (TDV_OBSERVE_ID_ALLOC | TDV_OBSERVE_ID_FREE)

/* Say what is observed (TDV_OBSERVE_* bits), before the first event. */
void tdv_model_observe(struct tdv_model *m, unsigned int observed);

/* Also call @fn with each entry's timeline as the entry is released. */
void tdv_model_on_close(struct tdv_model *m, void (*fn)(void *ctx, const struct tdv_timeline *t),
			void *ctx);

/* An entry that predates tracing, found by discovery (see discover.h). */
struct tdv_model_seed {
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint16_t trans_devid;
	uint32_t refs;
	uint64_t vm; /* 0: owner unknown (fd number ambiguous or gone) */
	uint32_t tgid;
	char comm[TDV_COMM_LEN];
	uint64_t ts_ns;
};

/*
 * Add a pre-existing entry: its refs become outstanding gets of its owner,
 * or of nobody when the owner is unknown (then they are never called leaks).
 */
void tdv_model_seed(struct tdv_model *m, const struct tdv_model_seed *seed);

/* Where discovered entries go: a model's feed, or a recording. */
typedef void (*tdv_seed_fn)(void *ctx, const struct tdv_model_seed *seed);

/* Apply one event (in timestamp order: see tdv_reorder). */
void tdv_model_event(struct tdv_model *m, const struct tdv_event *e);

/* Events were lost up to @ts_ns: reports whose evidence reaches back past
 * the previous loss mark are "lossy". */
void tdv_model_loss(struct tdv_model *m, uint64_t ts_ns);

/* Time moved on to @now_ns: report what waited out its grace period. */
void tdv_model_tick(struct tdv_model *m, uint64_t now_ns);

/* End of the stream: report everything still pending. */
void tdv_model_finish(struct tdv_model *m);

/* Counts for summaries and tests. */
struct tdv_model_stats {
	uint64_t reports[TDV_R_KINDS];
	uint64_t live_entries;
	uint64_t ids_allocated; /* over all segments */
	uint64_t driver_dte0;	/* the driver's own clears of DTE 0, reported once */
	uint64_t vms_tracked;	/* VMs told apart, not yet destroyed */
	uint64_t vms_resolved;	/* VMs the driver resolved, awaiting their destroy */
	uint64_t ids_tracked;	/* trans_devids with an entry, DTE or VF control on them */
};

void tdv_model_stats(const struct tdv_model *m, struct tdv_model_stats *out);

/* trans_devids allocated in @seg's pool as the model knows it. */
uint32_t tdv_model_pool_used(const struct tdv_model *m, uint16_t seg);

/* A live entry as `top` shows it. */
struct tdv_entry_view {
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint16_t trans_devid;
	uint32_t refs;
	uint32_t viommus; /* gets still outstanding: one per vIOMMU */
	uint64_t vm;
	uint32_t owner_tgid;
	char owner_comm[TDV_COMM_LEN];
	uint64_t created_ns;
	bool leaked; /* reported as leak_ref */
};

/* Visit every live entry (in no particular order). */
void tdv_model_each_entry(const struct tdv_model *m,
			  void (*fn)(void *ctx, const struct tdv_entry_view *v), void *ctx);

/* The timeline of every live entry (released_ns 0), in no particular order. */
void tdv_model_each_timeline(const struct tdv_model *m,
			     void (*fn)(void *ctx, const struct tdv_timeline *t), void *ctx);

const char *tdv_report_kind_name(enum tdv_report_kind kind);

#endif /* TDV_MODEL_H */
