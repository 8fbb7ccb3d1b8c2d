// SPDX-License-Identifier: GPL-2.0
/*
 * The state machine: each event changes the model's copy of the kernel's
 * state (entries, pools, DTEs, VF control registers) as the kernel changed
 * its own, and calls each detector (detect.h) at the moment it checks.
 */
#include <stdlib.h>
#include <string.h>
#include "detect.h"
#include "grow.h"

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
	u64map_init(&m->devids);
	u64map_init(&m->vfctrls);
	u64map_init(&m->pools);
	u64map_init(&m->vms);
	u64map_init(&m->err_uninits);
	u64map_init(&m->vm_takers);
	u64map_init(&m->tgid_takers);
	u64map_init(&m->tgid_vms);
	u64nummap_init(&m->vm_lives);
	u64nummap_init(&m->alloc_ns);
	return m;
}

void tdv_model_observe(struct tdv_model *m, unsigned int observed)
{
	m->observed = observed & TDV_OBSERVE_ALL;
	m->observe_set = true;
}

static void free_value(void *ctx, uint64_t key, void *value)
{
	free(value);
}

static void free_pool(void *ctx, uint64_t key, void *value)
{
	pool_free(value);
}

static void free_taker(void *ctx, uint64_t key, void *value)
{
	struct taker *t = value;

	free(t->keys);
	free(t);
}

static void free_entry(void *ctx, uint64_t key, void *value)
{
	struct entry *en = value;

	free(en->gets);
	free(en->tl);
	free(en);
}

void tdv_model_free(struct tdv_model *m)
{
	if (!m)
		return;
	u64map_each(&m->entries, free_entry, NULL);
	u64map_destroy(&m->entries);
	u64map_each(&m->devids, free_value, NULL);
	u64map_destroy(&m->devids);
	u64map_each(&m->vfctrls, free_value, NULL);
	u64map_destroy(&m->vfctrls);
	u64map_each(&m->pools, free_pool, NULL);
	u64map_destroy(&m->pools);
	u64map_each(&m->vms, free_value, NULL);
	u64map_destroy(&m->vms);
	u64map_each(&m->err_uninits, free_value, NULL);
	u64map_destroy(&m->err_uninits);
	u64map_each(&m->vm_takers, free_taker, NULL);
	u64map_destroy(&m->vm_takers);
	u64map_each(&m->tgid_takers, free_taker, NULL);
	u64map_destroy(&m->tgid_takers);
	u64map_each(&m->tgid_vms, free_taker, NULL);
	u64map_destroy(&m->tgid_vms);
	u64nummap_destroy(&m->vm_lives);
	u64nummap_destroy(&m->alloc_ns);
	free(m->pend);
	free(m);
}

/* ---- pools, VMs ---------------------------------------------------------- */

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

struct pool *pool_of(struct tdv_model *m, uint16_t seg)
{
	return get_or_new(&m->pools, seg, sizeof(struct pool)); /* zeroed: an empty set */
}

bool pool_test(const struct pool *p, uint16_t id)
{
	uint64_t one;

	return u64nummap_get(&p->ids, id, &one);
}

void pool_set(struct pool *p, uint16_t id, bool on)
{
	if (pool_test(p, id) == on)
		return;
	if (!on) {
		u64nummap_del(&p->ids, id);
		p->used--;
	} else if (!u64nummap_put(&p->ids, id, 1)) {
		p->used++;
	}
}

void pool_free(struct pool *p)
{
	if (p)
		u64nummap_destroy(&p->ids);
	free(p);
}

uint64_t vm_life(struct tdv_model *m, uint64_t vm)
{
	uint64_t life;

	if (!vm)
		return 0;
	if (u64nummap_get(&m->vm_lives, vm, &life))
		return life;
	if (m->vm_lives.map.count >= TDV_MODEL_VMS_MAX) {
		/* Each VM here lost its destroy: start afresh, and say so. */
		u64nummap_destroy(&m->vm_lives);
		tdv_model_loss(m, m->now_ns);
	}
	life = ++m->last_vm_life;
	u64nummap_put(&m->vm_lives, vm, life);
	return life;
}

