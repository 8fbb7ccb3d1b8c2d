// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "u64map.h"

#define EBUSY_RET (-16)

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

struct entry {
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint16_t trans_devid;
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
	unsigned int ngets, capgets;
	struct tdv_timeline_point *tl;
	unsigned int ntl, captl;
	bool tl_truncated;
};

/* Points kept per entry; past it the oldest half goes. */
#define TIMELINE_MAX 1024

/* Translate DTE of one trans_devid and the VF control registers on it. */
struct dte {
	bool set;
	uint16_t iommu, gid;
	uint64_t set_ns;
	uint32_t set_pid, set_tgid;
	char set_comm[TDV_COMM_LEN];
	unsigned int vfctrl_refs;
	bool stale_reported;
};

struct vfctrl {
	uint16_t devid;
};

struct pool {
	uint8_t bits[65536 / 8];
	uint32_t used;
};

enum pending_kind { P_LEAK_REF, P_RELEASED };

/* What went away: a VM (vm != 0, in its vm_life) or else a VMM (tgid). */
struct leaver {
	uint64_t vm, vm_life;
	uint32_t tgid;
};

struct pending {
	uint64_t due_ns;
	enum pending_kind kind;
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint16_t trans_devid;
	struct leaver who;	     /* P_LEAK_REF: the VM or VMM that went */
	struct tdv_evidence release; /* P_RELEASED: the final put */
};

struct tdv_model {
	uint64_t grace_ns;
	tdv_report_fn fn;
	void *ctx;
	struct u64map entries; /* (seg << 32 | kvmfd) -> struct entry */
	struct u64map dtes;    /* (seg << 16 | devid) -> struct dte */
	struct u64map vfctrls; /* (seg << 32 | iommu << 16 | gid) -> struct vfctrl */
	struct u64map pools;   /* seg -> struct pool */
	/*
	 * struct kvm addresses are reused once freed: count each address\'s
	 * kvm_destroy_vm so a new VM at an old address is a new VM.
	 */
	struct u64map vm_lives; /* vm -> lives ended (an integer) */
	struct u64map alloc_ns; /* (seg << 16 | id) -> when it was allocated */
	void (*on_close)(void *ctx, const struct tdv_timeline *t);
	void *close_ctx;
	bool have_id_events;	/* id_alloc/id_free are traced */
	uint64_t loss_until_ns; /* events were lost before this */
	uint64_t now_ns;
	struct pending *pend;
	size_t npend, cappend, headpend;
	struct tdv_model_stats stats;
};

static const char *const report_names[TDV_R_KINDS] = {
	[TDV_R_LEAK_REF] = "leak_ref",
	[TDV_R_LEAK_ID] = "leak_id",
	[TDV_R_UNBALANCED_PUT] = "unbalanced_put",
	[TDV_R_ALIAS] = "alias",
	[TDV_R_STALE_DTE] = "stale_dte",
	[TDV_R_CLEAR_WHILE_SHARED] = "clear_while_shared",
	[TDV_R_RESERVE_CLASH] = "reserve_clash",
	[TDV_R_ALLOC_FAIL] = "alloc_fail",
	[TDV_R_FINI_LIVE] = "fini_live",
};

const char *tdv_report_kind_name(enum tdv_report_kind kind)
{
	return kind < TDV_R_KINDS ? report_names[kind] : NULL;
}

static uint64_t entry_key(uint16_t seg, uint32_t kvmfd)
{
	return (uint64_t)seg << 32 | kvmfd;
}

static uint64_t dte_key(uint16_t seg, uint16_t devid)
{
	return (uint64_t)seg << 16 | devid;
}

static uint64_t vfctrl_key(uint16_t seg, uint16_t iommu, uint16_t gid)
{
	return (uint64_t)seg << 32 | (uint64_t)iommu << 16 | gid;
}

struct tdv_model *tdv_model_new(uint64_t grace_ns, tdv_report_fn fn, void *ctx)
{
	struct tdv_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->grace_ns = grace_ns;
	m->fn = fn;
	m->ctx = ctx;
	u64map_init(&m->entries);
	u64map_init(&m->dtes);
	u64map_init(&m->vfctrls);
	u64map_init(&m->pools);
	u64map_init(&m->vm_lives);
	u64map_init(&m->alloc_ns);
	return m;
}

static void free_value(void *ctx, uint64_t key, void *value)
{
	free(value);
}

static void free_entry(void *ctx, uint64_t key, void *value)
{
	struct entry *e = value;

	free(e->gets);
	free(e->tl);
	free(e);
}

void tdv_model_free(struct tdv_model *m)
{
	if (!m)
		return;
	u64map_each(&m->entries, free_entry, NULL);
	u64map_destroy(&m->entries);
	u64map_each(&m->dtes, free_value, NULL);
	u64map_destroy(&m->dtes);
	u64map_each(&m->vfctrls, free_value, NULL);
	u64map_destroy(&m->vfctrls);
	u64map_each(&m->pools, free_value, NULL);
	u64map_destroy(&m->pools);
	u64map_destroy(&m->vm_lives);
	u64map_destroy(&m->alloc_ns);
	free(m->pend);
	free(m);
}

