/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the state model: the state the state machine (model.c) keeps, and
 * what its parts share. The detectors (detect.h) read it; only the state
 * machine changes it, except the marks that keep a report from repeating.
 */
#ifndef TDV_MODEL_STATE_H
#define TDV_MODEL_STATE_H

#include "model.h"
#include "u64map.h"

/* A get that no put has answered yet: the evidence of a leak. */
struct get_rec {
	uint64_t ts_ns;
	uint32_t pid, tgid;
	char comm[TDV_COMM_LEN];
	uint16_t gid, iommu;
	bool has_gid;
	bool reported; /* named in a leak_ref already */
	bool has_stacks;
	int32_t kstack, ustack;
	uint64_t vm;	  /* the VM the caller's kvmfd meant */
	uint64_t vm_life; /* which life of that struct kvm address */
};

/* One (seg, kvmfd, gen) entry of the kernel's kvmfd_xa. */
struct entry {
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint16_t trans_devid; /* fixed for the entry's life */
	uint32_t refs;
	uint64_t vm;
	uint64_t vm_life;
	uint32_t owner_tgid;
	char owner_comm[TDV_COMM_LEN];
	uint64_t created_ns;
	bool leak_reported;
	/* The vIOMMU being torn down (its DTE clear / uninit came first). */
	int clear_gid, clear_iommu;
	struct get_rec *gets;
	size_t ngets, capgets;
	struct tdv_timeline_point *tl;
	size_t ntl, captl;
	bool tl_truncated;
};

/*
 * What points at one trans_devid: the live entries holding it, its translate
 * DTE, the VF control registers on it. Kept once seen (at most 65536 a
 * segment), so an id's stale state outlives its entries.
 */
struct devid_state {
	unsigned int holders; /* live entries with this trans_devid */
	struct entry *holder; /* the latest of them (NULL: dropped since) */
	uint64_t freed_ns;    /* its last id_free */
	/* The translate DTE: set or not, and the dte_set that set it. */
	bool set;
	uint16_t iommu, gid;
	uint64_t set_ns;
	uint32_t set_pid, set_tgid;
	char set_comm[TDV_COMM_LEN];
	unsigned int vfctrl_refs; /* VF control registers pointing at it */
	bool stale_reported;	  /* until the DTE is set again */
};

struct vfctrl {
	uint16_t devid;
};

/*
 * One segment's trans_devid pool: as id_alloc/id_free show it, or as derived
 * from gets and final puts where they are not observed (tdv_model_observe).
 * The allocated ids in a set, so a segment costs what it holds (a crafted
 * stream may name all 65536 segments).
 */
struct pool {
	struct u64nummap ids; /* id -> 1 */
	uint32_t used;
};

/*
 * Live entries at most: past it a new entry is not kept and counted as a
 * loss. An entry goes at its release, at its segment's fini, when its key
 * gets a new generation, or when its id is allocated anew although its put
 * never came (see on_id()), so only a stream that loses puts and id events
 * both comes near it.
 */
#define TDV_MODEL_ENTRIES_MAX (1U << 20)

/* VMs not yet destroyed that the model tells apart (see vm_life()). */
#define TDV_MODEL_VMS_MAX 65536

/*
 * A VM the driver resolved: a viommu_init with its kvmfd succeeded, so the
 * driver's get_kvm_handler() ran fdget() on its file. Kept until its
 * kvm_destroy_vm, or until it is reported for want of one.
 */
#define VM_INITS_KEPT 4 /* viommu_inits named as evidence; the rest are counted */

struct vm_rec {
	uint64_t vm_life;
	uint32_t tgid; /* the VMM that resolved it */
	char comm[TDV_COMM_LEN];
	unsigned int ninits;
	struct tdv_evidence inits[VM_INITS_KEPT];
	bool exited; /* its VMM exited: a check waits out the grace period */
};

/*
 * A vIOMMU's uninit that acts on a trans_devid not its own (the driver's init
 * error path, before the vIOMMU has one): its DTE clear follows on the same
 * thread. Kept per thread until then.
 */