/* ---- entries ------------------------------------------------------------- */

struct entry *entry_find(struct tdv_model *m, uint16_t seg, uint32_t kvmfd)
{
	return u64map_get(&m->entries, entry_key(seg, kvmfd));
}

struct entry *entry_of_devid(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en;

	if (!(e->fields & TDV_F_KVMFD))
		return NULL;
	en = entry_find(m, e->seg, e->kvmfd);
	return en && en->trans_devid == e->trans_devid ? en : NULL;
}

struct holding_ctx {
	uint16_t seg, devid;
	struct entry *found;
};

static void find_holder(void *ctx, uint64_t key, void *value)
{
	struct holding_ctx *c = ctx;
	struct entry *en = value;

	if (!c->found && en->seg == c->seg && en->trans_devid == c->devid)
		c->found = en;
}

struct entry *entry_holding(struct tdv_model *m, uint16_t seg, uint16_t devid)
{
	struct devid_state *d = u64map_get(&m->devids, devid_key(seg, devid));
	struct holding_ctx c = { .seg = seg, .devid = devid };

	if (!d || !d->holders)
		return NULL;
	if (d->holder)
		return d->holder;
	/* Two holders at once (a put was lost), the indexed one gone: search. */
	u64map_each(&m->entries, find_holder, &c);
	return c.found;
}

bool devid_live(const struct tdv_model *m, uint16_t seg, uint16_t devid)
{
	const struct devid_state *d = u64map_get(&m->devids, devid_key(seg, devid));

	return d && d->holders;
}

struct entry *entry_create(struct tdv_model *m, const struct tdv_event *e)
{
	struct devid_state *d =
		get_or_new(&m->devids, devid_key(e->seg, e->trans_devid), sizeof(*d));
	struct entry *en = NULL;

	if (m->entries.count >= TDV_MODEL_ENTRIES_MAX)
		tdv_model_loss(m, e->ts_ns);
	else if (d)
		en = calloc(1, sizeof(*en));
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
	d->holders++;
	d->holder = en;
	return en;
}

/*
 * Forget an id's state once nothing points at it: no entry, no translate
 * DTE, no VF control. So the table holds only ids in use (at most 65536
 * a segment), not every id a long run (or a crafted stream) named.
 */
static void devid_prune(struct tdv_model *m, uint16_t seg, uint16_t devid)
{
	uint64_t key = devid_key(seg, devid);
	struct devid_state *d = u64map_get(&m->devids, key);

	if (d && !d->holders && !d->set && !d->vfctrl_refs)
		free(u64map_del(&m->devids, key));
}

void entry_drop(struct tdv_model *m, struct entry *en, uint64_t ts_ns)
{
	struct devid_state *d = u64map_get(&m->devids, devid_key(en->seg, en->trans_devid));

	timeline_close(m, en, ts_ns);
	u64map_del(&m->entries, entry_key(en->seg, en->kvmfd));
	d->holders--; /* made with the entry, never freed */
	if (d->holder == en)
		d->holder = NULL;
	devid_prune(m, en->seg, en->trans_devid);
	free_entry(NULL, 0, en);
}

bool get_of(const struct get_rec *g, const struct leaver *who)
{
	if (who->vm)
		return g->vm == who->vm && g->vm_life == who->vm_life;
	return g->tgid == who->tgid;
}

static bool entry_taken_by(struct tdv_model *m, uint64_t key, const struct leaver *who)
{
	struct entry *en = u64map_get(&m->entries, key);

	for (size_t i = 0; en && i < en->ngets; i++)
		if (get_of(&en->gets[i], who))
			return true;
	return false;
}