/* ---- small state helpers --------------------------------------------------- */

static void *get_or_new(struct u64map *map, uint64_t key, size_t size)
{
	void *v = u64map_get(map, key);

	if (v)
		return v;
	v = calloc(1, size);
	if (v && u64map_put(map, key, v)) {
		free(v);
		v = NULL;
	}
	return v;
}

static struct pool *pool_of(struct tdv_model *m, uint16_t seg)
{
	return get_or_new(&m->pools, seg, sizeof(struct pool));
}

static bool pool_test(struct pool *p, uint16_t id)
{
	return p->bits[id / 8] & (1 << (id % 8));
}

static void pool_set(struct pool *p, uint16_t id, bool on)
{
	if (pool_test(p, id) == on)
		return;
	p->bits[id / 8] ^= 1 << (id % 8);
	if (on)
		p->used++;
	else
		p->used--;
}

static void evidence_of(struct tdv_evidence *ev, const struct tdv_event *e)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = e->ts_ns;
	ev->kind = e->kind;
	ev->pid = e->pid;
	ev->tgid = e->tgid;
	memcpy(ev->comm, e->comm, sizeof(ev->comm));
	ev->gid = e->gid;
	ev->iommu = e->iommu;
	ev->refs = e->refs;
	ev->vm = e->vm;
}

static void add_evidence(struct tdv_report *r, const struct tdv_evidence *ev)
{
	if (r->nevidence < TDV_MAX_EVIDENCE)
		r->evidence[r->nevidence++] = *ev;
}

/* The dte_set that left a translate DTE pointing where it should not. */
static void add_dte_set(struct tdv_report *r, const struct dte *d)
{
	struct tdv_evidence set = { .ts_ns = d->set_ns,
				    .kind = TDV_EV_DTE_SET,
				    .pid = d->set_pid,
				    .tgid = d->set_tgid,
				    .gid = d->gid,
				    .iommu = d->iommu };

	memcpy(set.comm, d->set_comm, sizeof(set.comm));
	add_evidence(r, &set);
}

static void add_gets(struct tdv_report *r, const struct entry *en)
{
	for (unsigned int i = 0; i < en->ngets; i++) {
		const struct get_rec *g = &en->gets[i];
		struct tdv_evidence ev = {
			.ts_ns = g->ts_ns,
			.kind = TDV_EV_GET,
			.pid = g->pid,
			.tgid = g->tgid,
			.gid = g->gid,
			.iommu = g->iommu,
			.has_stacks = g->has_stacks,
			.kstack = g->kstack,
			.ustack = g->ustack,
		};

		memcpy(ev.comm, g->comm, sizeof(ev.comm));
		add_evidence(r, &ev);
	}
}

static void timeline_of(const struct entry *en, struct tdv_timeline *t)
{
	memset(t, 0, sizeof(*t));
	t->seg = en->seg;
	t->kvmfd = en->kvmfd;
	t->gen = en->gen;
	t->trans_devid = en->trans_devid;
	t->vm = en->vm;
	t->owner_tgid = en->owner_tgid;
	memcpy(t->owner_comm, en->owner_comm, sizeof(t->owner_comm));
	t->created_ns = en->created_ns;
	t->truncated = en->tl_truncated;
	t->npoints = en->ntl;
	t->points = en->tl;
}

static void report_init(struct tdv_report *r, enum tdv_report_kind kind, uint64_t ts_ns,
			const struct entry *en)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->ts_ns = ts_ns;
	if (!en)
		return;
	r->has_entry = true;
	r->seg = en->seg;
	r->kvmfd = en->kvmfd;
	r->gen = en->gen;
	r->trans_devid = en->trans_devid;
	r->refs = en->refs;
	r->vm = en->vm;
	r->owner_tgid = en->owner_tgid;
	memcpy(r->owner_comm, en->owner_comm, sizeof(r->owner_comm));
	timeline_of(en, &r->timeline);
}

/* A report about a call with no entry behind it: the caller is the owner. */
static void report_of_caller(struct tdv_report *r, enum tdv_report_kind kind,
			     const struct tdv_event *e)
{
	report_init(r, kind, e->ts_ns, NULL);
	r->seg = e->seg;
	r->kvmfd = e->kvmfd;
	r->vm = e->vm;
	r->owner_tgid = e->tgid;
	memcpy(r->owner_comm, e->comm, sizeof(r->owner_comm));
}