struct err_uninit {
	uint16_t seg, iommu, gid;
	uint16_t devid;	    /* what the uninit clears */
	uint16_t own_devid; /* the vIOMMU's, from its VF control */
	struct tdv_evidence uninit;
};

/* What went away: a VM (vm != 0, in its vm_life) or else a VMM (tgid). */
struct leaver {
	uint64_t vm, vm_life;
	uint32_t tgid;
};

/*
 * The entries a VM or a VMM took gets on (entry_key()s, maybe repeated or
 * stale), so its going need not scan every entry. Compacted as it grows:
 * it holds at most twice the entries with a get of its own.
 */
struct taker {
	uint64_t *keys;
	size_t n, cap;
};

/* What waits out the grace period (model_grace.c). */
enum pending_kind {
	P_GONE,	     /* a VM or VMM went: its refs on one entry must drain */
	P_RELEASED,  /* an entry's last ref went: its DTE, VF control, id must follow */
	P_VM_EXITED, /* a VM's VMM exited: kvm_destroy_vm must follow */
};

struct pending {
	uint64_t due_ns;
	enum pending_kind kind;
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint16_t trans_devid;
	struct leaver who;	     /* P_GONE: the VM or VMM that went; P_VM_EXITED: the VM */
	struct tdv_evidence release; /* P_RELEASED: the final put; P_VM_EXITED: the exit */
};

struct tdv_model {
	uint64_t grace_ns;
	tdv_report_fn fn;
	void *ctx;
	struct u64map entries;	   /* (seg << 32 | kvmfd) -> struct entry */
	struct u64map devids;	   /* (seg << 16 | devid) -> struct devid_state */
	struct u64map vfctrls;	   /* (seg << 32 | iommu << 16 | gid) -> struct vfctrl */
	struct u64map pools;	   /* seg -> struct pool */
	struct u64map vms;	   /* struct kvm address -> struct vm_rec */
	struct u64map err_uninits; /* pid -> struct err_uninit */
	struct u64map vm_takers;   /* vm -> struct taker */
	struct u64map tgid_takers; /* tgid -> struct taker */
	struct u64map tgid_vms;	   /* tgid -> struct taker of the vms it resolved */
	/*
	 * struct kvm addresses are reused once freed: a VM's life is a number
	 * of its own, given when its address is first seen and forgotten at
	 * its kvm_destroy_vm, so a new VM at an old address is a new VM and
	 * the table holds only VMs not yet destroyed (see vm_life()).
	 */
	struct u64nummap vm_lives; /* vm -> its current life */
	uint64_t last_vm_life;
	struct u64nummap alloc_ns; /* (seg << 16 | id) -> when it was allocated */
	void (*on_close)(void *ctx, const struct tdv_timeline *t);
	void *close_ctx;
	/*
	 * TDV_OBSERVE_* bits; with observe_set false (tdv_model_observe never
	 * called: an old recording) both follow have_id_events, which the first
	 * id event to arrive sets.
	 */
	unsigned int observed;
	bool observe_set;
	bool have_id_events;
	uint64_t loss_until_ns; /* events were lost before this */
	uint64_t now_ns;
	struct pending *pend; /* a FIFO: due times only grow */
	size_t npend, cappend, headpend;
	struct tdv_model_stats stats;
};

static inline uint64_t entry_key(uint16_t seg, uint32_t kvmfd)
{
	return (uint64_t)seg << 32 | kvmfd;
}

static inline uint64_t devid_key(uint16_t seg, uint16_t devid)
{
	return (uint64_t)seg << 16 | devid;
}

/* id_alloc events report every allocation; else gets that created entries do. */
static inline bool alloc_observed(const struct tdv_model *m)
{
	return m->observe_set ? m->observed & TDV_OBSERVE_ID_ALLOC : m->have_id_events;
}

/* id_free events report every release; else final puts (TDV_F_ID_STATE) do. */
static inline bool free_observed(const struct tdv_model *m)
{
	return m->observe_set ? m->observed & TDV_OBSERVE_ID_FREE : m->have_id_events;
}