/* Note that @who took a get on @en; a full list first drops what is stale. */
static void taker_add(struct tdv_model *m, struct u64map *map, uint64_t id,
		      const struct leaver *who, const struct entry *en)
{
	struct taker *t = get_or_new(map, id, sizeof(*t));
	size_t j = 0;

	if (!t)
		return;
	if (t->n == t->cap) {
		for (size_t i = 0; i < t->n; i++)
			if (entry_taken_by(m, t->keys[i], who))
				t->keys[j++] = t->keys[i];
		t->n = j;
	}
	if (t->n == t->cap && TDV_GROW(t->keys, t->cap, t->n + 1, 4))
		return;
	t->keys[t->n++] = entry_key(en->seg, en->kvmfd);
}

struct taker taker_take(struct tdv_model *m, const struct leaver *who)
{
	struct taker *t = who->vm ? u64map_del(&m->vm_takers, who->vm)
				  : u64map_del(&m->tgid_takers, who->tgid);
	struct taker out = {};

	if (t) {
		out = *t;
		free(t);
	}
	return out;
}

/* Note that VMM @tgid resolved @vm; a full list first drops what is stale. */
static void vms_of_add(struct tdv_model *m, uint32_t tgid, uint64_t vm)
{
	struct taker *t = get_or_new(&m->tgid_vms, tgid, sizeof(*t));
	size_t j = 0;

	if (!t)
		return;
	if (t->n == t->cap) {
		for (size_t i = 0; i < t->n; i++) {
			const struct vm_rec *v = u64map_get(&m->vms, t->keys[i]);

			if (v && v->tgid == tgid)
				t->keys[j++] = t->keys[i];
		}
		t->n = j;
	}
	if (t->n == t->cap && TDV_GROW(t->keys, t->cap, t->n + 1, 4))
		return;
	t->keys[t->n++] = vm;
}

struct taker vms_of_take(struct tdv_model *m, uint32_t tgid)
{
	struct taker *t = u64map_del(&m->tgid_vms, tgid);
	struct taker out = {};

	if (t) {
		out = *t;
		free(t);
	}
	return out;
}

void entry_add_get(struct tdv_model *m, struct entry *en, const struct tdv_event *e)
{
	struct get_rec *g;

	if (en->ngets == en->capgets && TDV_GROW(en->gets, en->capgets, en->ngets + 1, 4))
		return;
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
	if (g->vm)
		taker_add(m, &m->vm_takers, g->vm,
			  &(struct leaver){ .vm = g->vm, .vm_life = g->vm_life }, en);
	taker_add(m, &m->tgid_takers, g->tgid, &(struct leaver){ .tgid = g->tgid }, en);
}

/*
 * The put answers the get of the vIOMMU being torn down (same gid, IOMMU and
 * process; the newest such, since a leaked get keeps a gid that a later
 * vIOMMU reuses), else one taken by the same process, else the oldest.
 */