static void deliver(struct tdv_model *m, struct tdv_report *r)
{
	uint64_t first = r->ts_ns;

	for (unsigned int i = 0; i < r->nevidence; i++)
		if (r->evidence[i].ts_ns < first)
			first = r->evidence[i].ts_ns;
	/* Anything lost between the first evidence and now may matter. */
	r->lossy = m->loss_until_ns && m->loss_until_ns >= first;
	m->stats.reports[r->kind]++;
	m->fn(m->ctx, r);
}

static void schedule(struct tdv_model *m, const struct pending *p)
{
	if (m->npend == m->cappend) {
		size_t cap;
		struct pending *np;

		/* Compact first: the head only moves forward. */
		if (m->headpend) {
			memmove(m->pend, m->pend + m->headpend,
				(m->npend - m->headpend) * sizeof(*p));
			m->npend -= m->headpend;
			m->headpend = 0;
		}
		if (m->npend == m->cappend) {
			cap = m->cappend ? m->cappend * 2 : 64;
			np = realloc(m->pend, cap * sizeof(*np));
			if (!np)
				return;
			m->pend = np;
			m->cappend = cap;
		}
	}
	m->pend[m->npend++] = *p;
}

/* ---- entries --------------------------------------------------------------- */

static struct entry *entry_find(struct tdv_model *m, uint16_t seg, uint32_t kvmfd)
{
	return u64map_get(&m->entries, entry_key(seg, kvmfd));
}

/* The entry is gone from the kernel (at @ts_ns; 0 if unknown). */
static void entry_drop(struct tdv_model *m, struct entry *en, uint64_t ts_ns)
{
	if (m->on_close) {
		struct tdv_timeline t;

		timeline_of(en, &t);
		t.released_ns = ts_ns;
		m->on_close(m->close_ctx, &t);
	}
	u64map_del(&m->entries, entry_key(en->seg, en->kvmfd));
	free(en->gets);
	free(en->tl);
	free(en);
}

static void timeline_add(struct tdv_model *m, struct entry *en, const struct tdv_event *e)
{
	const struct dte *d = u64map_get(&m->dtes, dte_key(en->seg, en->trans_devid));
	struct tdv_timeline_point *pt;

	if (en->ntl == TIMELINE_MAX) {
		memmove(en->tl, en->tl + TIMELINE_MAX / 2, TIMELINE_MAX / 2 * sizeof(*en->tl));
		en->ntl = TIMELINE_MAX / 2;
		en->tl_truncated = true;
	}
	if (en->ntl == en->captl) {
		unsigned int cap = en->captl ? en->captl * 2 : 8;
		struct tdv_timeline_point *n = realloc(en->tl, cap * sizeof(*n));

		if (!n)
			return;
		en->tl = n;
		en->captl = cap;
	}
	pt = &en->tl[en->ntl++];
	pt->ts_ns = e->ts_ns;
	pt->kind = e->kind;
	pt->refs = en->refs;
	pt->pid = e->pid;
	pt->tgid = e->tgid;
	memcpy(pt->comm, e->comm, sizeof(pt->comm));
	pt->gid = e->gid;
	pt->iommu = e->iommu;
	pt->dte_set = d && d->set;
	pt->vfctrls = d ? d->vfctrl_refs : 0;
}

static uint64_t vm_life(const struct tdv_model *m, uint64_t vm)
{
	return (uintptr_t)u64map_get(&m->vm_lives, vm);
}

static void entry_add_get(struct tdv_model *m, struct entry *en, const struct tdv_event *e)
{
	struct get_rec *g;

	if (en->ngets == en->capgets) {
		unsigned int cap = en->capgets ? en->capgets * 2 : 4;
		struct get_rec *ng = realloc(en->gets, cap * sizeof(*ng));

		if (!ng)
			return;
		en->gets = ng;
		en->capgets = cap;
	}
	g = &en->gets[en->ngets++];
	memset(g, 0, sizeof(*g));
	g->ts_ns = e->ts_ns;
	g->pid = e->pid;
	g->tgid = e->tgid;
	g->vm = e->vm;
	g->vm_life = vm_life(m, e->vm);
	g->has_stacks = e->fields & TDV_F_STACKS;
	g->kstack = e->kstack;
	g->ustack = e->ustack;
	memcpy(g->comm, e->comm, sizeof(g->comm));
}

/*
 * The put answers the get of the vIOMMU being torn down (same gid, IOMMU and
 * process; the newest such, since a leaked get keeps a gid that a later
 * vIOMMU reuses), else one taken by the same process, else the oldest.
 */
static void entry_retire_get(struct entry *en, const struct tdv_event *put)
{
	unsigned int i = en->ngets;

	if (!en->ngets)
		return;
	for (unsigned int pass = 0; pass < 3 && i == en->ngets; pass++) {
		for (unsigned int j = en->ngets; j-- > 0;) {
			const struct get_rec *g = &en->gets[j];
			bool same_vio = g->has_gid && g->gid == en->clear_gid &&
					g->iommu == en->clear_iommu;

			if ((pass == 0 && same_vio && g->tgid == put->tgid) ||
			    (pass == 1 && same_vio) || (pass == 2 && g->tgid == put->tgid)) {
				i = j;
				break;
			}
		}
	}
	if (i == en->ngets)
		i = 0;
	memmove(&en->gets[i], &en->gets[i + 1], (en->ngets - i - 1) * sizeof(*en->gets));
	en->ngets--;
	en->clear_gid = en->clear_iommu = -1;
}