/*
 * The pool is known well enough to call an id leaked. An old recording
 * without id events has no release facts; otherwise each release is known,
 * from an id_free or from the final put's trans_devid_xa read.
 */
static inline bool pool_releases_known(const struct tdv_model *m)
{
	return m->observe_set || m->have_id_events;
}

/* State queries and changes (model.c). */
struct entry *entry_find(struct tdv_model *m, uint16_t seg, uint32_t kvmfd);
/* The entry the event's (seg, kvmfd) names, if it holds the event's trans_devid. */
struct entry *entry_of_devid(struct tdv_model *m, const struct tdv_event *e);
/* A live entry holding @devid in @seg, if any. */
struct entry *entry_holding(struct tdv_model *m, uint16_t seg, uint16_t devid);
struct entry *entry_create(struct tdv_model *m, const struct tdv_event *e);
void entry_add_get(struct tdv_model *m, struct entry *en, const struct tdv_event *e);
/* Whether get @g was taken by @who. */
bool get_of(const struct get_rec *g, const struct leaver *who);
/*
 * Take the list of the entries @who took gets on (free() its keys; n 0:
 * none): it went, its takes end here.
 */
struct taker taker_take(struct tdv_model *m, const struct leaver *who);
/* The same for the VMs (struct vm_rec addresses) VMM @tgid resolved. */
struct taker vms_of_take(struct tdv_model *m, uint32_t tgid);
/* The entry is gone from the kernel (at @ts_ns; 0 if unknown). */
void entry_drop(struct tdv_model *m, struct entry *en, uint64_t ts_ns);
/* Some live entry holds @devid in @seg (the id is not free to be stale). */
bool devid_live(const struct tdv_model *m, uint16_t seg, uint16_t devid);
/*
 * Which life of struct kvm address @vm is running now (0: no VM). Bounded:
 * at TDV_MODEL_VMS_MAX VMs whose destroy never came the table is emptied
 * and counted as a loss (their later reports are lossy).
 */
uint64_t vm_life(struct tdv_model *m, uint64_t vm);
struct pool *pool_of(struct tdv_model *m, uint16_t seg);
bool pool_test(const struct pool *p, uint16_t id);
void pool_set(struct pool *p, uint16_t id, bool on);
void pool_free(struct pool *p);

/* Timelines (model_timeline.c). */
void timeline_add(struct tdv_model *m, struct entry *en, const struct tdv_event *e);
void timeline_of(const struct entry *en, struct tdv_timeline *t);
/* Hand @en's timeline to the on_close callback as it is released at @ts_ns. */
void timeline_close(struct tdv_model *m, const struct entry *en, uint64_t ts_ns);

/* The grace-period scheduler (model_grace.c). */
void grace_schedule(struct tdv_model *m, const struct pending *p);
/* Run the checks due before @ts_ns (an event stamped @ts_ns comes next). */
void grace_run_before(struct tdv_model *m, uint64_t ts_ns);

/* Building and delivering reports (model_report.c). */
void evidence_of_event(struct tdv_evidence *ev, const struct tdv_event *e);
void add_evidence(struct tdv_report *r, const struct tdv_evidence *ev);
/* The dte_set that left a translate DTE pointing where it should not. */
void add_dte_set(struct tdv_report *r, const struct devid_state *d);
/* The outstanding get @g. */
void add_get(struct tdv_report *r, const struct get_rec *g);
/* Every outstanding get of @en. */
void add_gets(struct tdv_report *r, const struct entry *en);
/* A report about @en (NULL: about no entry). */
void report_init(struct tdv_report *r, enum tdv_report_kind kind, uint64_t ts_ns,
		 const struct entry *en);
/* A report about a call with no entry behind it: the caller is the owner. */
void report_of_caller(struct tdv_report *r, enum tdv_report_kind kind, const struct tdv_event *e);
/* A report about a released entry, which exists no more. */
void report_of_release(struct tdv_report *r, enum tdv_report_kind kind, const struct pending *p);
void deliver(struct tdv_model *m, struct tdv_report *r);

#endif /* TDV_MODEL_STATE_H */