static void entry_retire_get(struct entry *en, const struct tdv_event *put)
{
	size_t i = en->ngets;

	if (!en->ngets)
		return;
	for (unsigned int pass = 0; pass < 3 && i == en->ngets; pass++) {
		for (size_t j = en->ngets; j-- > 0;) {
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

/* ---- the pool ------------------------------------------------------------ */

/*
 * @e allocated its trans_devid: an id_alloc, or (derived) the get that
 * created its entry. The id was free until now, so a DTE or VF control
 * register still on it is stale.
 */
static void id_allocated(struct tdv_model *m, struct pool *p, const struct tdv_event *e)
{
	detect_stale_dte_reassigned(m, e);
	pool_set(p, e->trans_devid, true);
	u64nummap_put(&m->alloc_ns, devid_key(e->seg, e->trans_devid), e->ts_ns);
}

/* A get created the entry the model did not have. */
static void get_created(struct tdv_model *m, const struct tdv_event *e)
{
	struct pool *p = alloc_observed(m) ? NULL : pool_of(m, e->seg);

	if (!p)
		return; /* observed: its id_alloc came before the get returned */
	/* Derived from the get's outcome (tdv_get_created): it allocated. */
	if (m->observe_set && (e->fields & TDV_F_NEW))
		id_allocated(m, p, e);
	else
		pool_set(p, e->trans_devid, true); /* an old recording: as it always was */
}

/* The put @e released @en: where did its trans_devid go? */
static void put_released(struct tdv_model *m, const struct entry *en, const struct tdv_event *e)
{
	struct pool *p = pool_of(m, e->seg);

	if (!p)
		return;
	if (e->fields & TDV_F_ID_STATE) {
		/*
		 * Kernel state: no id_free ran inside this put, and its read of
		 * trans_devid_xa at the return says whether the id went back
		 * (untraced: inlined or cloned) or leaked (skipped).
		 */
		pool_set(p, en->trans_devid, e->id_state == TDV_ID_ALLOCATED);
	} else if (!free_observed(m)) {
		/* No id_free and no state: freed as the driver does. */
		pool_set(p, en->trans_devid, false);
	}
	/* Else an id_free event inside the put already freed it (on_id). */
}

/* ---- event handlers ------------------------------------------------------ */

static void on_get(struct tdv_model *m, const struct tdv_event *e)
{
	struct entry *en;

	if (e->ret) {
		detect_alloc_fail(m, e);
		return;
	}
	en = entry_find(m, e->seg, e->kvmfd);
	/* A new generation means the kernel made a fresh entry. */
	if (en && en->gen != e->gen && (e->fields & TDV_F_GEN)) {
		entry_drop(m, en, 0);
		en = NULL;
	}
	if (!en) {
		get_created(m, e); /* before the entry holds the id: stale check */
		en = entry_create(m, e);
		if (!en)
			return;
	} else {
		detect_alias(m, en, e);
	}
	en->refs = e->refs;
	entry_add_get(m, en, e);
	timeline_add(m, en, e);
}

static void on_put(struct tdv_model *m, const struct tdv_event *e)
{
	struct pending released;
	struct entry *en;

	if (!(e->fields & TDV_F_TRANS_DEVID)) {
		detect_unbalanced_put(m, e);
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
	put_released(m, en, e);
	/* Released: the DTE, VF control and pool must follow within grace. */
	released = (struct pending){ .due_ns = e->ts_ns + m->grace_ns,
				     .kind = P_RELEASED,
				     .seg = en->seg,
				     .kvmfd = en->kvmfd,
				     .gen = en->gen,
				     .trans_devid = en->trans_devid };
	evidence_of_event(&released.release, e);
	grace_schedule(m, &released);
	entry_drop(m, en, e->ts_ns);
}

/*
 * The kernel hands out only free ids, and frees one inside the put that
 * releases its entry. So an entry still holding an id being allocated,
 * whose free we never saw or saw longer than a grace period ago, lost its
 * put: it is gone (and events were lost).
 */
static void drop_lost_holders(struct tdv_model *m, const struct tdv_event *e, struct pool *p)
{
	struct devid_state *d = u64map_get(&m->devids, devid_key(e->seg, e->trans_devid));
	struct entry *en;

	if (!d || !d->holders ||
	    (!pool_test(p, e->trans_devid) && d->freed_ns + m->grace_ns > e->ts_ns))
		return;
	while ((en = entry_holding(m, e->seg, e->trans_devid)))
		entry_drop(m, en, 0);
	tdv_model_loss(m, e->ts_ns);
}

/*
 * id_alloc / id_free: traced calls of the pool. Where the probe table says
 * one of them misses calls (a clone, or not attached), the facts derived
 * from gets and puts stand instead, and its events change nothing.
 */
static void on_id(struct tdv_model *m, const struct tdv_event *e)
{
	bool alloc = e->kind == TDV_EV_ID_ALLOC;
	struct devid_state *d;
	struct pool *p;

	if (!m->observe_set)
		m->have_id_events = true; /* an old recording: the events decide */
	if (!(alloc ? alloc_observed(m) : free_observed(m)))
		return;
	p = pool_of(m, e->seg);
	if (!p || !(e->fields & TDV_F_TRANS_DEVID))
		return;
	if (alloc) {
		drop_lost_holders(m, e, p);
		id_allocated(m, p, e);
		return;
	}
	d = u64map_get(&m->devids, devid_key(e->seg, e->trans_devid));
	if (d)
		d->freed_ns = e->ts_ns;
	pool_set(p, e->trans_devid, false);
	u64nummap_del(&m->alloc_ns, devid_key(e->seg, e->trans_devid));
}

static void on_dte_set(struct tdv_model *m, const struct tdv_event *e)
{
	struct devid_state *d =
		get_or_new(&m->devids, devid_key(e->seg, e->trans_devid), sizeof(*d));
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
	if (!en)
		return;
	timeline_add(m, en, e);
	/* The get this vIOMMU took: same thread, still without a gid. */
	for (size_t i = en->ngets; i-- > 0;) {
		struct get_rec *g = &en->gets[i];

		if (g->pid == e->pid && !g->has_gid) {
			g->gid = e->gid;
			g->iommu = e->iommu;
			g->has_gid = true;
			break;
		}
	}
}

/* The clear that follows an uninit of a trans_devid not the vIOMMU's own. */
static bool driver_error_clear(struct tdv_model *m, const struct tdv_event *e)
{
	struct err_uninit *u = u64map_get(&m->err_uninits, e->pid);

	if (!u || u->seg != e->seg || u->gid != e->gid || u->devid != e->trans_devid)
		return false;
	detect_driver_dte0(m, u, e);
	free(u64map_del(&m->err_uninits, e->pid));
	return true;
}

static void on_dte_clear(struct tdv_model *m, const struct tdv_event *e)
{
	struct devid_state *d = u64map_get(&m->devids, devid_key(e->seg, e->trans_devid));
	struct entry *en;

	if (d)
		d->set = false;
	devid_prune(m, e->seg, e->trans_devid);
	if (driver_error_clear(m, e))
		return;
	en = entry_of_devid(m, e);
	if (!en)
		return;
	en->clear_gid = e->gid;
	en->clear_iommu = e->iommu;
	/*
	 * The kernel's count read at the clear beats ours, which can trail a
	 * concurrent get on another CPU.
	 */
	if (e->fields & TDV_F_REFS)
		en->refs = e->refs;
	timeline_add(m, en, e);
	detect_clear_while_shared(m, en, e);
}

static void on_vfctrl(struct tdv_model *m, const struct tdv_event *e)
{
	uint64_t key = vfctrl_key(e->seg, e->iommu, e->gid);
	struct vfctrl *v = get_or_new(&m->vfctrls, key, sizeof(*v));
	struct entry *en;
	struct devid_state *d;

	if (!v)
		return;
	if (v->devid) {
		d = u64map_get(&m->devids, devid_key(e->seg, v->devid));
		if (d && d->vfctrl_refs)
			d->vfctrl_refs--;
		devid_prune(m, e->seg, v->devid);
	}
	v->devid = e->trans_devid;
	if (!v->devid) {
		free(u64map_del(&m->vfctrls, key));
		return;
	}
	d = get_or_new(&m->devids, devid_key(e->seg, e->trans_devid), sizeof(*d));
	if (d)
		d->vfctrl_refs++;
	en = entry_of_devid(m, e);
	if (en)
		timeline_add(m, en, e);
}

static void on_uninit(struct tdv_model *m, const struct tdv_event *e)
{
	const struct vfctrl *v = u64map_get(&m->vfctrls, vfctrl_key(e->seg, e->iommu, e->gid));
	struct entry *en;

	/*
	 * The vIOMMU's VF control names a trans_devid while its uninit reads
	 * neither kvmfd nor trans_devid set: the driver's init error path
	 * (detect_driver_dte0.c). Both must hold: a gid reused by another
	 * vIOMMU on another CPU can put a VF control write ahead of an uninit.
	 */
	if (v && v->devid && v->devid != e->trans_devid && !e->trans_devid && !e->kvmfd) {
		struct err_uninit *u = get_or_new(&m->err_uninits, e->pid, sizeof(*u));

		if (u) {
			*u = (struct err_uninit){ .seg = e->seg,
						  .iommu = e->iommu,
						  .gid = e->gid,
						  .devid = e->trans_devid,
						  .own_devid = v->devid };
			evidence_of_event(&u->uninit, e);
		}
		return;
	}
	en = entry_of_devid(m, e);
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

/* A vIOMMU was made: the driver resolved its kvmfd to this VM (fdget). */
static void on_viommu_init(struct tdv_model *m, const struct tdv_event *e)
{
	struct vm_rec *v;
	uint64_t life;

	/* An error path's uninit whose DTE clear never came (lost). */
	free(u64map_del(&m->err_uninits, e->pid));
	if (e->ret || !(e->fields & TDV_F_VM) || !e->vm)
		return;
	life = vm_life(m, e->vm);
	/* Bounded as vm_lives is: VMs whose destroy never came fill it. */
	if (m->vms.count >= TDV_MODEL_VMS_MAX && !u64map_get(&m->vms, e->vm)) {
		tdv_model_loss(m, e->ts_ns);
		return;
	}
	v = get_or_new(&m->vms, e->vm, sizeof(*v));
	if (!v)
		return;
	if (!v->ninits || v->vm_life != life) {
		if (v->ninits) /* another VM at this address: start afresh */
			memset(v, 0, sizeof(*v));
		v->vm_life = life;
		v->tgid = e->tgid;
		memcpy(v->comm, e->comm, sizeof(v->comm));
		vms_of_add(m, e->tgid, e->vm);
	}
	if (v->ninits < VM_INITS_KEPT)
		evidence_of_event(&v->inits[v->ninits], e);
	v->ninits++;
}

/* The VM (vm_destroy) or the VMM (proc_exit) is gone: its refs must drain. */
static void on_gone(struct tdv_model *m, const struct tdv_event *e)
{
	struct leaver who = {};

	if (e->kind == TDV_EV_VM_DESTROY) {
		if (!e->vm)
			return;
		who.vm = e->vm;
		who.vm_life = vm_life(m, e->vm);
		/* The address may hold another VM from now on: a new life. */
		u64nummap_del(&m->vm_lives, e->vm);
		free(u64map_del(&m->vms, e->vm));
	} else {
		who.tgid = e->tgid;
		detect_vm_not_destroyed_arm(m, e);
	}
	detect_leak_ref_arm(m, &who, e->ts_ns);
}

struct seg_entries {
	uint16_t seg;
	struct entry **v;
	size_t n, cap;
};

static void collect_seg_entry(void *ctx, uint64_t key, void *value)
{
	struct seg_entries *c = ctx;
	struct entry *en = value;

	/* Out of memory: the entries not collected stay until their puts. */
	if (en->seg == c->seg && !TDV_GROW(c->v, c->cap, c->n + 1, 16))
		c->v[c->n++] = en;
}

static void on_seg_fini(struct tdv_model *m, const struct tdv_event *e)
{
	struct seg_entries c = { .seg = e->seg };

	u64map_each(&m->entries, collect_seg_entry, &c);
	for (size_t i = 0; i < c.n; i++) {
		detect_fini_live(m, c.v[i], e);
		entry_drop(m, c.v[i], e->ts_ns);
	}
	free(c.v);
	/* The kernel empties both xarrays: start the segment afresh. */
	pool_free(u64map_del(&m->pools, e->seg));
}

void tdv_model_event(struct tdv_model *m, const struct tdv_event *e)
{
	grace_run_before(m, e->ts_ns);
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
		detect_reserve_clash(m, e); /* a reservation changes no state we keep */
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
	case TDV_EV_VIOMMU_INIT:
		on_viommu_init(m, e);
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