static struct entry *entry_create(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en = calloc(1, sizeof(*en));

	if (!en)
		return NULL;
	en->seg = e->seg;
	en->kvmfd = e->kvmfd;
	en->gen = e->gen;
	en->trans_devid = e->trans_devid;
	en->vm = e->vm;
	en->vm_life = vm_life(m, e->vm);
	en->owner_tgid = e->tgid;
	memcpy(en->owner_comm, e->comm, sizeof(en->owner_comm));
	en->created_ns = e->ts_ns;
	en->clear_gid = en->clear_iommu = -1;
	if (u64map_put(&m->entries, entry_key(e->seg, e->kvmfd), en)) {
		free(en);
		return NULL;
	}
	return en;
}

/* ---- event handlers ---------------------------------------------------------- */

static void on_get(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en = entry_find(m, e->seg, e->kvmfd);
	struct tdv_report r;
	struct tdv_evidence ev;

	if (e->ret) {
		struct pool *p = pool_of(m, e->seg);

		report_of_caller(&r, TDV_R_ALLOC_FAIL, e);
		r.ret = e->ret;
		r.pool_used = p ? p->used : 0;
		evidence_of(&ev, e);
		add_evidence(&r, &ev);
		deliver(m, &r);
		return;
	}
	/* A new generation means the kernel made a fresh entry. */
	if (en && en->gen != e->gen && (e->fields & TDV_F_GEN)) {
		entry_drop(m, en, 0);
		en = NULL;
	}
	if (!en) {
		en = entry_create(m, e);
		if (!en)
			return;
		if (!m->have_id_events) {
			struct pool *p = pool_of(m, e->seg);

			if (p)
				pool_set(p, e->trans_devid, true);
		}
	} else if (en->vm && e->vm && (en->vm != e->vm || en->vm_life != vm_life(m, e->vm))) {
		/* kvmfd_xa is keyed by fd number alone: another VM got this id. */
		report_init(&r, TDV_R_ALIAS, e->ts_ns, en);
		r.other_vm = e->vm;
		r.refs = e->refs;
		snprintf(r.detail, sizeof(r.detail),
			 "pid %u (%.16s) shares trans_devid 0x%04x of pid %u (%.16s)", e->tgid,
			 e->comm, en->trans_devid, en->owner_tgid, en->owner_comm);
		add_gets(&r, en);
		evidence_of(&ev, e);
		add_evidence(&r, &ev);
		deliver(m, &r);
	}
	en->refs = e->refs;
	entry_add_get(m, en, e);
	timeline_add(m, en, e);
}

static void on_put(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en;
	struct tdv_report r;
	struct tdv_evidence ev;

	evidence_of(&ev, e);
	if (!(e->fields & TDV_F_TRANS_DEVID)) {
		/* No entry for kvmfd: the kernel silently ignores this put. */
		report_of_caller(&r, TDV_R_UNBALANCED_PUT, e);
		add_evidence(&r, &ev);
		deliver(m, &r);
		return;
	}
	en = entry_find(m, e->seg, e->kvmfd);
	/* Absent: it predates us. Another gen: a racing get already replaced it. */
	if (!en || ((e->fields & TDV_F_GEN) && en->gen != e->gen))
		return;
	en->refs = e->refs;
	entry_retire_get(en, e);
	timeline_add(m, en, e);
	if (e->refs)
		return;
	if (!m->have_id_events) {
		struct pool *p = pool_of(m, e->seg);

		if (p)
			pool_set(p, en->trans_devid, false);
	}
	/* Released: the DTE, VF control and pool must follow within grace. */
	schedule(m, &(struct pending){ .due_ns = e->ts_ns + m->grace_ns,
				       .kind = P_RELEASED,
				       .seg = en->seg,
				       .kvmfd = en->kvmfd,
				       .gen = en->gen,
				       .trans_devid = en->trans_devid,
				       .release = ev });
	entry_drop(m, en, e->ts_ns);
}

static bool devid_live(struct tdv_model *m, uint16_t seg, uint16_t devid);

/*
 * An id handed out again while its translate DTE (or a VF control register)
 * still points at it: the old owner's state was never cleared.
 */
static void check_reassigned(struct tdv_model *m, const struct tdv_event *e)
{
	struct dte *d = u64map_get(&m->dtes, dte_key(e->seg, e->trans_devid));
	struct tdv_evidence ev;
	struct tdv_report r;

	if (!d || !(d->set || d->vfctrl_refs) || d->stale_reported ||
	    devid_live(m, e->seg, e->trans_devid))
		return;
	d->stale_reported = true;
	report_init(&r, TDV_R_STALE_DTE, e->ts_ns, NULL);
	r.seg = e->seg;
	r.trans_devid = e->trans_devid;
	snprintf(r.detail, sizeof(r.detail),
		 "trans_devid 0x%04x reassigned; translate DTE %s, %u VF control register(s) on it",
		 e->trans_devid, d->set ? "still set" : "cleared", d->vfctrl_refs);
	if (d->set) {
		add_dte_set(&r, d);
	}
	evidence_of(&ev, e);
	add_evidence(&r, &ev);
	deliver(m, &r);
}

static void on_id(struct tdv_model *m, const struct tdv_event *e)
{
	struct pool *p = pool_of(m, e->seg);

	m->have_id_events = true;
	if (!p || !(e->fields & TDV_F_TRANS_DEVID))
		return;
	if (e->kind == TDV_EV_ID_ALLOC)
		check_reassigned(m, e);
	pool_set(p, e->trans_devid, e->kind == TDV_EV_ID_ALLOC);
	if (e->kind == TDV_EV_ID_ALLOC)
		u64map_put(&m->alloc_ns, dte_key(e->seg, e->trans_devid),
			   (void *)(uintptr_t)e->ts_ns);
	else
		u64map_del(&m->alloc_ns, dte_key(e->seg, e->trans_devid));
}

static void on_reserve(struct tdv_model *m, const struct tdv_event *e)
{
	struct tdv_report r;
	struct tdv_evidence ev;

	if (e->ret != EBUSY_RET)
		return;
	report_init(&r, TDV_R_RESERVE_CLASH, e->ts_ns, NULL);
	r.seg = e->seg;
	r.trans_devid = e->trans_devid;
	r.ret = e->ret;
	if (e->fields & TDV_F_KVMFD) {
		struct entry *en = entry_find(m, e->seg, e->kvmfd);

		if (en) {
			report_init(&r, TDV_R_RESERVE_CLASH, e->ts_ns, en);
			r.ret = e->ret;
		}
	}
	snprintf(r.detail, sizeof(r.detail),
		 "device id 0x%04x could not be reserved: it is an allocated trans_devid",
		 e->trans_devid);
	evidence_of(&ev, e);
	add_evidence(&r, &ev);
	deliver(m, &r);
}

static struct entry *entry_of_devid(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en;

	if (!(e->fields & TDV_F_KVMFD))
		return NULL;
	en = entry_find(m, e->seg, e->kvmfd);
	return en && en->trans_devid == e->trans_devid ? en : NULL;
}

static void on_dte_set(struct tdv_model *m, const struct tdv_event *e)
{
	struct dte *d = get_or_new(&m->dtes, dte_key(e->seg, e->trans_devid), sizeof(*d));
	struct entry *en = entry_of_devid(m, e);

	if (!d)
		return;
	d->set = true;
	d->iommu = e->iommu;
	d->gid = e->gid;
	d->set_ns = e->ts_ns;
	d->set_pid = e->pid;
	d->set_tgid = e->tgid;
	memcpy(d->set_comm, e->comm, sizeof(d->set_comm));
	d->stale_reported = false;
	/* The get this vIOMMU took: same thread, still without a gid. */
	if (en) {
		timeline_add(m, en, e);
		for (unsigned int i = en->ngets; i-- > 0;) {
			struct get_rec *g = &en->gets[i];

			if (g->pid == e->pid && !g->has_gid) {
				g->gid = e->gid;
				g->iommu = e->iommu;
				g->has_gid = true;
				break;
			}
		}
	}
}

static void on_dte_clear(struct tdv_model *m, const struct tdv_event *e)
{
	struct dte *d = u64map_get(&m->dtes, dte_key(e->seg, e->trans_devid));
	struct entry *en = entry_of_devid(m, e);
	struct tdv_report r;
	struct tdv_evidence ev;

	if (d)
		d->set = false;
	if (!en)
		return;
	en->clear_gid = e->gid;
	en->clear_iommu = e->iommu;
	/*
	 * This vIOMMU's own ref is still held here; others hold the rest.
	 * The kernel's count read at the clear beats ours, which can trail a
	 * concurrent get on another CPU.
	 */
	if (e->fields & TDV_F_REFS)
		en->refs = e->refs;
	timeline_add(m, en, e);
	if (en->refs <= 1)
		return;
	report_init(&r, TDV_R_CLEAR_WHILE_SHARED, e->ts_ns, en);
	snprintf(r.detail, sizeof(r.detail),
		 "DTE 0x%04x cleared by gid %u on iommu 0x%04x while %u refs remain",
		 e->trans_devid, e->gid, e->iommu, en->refs);
	evidence_of(&ev, e);
	add_evidence(&r, &ev);
	add_gets(&r, en);
	deliver(m, &r);
}

static void on_vfctrl(struct tdv_model *m, const struct tdv_event *e)
{
	uint64_t key = vfctrl_key(e->seg, e->iommu, e->gid);
	struct vfctrl *v = get_or_new(&m->vfctrls, key, sizeof(*v));
	struct entry *en;
	struct dte *d;

	if (!v)
		return;
	if (v->devid) {
		d = u64map_get(&m->dtes, dte_key(e->seg, v->devid));
		if (d && d->vfctrl_refs)
			d->vfctrl_refs--;
	}
	v->devid = e->trans_devid;
	if (!v->devid) {
		free(u64map_del(&m->vfctrls, key));
		return;
	}
	d = get_or_new(&m->dtes, dte_key(e->seg, e->trans_devid), sizeof(*d));
	if (d)
		d->vfctrl_refs++;
	en = entry_of_devid(m, e);
	if (en)
		timeline_add(m, en, e);
}

static void on_uninit(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en = entry_of_devid(m, e);

	if (en) {
		en->clear_gid = e->gid;
		en->clear_iommu = e->iommu;
	}
}

/* The destroy is over: its put, if it made one, has come. */
static void on_destroyed(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en = (e->fields & TDV_F_KVMFD) ? entry_find(m, e->seg, e->kvmfd) : NULL;

	if (en)
		en->clear_gid = en->clear_iommu = -1;
}

/*
 * The VM (vm != 0) or the VMM (tgid != 0) is gone: the refs it took must
 * drain. Refs another VM took on the same entry (alias) are not its leak.
 */
struct doom_ctx {
	struct tdv_model *m;
	struct leaver who;
	uint64_t ts_ns;
};

static bool get_of(const struct get_rec *g, const struct leaver *who)
{
	if (who->vm)
		return g->vm == who->vm && g->vm_life == who->vm_life;
	return g->tgid == who->tgid;
}

static void doom_one(void *ctx, uint64_t key, void *value)
{
	struct doom_ctx *c = ctx;
	struct entry *en = value;

	for (unsigned int i = 0; i < en->ngets; i++) {
		if (!get_of(&en->gets[i], &c->who) || en->gets[i].reported)
			continue;
		schedule(c->m, &(struct pending){ .due_ns = c->ts_ns + c->m->grace_ns,
						  .kind = P_LEAK_REF,
						  .seg = en->seg,
						  .kvmfd = en->kvmfd,
						  .gen = en->gen,
						  .who = c->who });
		return;
	}
}

static void on_gone(struct tdv_model *m, const struct tdv_event *e)
{
	struct doom_ctx c = { .m = m, .ts_ns = e->ts_ns };

	if (e->kind == TDV_EV_VM_DESTROY) {
		if (!e->vm)
			return;
		c.who.vm = e->vm;
		c.who.vm_life = vm_life(m, e->vm);
		/* The address may hold another VM from now on. */
		u64map_put(&m->vm_lives, e->vm, (void *)(uintptr_t)(c.who.vm_life + 1));
	} else {
		c.who.tgid = e->tgid;
	}
	u64map_each(&m->entries, doom_one, &c);
}

struct fini_ctx {
	struct tdv_model *m;
	const struct tdv_event *e;
	struct entry *victims[256];
	unsigned int n;
};

static void fini_collect(void *ctx, uint64_t key, void *value)
{
	struct fini_ctx *c = ctx;
	struct entry *en = value;

	if (en->seg == c->e->seg && c->n < sizeof(c->victims) / sizeof(c->victims[0]))
		c->victims[c->n++] = en;
}

static void on_seg_fini(struct tdv_model *m, const struct tdv_event *e)
{
	struct fini_ctx c = { .m = m, .e = e };
	struct tdv_evidence ev;
	struct pool *p;

	evidence_of(&ev, e);
	u64map_each(&m->entries, fini_collect, &c);
	for (unsigned int i = 0; i < c.n; i++) {
		struct tdv_report r;

		report_init(&r, TDV_R_FINI_LIVE, e->ts_ns, c.victims[i]);
		snprintf(r.detail, sizeof(r.detail),
			 "segment %u torn down while kvmfd %u holds %u refs", e->seg,
			 c.victims[i]->kvmfd, c.victims[i]->refs);
		add_evidence(&r, &ev);
		add_gets(&r, c.victims[i]);
		deliver(m, &r);
		entry_drop(m, c.victims[i], e->ts_ns);
	}
	/* The kernel empties both xarrays: start the segment afresh. */
	p = u64map_del(&m->pools, e->seg);
	free(p);
}

void tdv_model_event(struct tdv_model *m, const struct tdv_event *e)
{
	if (e->ts_ns > m->now_ns)
		m->now_ns = e->ts_ns;
	switch (e->kind) {
	case TDV_EV_GET:
		on_get(m, e);
		break;
	case TDV_EV_PUT:
		on_put(m, e);
		break;
	case TDV_EV_ID_ALLOC:
	case TDV_EV_ID_FREE:
		on_id(m, e);
		break;
	case TDV_EV_RESERVE:
		on_reserve(m, e);
		break;
	case TDV_EV_DTE_SET:
		on_dte_set(m, e);
		break;
	case TDV_EV_DTE_CLEAR:
		on_dte_clear(m, e);
		break;
	case TDV_EV_VFCTRL:
		on_vfctrl(m, e);
		break;
	case TDV_EV_VIOMMU_UNINIT:
		on_uninit(m, e);
		break;
	case TDV_EV_VIOMMU_DESTROY:
		on_destroyed(m, e);
		break;
	case TDV_EV_VM_DESTROY:
	case TDV_EV_PROC_EXIT:
		on_gone(m, e);
		break;
	case TDV_EV_SEG_FINI:
		on_seg_fini(m, e);
		break;
	default:
		break;
	}
	tdv_model_tick(m, m->now_ns);
}

/* ---- checks that wait out the grace period ------------------------------------ */

static void check_leak_ref(struct tdv_model *m, const struct pending *p)
{
	struct entry *en = entry_find(m, p->seg, p->kvmfd);
	struct tdv_report r;
	unsigned int n = 0;

	if (!en || en->gen != p->gen)
		return;
	report_init(&r, TDV_R_LEAK_REF, p->due_ns, en);
	for (unsigned int i = 0; i < en->ngets; i++) {
		struct get_rec *g = &en->gets[i];
		struct tdv_evidence ev = {
			.ts_ns = g->ts_ns,
			.kind = TDV_EV_GET,
			.pid = g->pid,
			.tgid = g->tgid,
			.gid = g->gid,
			.iommu = g->iommu,
			.vm = g->vm,
			.has_stacks = g->has_stacks,
			.kstack = g->kstack,
			.ustack = g->ustack,
		};

		if (!get_of(g, &p->who) || g->reported)
			continue;
		g->reported = true;
		memcpy(ev.comm, g->comm, sizeof(ev.comm));
		add_evidence(&r, &ev);
		n++;
	}
	if (!n)
		return;
	en->leak_reported = true;
	r.refs = n;
	if (p->who.vm)
		r.vm = p->who.vm;
	snprintf(r.detail, sizeof(r.detail), "%s gone with %u refs outstanding (entry holds %u)",
		 p->who.vm ? "VM" : "VMM", n, en->refs);
	deliver(m, &r);
}

static void check_released(struct tdv_model *m, const struct pending *p)
{
	struct dte *d = u64map_get(&m->dtes, dte_key(p->seg, p->trans_devid));
	struct pool *pool = u64map_get(&m->pools, p->seg);
	struct tdv_report r;

	/* Reassigned in the meantime: the new owner's state, not stale. */
	if (devid_live(m, p->seg, p->trans_devid))
		return;
	if (d && (d->set || d->vfctrl_refs) && !d->stale_reported) {
		d->stale_reported = true;
		report_init(&r, TDV_R_STALE_DTE, p->due_ns, NULL);
		r.has_entry = true;
		r.seg = p->seg;
		r.kvmfd = p->kvmfd;
		r.gen = p->gen;
		r.trans_devid = p->trans_devid;
		r.vm = p->release.vm;
		snprintf(r.detail, sizeof(r.detail),
			 "trans_devid 0x%04x released; translate DTE %s, %u VF control register(s) "
			 "on it",
			 p->trans_devid, d->set ? "still set" : "cleared", d->vfctrl_refs);
		if (d->set)
			add_dte_set(&r, d);
		add_evidence(&r, &p->release);
		deliver(m, &r);
	}
	/* Allocated again since: a new owner's, whose get may be on its way. */
	if ((uintptr_t)u64map_get(&m->alloc_ns, dte_key(p->seg, p->trans_devid)) > p->release.ts_ns)
		return;
	if (m->have_id_events && pool && pool_test(pool, p->trans_devid)) {
		report_init(&r, TDV_R_LEAK_ID, p->due_ns, NULL);
		r.has_entry = true;
		r.seg = p->seg;
		r.kvmfd = p->kvmfd;
		r.gen = p->gen;
		r.trans_devid = p->trans_devid;
		r.vm = p->release.vm;
		snprintf(r.detail, sizeof(r.detail),
			 "trans_devid 0x%04x still allocated after its last ref went",
			 p->trans_devid);
		add_evidence(&r, &p->release);
		deliver(m, &r);
		pool_set(pool, p->trans_devid, false); /* report it once */
	}
}

struct live_ctx {
	uint16_t seg, devid;
	bool live;
};

static void live_one(void *ctx, uint64_t key, void *value)
{
	struct live_ctx *c = ctx;
	struct entry *en = value;

	if (en->seg == c->seg && en->trans_devid == c->devid)
		c->live = true;
}

static bool devid_live(struct tdv_model *m, uint16_t seg, uint16_t devid)
{
	struct live_ctx c = { .seg = seg, .devid = devid };

	u64map_each(&m->entries, live_one, &c);
	return c.live;
}

static void run_pending(struct tdv_model *m, uint64_t now_ns, bool all)
{
	while (m->headpend < m->npend) {
		struct pending p = m->pend[m->headpend];

		if (!all && p.due_ns > now_ns)
			break;
		m->headpend++;
		if (p.kind == P_LEAK_REF)
			check_leak_ref(m, &p);
		else
			check_released(m, &p);
	}
	if (m->headpend == m->npend)
		m->headpend = m->npend = 0;
}

void tdv_model_tick(struct tdv_model *m, uint64_t now_ns)
{
	if (now_ns > m->now_ns)
		m->now_ns = now_ns;
	run_pending(m, m->now_ns, false);
}

void tdv_model_finish(struct tdv_model *m)
{
	run_pending(m, m->now_ns, true);
}

void tdv_model_loss(struct tdv_model *m, uint64_t ts_ns)
{
	if (ts_ns > m->loss_until_ns)
		m->loss_until_ns = ts_ns;
}

static void count_pool(void *ctx, uint64_t key, void *value)
{
	struct tdv_model_stats *s = ctx;
	struct pool *p = value;

	s->ids_allocated += p->used;
}

void tdv_model_stats(const struct tdv_model *m, struct tdv_model_stats *out)
{
	*out = m->stats;
	out->live_entries = m->entries.count;
	out->ids_allocated = 0;
	u64map_each(&m->pools, count_pool, out);
}

struct view_ctx {
	void (*fn)(void *ctx, const struct tdv_entry_view *v);
	void *ctx;
};

static void view_one(void *ctx, uint64_t key, void *value)
{
	struct view_ctx *c = ctx;
	struct entry *en = value;
	struct tdv_entry_view v = {
		.seg = en->seg,
		.kvmfd = en->kvmfd,
		.gen = en->gen,
		.trans_devid = en->trans_devid,
		.refs = en->refs,
		.viommus = en->ngets,
		.vm = en->vm,
		.owner_tgid = en->owner_tgid,
		.created_ns = en->created_ns,
		.leaked = en->leak_reported,
	};

	memcpy(v.owner_comm, en->owner_comm, sizeof(v.owner_comm));
	c->fn(c->ctx, &v);
}

void tdv_model_each_entry(const struct tdv_model *m,
			  void (*fn)(void *ctx, const struct tdv_entry_view *v), void *ctx)
{
	struct view_ctx c = { .fn = fn, .ctx = ctx };

	u64map_each(&m->entries, view_one, &c);
}

struct timeline_ctx {
	void (*fn)(void *ctx, const struct tdv_timeline *t);
	void *ctx;
};

static void timeline_one(void *ctx, uint64_t key, void *value)
{
	struct timeline_ctx *c = ctx;
	struct tdv_timeline t;

	timeline_of(value, &t);
	c->fn(c->ctx, &t);
}

void tdv_model_each_timeline(const struct tdv_model *m,
			     void (*fn)(void *ctx, const struct tdv_timeline *t), void *ctx)
{
	struct timeline_ctx c = { .fn = fn, .ctx = ctx };

	u64map_each(&m->entries, timeline_one, &c);
}

uint32_t tdv_model_pool_used(const struct tdv_model *m, uint16_t seg)
{
	const struct pool *p = u64map_get(&m->pools, seg);

	return p ? p->used : 0;
}

void tdv_model_seed(struct tdv_model *m, const struct tdv_model_seed *seed)
{
	struct tdv_event e = {
		.ts_ns = seed->ts_ns,
		.kind = TDV_EV_GET,
		.tgid = seed->tgid,
		.pid = seed->tgid,
		.seg = seed->seg,
		.kvmfd = seed->kvmfd,
		.gen = seed->gen,
		.trans_devid = seed->trans_devid,
		.refs = seed->refs,
		.vm = seed->vm,
		.fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_GEN | TDV_F_TRANS_DEVID | TDV_F_REFS,
	};
	struct entry *en;
	struct pool *p;

	memcpy(e.comm, seed->comm, sizeof(e.comm));
	if (entry_find(m, seed->seg, seed->kvmfd))
		return;
	en = entry_create(m, &e);
	if (!en)
		return;
	en->refs = seed->refs;
	for (uint32_t i = 0; i < seed->refs && i < 64; i++)
		entry_add_get(m, en, &e);
	p = pool_of(m, seed->seg);
	if (p)
		pool_set(p, seed->trans_devid, true);
}

void tdv_model_on_close(struct tdv_model *m, void (*fn)(void *ctx, const struct tdv_timeline *t),
			void *ctx)
{
	m->on_close = fn;
	m->close_ctx = ctx;
}
