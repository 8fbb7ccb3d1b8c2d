// SPDX-License-Identifier: GPL-2.0
/*
 * The state model and its detectors on synthetic event streams shaped like
 * the patch's flows (see tests/vm/check.py for the same flows in the guest).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "feed.h"
#include "model.h"
#include "reorder.h"

#define GRACE 1000000ULL /* 1 ms */
#define VM_A 0xffff888000001000ULL
#define VM_B 0xffff888000002000ULL

struct sink {
	struct tdv_report reports[64];
	unsigned int n;
};

static void collect(void *ctx, const struct tdv_report *r)
{
	struct sink *s = ctx;

	if (s->n < 64)
		s->reports[s->n] = *r;
	s->n++;
}

/* A stream under construction: events with increasing timestamps. */
struct stream {
	struct tdv_event ev[1024];
	unsigned int n;
	uint64_t ts;
	uint32_t tgid;
};

static struct tdv_event *add(struct stream *s, uint32_t kind, uint32_t fields)
{
	struct tdv_event *e = &s->ev[s->n++];

	memset(e, 0, sizeof(*e));
	s->ts += 1000;
	e->ts_ns = s->ts;
	e->kind = kind;
	e->fields = fields;
	e->pid = e->tgid = s->tgid;
	strcpy(e->comm, "vmm");
	return e;
}

#define F_ENTRY (TDV_F_SEG | TDV_F_KVMFD | TDV_F_GEN | TDV_F_TRANS_DEVID)

/* amd_iommufd_viommu_init: get, DTE, VF control (refs after the get). */
static void viommu_create(struct stream *s, uint16_t seg, uint32_t kvmfd, uint32_t gen,
			  uint16_t tid, uint32_t refs, uint16_t gid, uint64_t vm)
{
	struct tdv_event *e;

	if (refs == 1) {
		e = add(s, TDV_EV_ID_ALLOC, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_RET);
		e->seg = seg;
		e->trans_devid = tid;
		e->ret = tid;
	}
	e = add(s, TDV_EV_GET, F_ENTRY | TDV_F_REFS | TDV_F_RET | TDV_F_VM);
	e->seg = seg, e->kvmfd = kvmfd, e->gen = gen, e->trans_devid = tid;
	e->refs = refs, e->vm = vm;
	if (refs == 1)
		e->fields |= TDV_F_NEW; /* it created the entry */
	e = add(s, TDV_EV_DTE_SET, F_ENTRY | TDV_F_GID | TDV_F_IOMMU | TDV_F_VM);
	e->seg = seg, e->kvmfd = kvmfd, e->gen = gen, e->trans_devid = tid;
	e->gid = gid, e->iommu = 2, e->vm = vm;
	e = add(s, TDV_EV_VFCTRL, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	e->seg = seg, e->kvmfd = kvmfd, e->gen = gen, e->trans_devid = tid;
	e->gid = gid, e->iommu = 2;
}

/* amd_iommufd_viommu_destroy as the patch does it; @put false skips it. */
static void viommu_destroy(struct stream *s, uint16_t seg, uint32_t kvmfd, uint32_t gen,
			   uint16_t tid, uint32_t refs_after, uint16_t gid, bool clear, bool put)
{
	struct tdv_event *e;

	e = add(s, TDV_EV_VIOMMU_UNINIT, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	e->seg = seg, e->kvmfd = kvmfd, e->gen = gen, e->trans_devid = tid;
	e->gid = gid, e->iommu = 2;
	e = add(s, TDV_EV_VFCTRL, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_GID | TDV_F_IOMMU);
	e->seg = seg, e->gid = gid, e->iommu = 2;
	if (clear) {
		e = add(s, TDV_EV_DTE_CLEAR, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
		e->seg = seg, e->kvmfd = kvmfd, e->gen = gen, e->trans_devid = tid;
		e->gid = gid, e->iommu = 2;
	}
	if (!put)
		return;
	if (!refs_after) {
		e = add(s, TDV_EV_ID_FREE, TDV_F_SEG | TDV_F_TRANS_DEVID);
		e->seg = seg, e->trans_devid = tid;
	}
	e = add(s, TDV_EV_PUT, F_ENTRY | TDV_F_REFS);
	e->seg = seg, e->kvmfd = kvmfd, e->gen = gen, e->trans_devid = tid;
	e->refs = refs_after;
}

/* Take every event of @kind out of the stream. */
static void drop_events(struct stream *s, uint32_t kind)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < s->n; i++)
		if (s->ev[i].kind != kind)
			s->ev[j++] = s->ev[i];
	s->n = j;
}

static void vm_destroy(struct stream *s, uint64_t vm)
{
	add(s, TDV_EV_VM_DESTROY, TDV_F_VM)->vm = vm;
}

/* amd_iommufd_viommu_init returned @ret, having resolved kvmfd to @vm. */
static void viommu_init_done(struct stream *s, uint16_t seg, uint32_t kvmfd, uint16_t gid,
			     uint64_t vm, int ret)
{
	struct tdv_event *e = add(s, TDV_EV_VIOMMU_INIT, TDV_F_SEG | TDV_F_IOMMU | TDV_F_RET);

	e->seg = seg, e->iommu = 2, e->ret = ret;
	if (ret)
		return;
	e->fields |= TDV_F_KVMFD | TDV_F_GID | TDV_F_VM;
	e->kvmfd = kvmfd, e->gid = gid, e->vm = vm;
}

static void proc_exit(struct stream *s)
{
	add(s, TDV_EV_PROC_EXIT, 0);
}

/* As run(), by a model told what the probes observe (TDV_OBSERVE_*). */
static void run_observed(struct stream *s, struct sink *out, struct tdv_model_stats *stats,
			 int observed)
{
	struct tdv_model *m = tdv_model_new(GRACE, collect, out);

	assert_non_null(m);
	if (observed >= 0)
		tdv_model_observe(m, observed);
	for (unsigned int i = 0; i < s->n; i++)
		tdv_model_event(m, &s->ev[i]);
	tdv_model_tick(m, s->ts + 2 * GRACE);
	tdv_model_finish(m);
	if (stats)
		tdv_model_stats(m, stats);
	tdv_model_free(m);
}

static void run(struct stream *s, struct sink *out, struct tdv_model_stats *stats)
{
	struct tdv_model *m = tdv_model_new(GRACE, collect, out);

	assert_non_null(m);
	for (unsigned int i = 0; i < s->n; i++)
		tdv_model_event(m, &s->ev[i]);
	tdv_model_tick(m, s->ts + 2 * GRACE);
	tdv_model_finish(m);
	if (stats)
		tdv_model_stats(m, stats);
	tdv_model_free(m);
}

static void test_clean_lifecycle_reports_nothing(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_model_stats st;

	/* One vIOMMU per segment: the patch's hazards do not arise. */
	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_create(&s, 1, 4, 1, 0xffff, 1, 2, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
	viommu_destroy(&s, 1, 4, 1, 0xffff, 0, 2, true, true);
	vm_destroy(&s, VM_A);
	run(&s, &out, &st);
	assert_int_equal(out.n, 0);
	assert_int_equal(st.live_entries, 0);
	assert_int_equal(st.ids_allocated, 0);
}

static void test_clear_while_shared(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_create(&s, 0, 4, 1, 0xffff, 2, 2, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 1, 1, true, true);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 2, true, true);
	vm_destroy(&s, VM_A);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_CLEAR_WHILE_SHARED);
	assert_int_equal(out.reports[0].refs, 2);
	assert_int_equal(out.reports[0].trans_devid, 0xffff);
	assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_DTE_CLEAR);
	assert_int_equal(out.reports[0].evidence[0].gid, 1);
	/* The gets outstanding at the clear, with the VM each was taken for. */
	assert_int_equal(out.reports[0].nevidence, 3);
	assert_int_equal(out.reports[0].evidence[1].kind, TDV_EV_GET);
	assert_int_equal(out.reports[0].evidence[1].vm, VM_A);
	assert_int_equal(out.reports[0].evidence[2].kind, TDV_EV_GET);
	assert_int_equal(out.reports[0].evidence[2].vm, VM_A);
	assert_false(out.reports[0].lossy);
}

static void test_leak_ref_names_outstanding_get(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_model_stats st;

	viommu_create(&s, 1, 5, 1, 0xffff, 1, 7, VM_A);
	viommu_destroy(&s, 1, 5, 1, 0xffff, 1, 7, true, false); /* put skipped */
	vm_destroy(&s, VM_A);
	run(&s, &out, &st);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_LEAK_REF);
	assert_int_equal(out.reports[0].seg, 1);
	assert_int_equal(out.reports[0].kvmfd, 5);
	assert_int_equal(out.reports[0].gen, 1);
	assert_int_equal(out.reports[0].refs, 1);
	assert_int_equal(out.reports[0].vm, VM_A);
	assert_int_equal(out.reports[0].owner_tgid, 100);
	assert_int_equal(out.reports[0].nevidence, 1);
	assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_GET);
	assert_int_equal(out.reports[0].evidence[0].gid, 7);
	assert_int_equal(st.live_entries, 1); /* the kernel still holds it */
}

/* Teardown still in flight when the VM goes is not a leak; past grace it is. */
static void test_put_within_grace_is_no_leak(void **state)
{
	for (int late = 0; late < 2; late++) {
		struct stream s = { .tgid = 100 };
		struct sink out = {};

		viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
		vm_destroy(&s, VM_A);
		s.ts += late ? GRACE : GRACE / 2;
		viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
		run(&s, &out, NULL);
		assert_int_equal(out.n, late);
		if (late) {
			assert_int_equal(out.reports[0].kind, TDV_R_LEAK_REF);
			assert_int_equal(out.reports[0].refs, 1);
			assert_int_equal(out.reports[0].vm, VM_A);
		}
	}
}

static void test_unbalanced_put(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_event *e;

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
	/* The double put: no entry any more, so no trans_devid. */
	e = add(&s, TDV_EV_PUT, TDV_F_SEG | TDV_F_KVMFD | TDV_F_REFS);
	e->seg = 0, e->kvmfd = 4;
	vm_destroy(&s, VM_A);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_UNBALANCED_PUT);
	assert_int_equal(out.reports[0].kvmfd, 4);
	assert_int_equal(out.reports[0].owner_tgid, 100);
}

static void test_alias_two_vms_one_fd_number(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	s.tgid = 200;
	viommu_create(&s, 0, 4, 1, 0xffff, 2, 2, VM_B); /* same fd, other VMM */
	run(&s, &out, NULL);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_ALIAS);
	assert_int_equal(out.reports[0].vm, VM_A);
	assert_int_equal(out.reports[0].other_vm, VM_B);
	assert_int_equal(out.reports[0].owner_tgid, 100);
	/* The owner's get (with its VM), then the aliasing get. */
	assert_int_equal(out.reports[0].nevidence, 2);
	assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_GET);
	assert_int_equal(out.reports[0].evidence[0].tgid, 100);
	assert_int_equal(out.reports[0].evidence[0].vm, VM_A);
	assert_int_equal(out.reports[0].evidence[1].tgid, 200);
	assert_int_equal(out.reports[0].evidence[1].vm, VM_B);
}

/* After an alias, the first VM going is no leak: the refs left are B's. */
static void test_alias_refs_are_not_the_owners_leak(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	s.tgid = 200;
	viommu_create(&s, 0, 4, 1, 0xffff, 2, 2, VM_B);
	s.tgid = 100;
	viommu_destroy(&s, 0, 4, 1, 0xffff, 1, 1, true, true);
	vm_destroy(&s, VM_A);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.reports[0].kind, TDV_R_ALIAS);
	assert_int_equal(out.reports[1].kind, TDV_R_CLEAR_WHILE_SHARED);
}

/* B's vIOMMU kept its ref when B went: the leak is B's, with B's get. */
static void test_leak_ref_of_the_aliasing_vm(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	s.tgid = 200;
	viommu_create(&s, 0, 4, 1, 0xffff, 2, 2, VM_B);
	vm_destroy(&s, VM_B);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.reports[1].kind, TDV_R_LEAK_REF);
	assert_int_equal(out.reports[1].vm, VM_B);
	assert_int_equal(out.reports[1].refs, 1);
	assert_int_equal(out.reports[1].nevidence, 1);
	assert_int_equal(out.reports[1].evidence[0].tgid, 200);
}

static void test_stale_dte_when_not_cleared(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 3, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 3, false, true); /* no DTE clear */
	vm_destroy(&s, VM_A);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_STALE_DTE);
	assert_int_equal(out.reports[0].trans_devid, 0xffff);
	assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_DTE_SET);
	assert_int_equal(out.reports[0].evidence[0].gid, 3);
	assert_int_equal(out.reports[0].evidence[1].kind, TDV_EV_PUT);
}

/* Reassigned before the grace period ends: the stale DTE is reported then. */
static void test_stale_dte_at_reassignment(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 3, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 3, false, true); /* no DTE clear */
	viommu_create(&s, 0, 5, 1, 0xffff, 1, 4, VM_B);		/* same id, at once */
	viommu_destroy(&s, 0, 5, 1, 0xffff, 0, 4, true, true);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_STALE_DTE);
	assert_int_equal(out.reports[0].trans_devid, 0xffff);
	assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_DTE_SET);
	assert_int_equal(out.reports[0].evidence[0].gid, 3);
	assert_int_equal(out.reports[0].evidence[1].kind, TDV_EV_ID_ALLOC);
}

/* Neither the DTE cleared nor the id freed: stale_dte, then leak_id. */
static void test_release_reports_stale_dte_before_leak_id(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xfffd, 1, 3, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xfffd, 0, 3, false, true);
	drop_events(&s, TDV_EV_ID_FREE);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.reports[0].kind, TDV_R_STALE_DTE);
	assert_int_equal(out.reports[1].kind, TDV_R_LEAK_ID);
	assert_int_equal(out.reports[1].trans_devid, 0xfffd);
	assert_int_equal(out.reports[1].evidence[0].kind, TDV_EV_PUT);
}

static void test_leak_id_when_not_freed(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xfffe, 1, 1, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xfffe, 0, 1, true, true);
	/* Drop the id_free the destroy emitted: the id is never returned. */
	drop_events(&s, TDV_EV_ID_FREE);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_LEAK_ID);
	assert_int_equal(out.reports[0].trans_devid, 0xfffe);
}

/*
 * The grace period ends between a re-allocation and its get: no leak_id.
 * Its twin: the id never freed, the grace period ends before it is handed
 * out again: leak_id.
 */
static void test_reallocated_id_is_no_leak(void **state)
{
	for (int unfreed = 0; unfreed < 2; unfreed++) {
		struct stream s = { .tgid = 100 };
		struct sink out = {};
		struct tdv_model *m = tdv_model_new(GRACE, collect, &out);

		viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
		viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
		if (unfreed)
			drop_events(&s, TDV_EV_ID_FREE);
		s.ts += GRACE;
		viommu_create(&s, 0, 5, 1, unfreed ? 0xfffe : 0xffff, 1, 2, VM_B);
		for (unsigned int i = 0; i < s.n; i++) {
			if (s.ev[i].kind == TDV_EV_ID_ALLOC && s.ev[i].ts_ns > GRACE && unfreed)
				tdv_model_tick(m, s.ev[i].ts_ns - 1); /* due right before */
			tdv_model_event(m, &s.ev[i]);
			if (s.ev[i].kind == TDV_EV_ID_ALLOC && s.ev[i].ts_ns > GRACE && !unfreed)
				tdv_model_tick(m, s.ev[i].ts_ns + 1); /* due right here */
		}
		tdv_model_finish(m);
		assert_int_equal(out.n, unfreed);
		if (unfreed) {
			assert_int_equal(out.reports[0].kind, TDV_R_LEAK_ID);
			assert_int_equal(out.reports[0].trans_devid, 0xffff);
		}
		tdv_model_free(m);
	}
}

/* ---- trans_devid_alloc / _free inlined: facts derived --------------------- */

/*
 * What tdvtrace emits where a pool operation is not traced: its events
 * are gone, and each final put without an id_free inside carries the id's
 * trans_devid_xa state as read at its return (@leaked: ALLOCATED for the
 * put of trans_devid @leaked, FREE for the others).
 */
static void as_observed(struct stream *s, unsigned int observed, int leaked)
{
	bool freed_inside = false;

	if (!(observed & TDV_OBSERVE_ID_ALLOC))
		drop_events(s, TDV_EV_ID_ALLOC);
	if (!(observed & TDV_OBSERVE_ID_FREE))
		drop_events(s, TDV_EV_ID_FREE);
	for (unsigned int i = 0; i < s->n; i++) {
		struct tdv_event *e = &s->ev[i];

		if (e->kind == TDV_EV_ID_FREE)
			freed_inside = true;
		if (e->kind != TDV_EV_PUT || e->refs || !(e->fields & TDV_F_TRANS_DEVID))
			continue;
		if (!freed_inside) {
			e->fields |= TDV_F_ID_STATE;
			e->id_state = e->trans_devid == leaked ? TDV_ID_ALLOCATED : TDV_ID_FREE;
		}
		freed_inside = false;
	}
}

static const unsigned int inlined_modes[] = {
	TDV_OBSERVE_ID_FREE, /* the driver as built: trans_devid_alloc inlined */
	0,		     /* both inlined */
};

static void test_derived_clean_lifecycle(void **state)
{
	for (unsigned int k = 0; k < 2; k++) {
		struct stream s = { .tgid = 100 };
		struct sink out = {};
		struct tdv_model_stats st;
		struct tdv_event *e;

		viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
		viommu_create(&s, 1, 4, 1, 0xffff, 1, 3, VM_A);
		viommu_create(&s, 0, 5, 1, 0xfffe, 1, 4, VM_B);
		viommu_destroy(&s, 0, 5, 1, 0xfffe, 0, 4, true, true);
		/* Two ids on seg 0 then one: the pool as the gets and puts show it. */
		e = add(&s, TDV_EV_GET, TDV_F_SEG | TDV_F_KVMFD | TDV_F_RET | TDV_F_REFS);
		e->seg = 0, e->kvmfd = 6, e->ret = -28;
		viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
		viommu_destroy(&s, 1, 4, 1, 0xffff, 0, 3, true, true);
		vm_destroy(&s, VM_A);
		vm_destroy(&s, VM_B);
		as_observed(&s, inlined_modes[k], -1);
		run_observed(&s, &out, &st, inlined_modes[k]);
		assert_int_equal(out.n, 1);
		assert_int_equal(out.reports[0].kind, TDV_R_ALLOC_FAIL);
		assert_int_equal(out.reports[0].pool_used, 1);
		assert_int_equal(st.ids_allocated, 0);
		assert_int_equal(st.live_entries, 0);
	}
}

/* The put released its entry, and trans_devid_xa still holds the id. */
static void test_derived_leak_id(void **state)
{
	for (unsigned int k = 0; k < 2; k++) {
		struct stream s = { .tgid = 100 };
		struct sink out = {};
		struct tdv_model_stats st;

		viommu_create(&s, 1, 4, 1, 0xffff, 1, 1, VM_A);
		viommu_create(&s, 1, 5, 1, 0xfffe, 1, 2, VM_B);
		viommu_destroy(&s, 1, 5, 1, 0xfffe, 0, 2, true, true);
		viommu_destroy(&s, 1, 4, 1, 0xffff, 0, 1, true, true);
		/* trans_devid_free skipped: no id_free, if it is traced at all */
		s.ev[s.n - 2].kind = TDV_EV_NONE;
		as_observed(&s, inlined_modes[k], 0xffff);
		run_observed(&s, &out, &st, inlined_modes[k]);
		assert_int_equal(out.n, 1);
		assert_int_equal(out.reports[0].kind, TDV_R_LEAK_ID);
		assert_int_equal(out.reports[0].seg, 1);
		assert_int_equal(out.reports[0].kvmfd, 4);
		assert_int_equal(out.reports[0].trans_devid, 0xffff);
		assert_int_equal(out.reports[0].nevidence, 1);
		assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_PUT);
		assert_int_equal(st.ids_allocated, 0); /* reported once, then let go */
	}
}

/*
 * The bug this replaces: alloc inlined, free traced. Deciding from arriving
 * events (as a recording without the header field still does), the first
 * id_free stops the pool's bookkeeping from gets and leak_id never fires;
 * told by the probe table, it does.
 */
static void test_leak_id_with_only_free_traced(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
	viommu_create(&s, 0, 5, 1, 0xffff, 1, 2, VM_B);
	viommu_destroy(&s, 0, 5, 1, 0xffff, 0, 2, true, true);
	s.ev[s.n - 2].kind = TDV_EV_NONE; /* VM B's id_free skipped */
	as_observed(&s, TDV_OBSERVE_ID_FREE, 0xffff);
	run_observed(&s, &out, NULL, TDV_OBSERVE_ID_FREE);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_LEAK_ID);
	assert_int_equal(out.reports[0].kvmfd, 5);

	/* A recording of before: no observation, no trans_devid_xa reads. */
	for (unsigned int i = 0; i < s.n; i++)
		s.ev[i].fields &= ~TDV_F_ID_STATE;
	out.n = 0;
	run_observed(&s, &out, NULL, -1);
	assert_int_equal(out.n, 0);
}

/*
 * trans_devid_free traced, yet inlined into one caller: that put saw no
 * id_free, and read the id back FREE. No leak.
 */
static void test_free_inlined_at_one_call_site(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
	s.ev[s.n - 2].kind = TDV_EV_NONE;
	as_observed(&s, TDV_OBSERVE_ALL, -1);
	assert_int_equal(s.ev[s.n - 1].kind, TDV_EV_PUT);
	assert_true(s.ev[s.n - 1].fields & TDV_F_ID_STATE);
	assert_int_equal(s.ev[s.n - 1].id_state, TDV_ID_FREE);
	run_observed(&s, &out, NULL, TDV_OBSERVE_ALL);
	assert_int_equal(out.n, 0);
	/* The same put reading the id still ALLOCATED: leaked. */
	s.ev[s.n - 1].id_state = TDV_ID_ALLOCATED;
	run_observed(&s, &out, NULL, TDV_OBSERVE_ALL);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_LEAK_ID);
}

/* DTE left set, the id handed out again: seen at the get that created. */
static void test_derived_stale_dte_at_reassignment(void **state)
{
	for (unsigned int k = 0; k < 2; k++) {
		struct stream s = { .tgid = 100 };
		struct sink out = {};

		viommu_create(&s, 0, 4, 1, 0xffff, 1, 3, VM_A);
		viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 3, false, true); /* no DTE clear */
		viommu_create(&s, 0, 5, 1, 0xffff, 1, 4, VM_B);
		viommu_destroy(&s, 0, 5, 1, 0xffff, 0, 4, true, true);
		as_observed(&s, inlined_modes[k], -1);
		run_observed(&s, &out, NULL, inlined_modes[k]);
		assert_int_equal(out.n, 1);
		assert_int_equal(out.reports[0].kind, TDV_R_STALE_DTE);
		assert_int_equal(out.reports[0].trans_devid, 0xffff);
		assert_non_null(strstr(out.reports[0].detail, "reassigned"));
		assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_DTE_SET);
		assert_int_equal(out.reports[0].evidence[0].gid, 3);
		assert_int_equal(out.reports[0].evidence[1].kind, TDV_EV_GET);
	}
}

/*
 * Another VMM's get took the freed id before the final put's return read
 * trans_devid_xa: ALLOCATED, but the new owner's. No leak_id, either way
 * the two events come.
 */
static void test_derived_reallocated_before_the_read(void **state)
{
	for (unsigned int order = 0; order < 2; order++) {
		struct stream s = { .tgid = 100 };
		struct sink out = {};
		struct tdv_event put;

		viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
		viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
		viommu_create(&s, 0, 5, 1, 0xffff, 1, 2, VM_B);
		as_observed(&s, 0, 0xffff);
		if (order) { /* the put's return after the get's */
			unsigned int p = 6, g = 7;

			assert_int_equal(s.ev[p].kind, TDV_EV_PUT);
			assert_int_equal(s.ev[g].kind, TDV_EV_GET);
			put = s.ev[p];
			s.ev[p] = s.ev[g];
			s.ev[g] = put;
			s.ev[p].ts_ns = put.ts_ns, s.ev[g].ts_ns = put.ts_ns + 500;
		}
		run_observed(&s, &out, NULL, 0);
		assert_int_equal(out.n, 0);
	}
}

/*
 * A leak_id due before a failed get: a tick between them (live, where the
 * polls fall) or none (a replay) gives the same alloc_fail.
 */
static void test_checks_due_run_before_later_events(void **state)
{
	for (unsigned int tick = 0; tick < 2; tick++) {
		struct stream s = { .tgid = 100 };
		struct sink out = {};
		struct tdv_model *m = tdv_model_new(GRACE, collect, &out);
		struct tdv_event *e;
		uint64_t due;

		tdv_model_observe(m, 0);
		viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
		viommu_create(&s, 0, 5, 1, 0xfffe, 1, 2, VM_B);
		viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
		as_observed(&s, 0, 0xffff);
		due = s.ts + GRACE;
		s.ts = due + 5000;
		e = add(&s, TDV_EV_GET, TDV_F_SEG | TDV_F_KVMFD | TDV_F_RET | TDV_F_REFS);
		e->seg = 0, e->kvmfd = 6, e->ret = -28;
		for (unsigned int i = 0; i < s.n; i++) {
			if (tick && i == s.n - 1)
				tdv_model_tick(m, due + 1);
			tdv_model_event(m, &s.ev[i]);
		}
		tdv_model_finish(m);
		tdv_model_free(m);
		assert_int_equal(out.n, 2);
		assert_int_equal(out.reports[0].kind, TDV_R_LEAK_ID);
		assert_int_equal(out.reports[1].kind, TDV_R_ALLOC_FAIL);
		assert_int_equal(out.reports[1].pool_used, 1);
	}
}

static void test_reserve_clash_and_alloc_fail(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_event *e;

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	e = add(&s, TDV_EV_RESERVE, F_ENTRY | TDV_F_RET);
	e->seg = 0, e->trans_devid = 0xffff, e->kvmfd = 4, e->gen = 1, e->ret = -16;
	e = add(&s, TDV_EV_RESERVE, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_RET);
	e->seg = 0, e->trans_devid = 0x0010, e->ret = 0; /* fine */
	e = add(&s, TDV_EV_GET, TDV_F_SEG | TDV_F_KVMFD | TDV_F_RET | TDV_F_REFS);
	e->seg = 0, e->kvmfd = 6, e->ret = -28;
	run(&s, &out, NULL);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.reports[0].kind, TDV_R_RESERVE_CLASH);
	assert_int_equal(out.reports[0].trans_devid, 0xffff);
	assert_int_equal(out.reports[0].kvmfd, 4);
	assert_int_equal(out.reports[1].kind, TDV_R_ALLOC_FAIL);
	assert_int_equal(out.reports[1].ret, -28);
	assert_int_equal(out.reports[1].pool_used, 1);
	assert_int_equal(out.reports[1].kvmfd, 6);
}

static void test_fini_live(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_model_stats st;

	viommu_create(&s, 1, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	add(&s, TDV_EV_SEG_FINI, TDV_F_SEG)->seg = 1;
	run(&s, &out, &st);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_FINI_LIVE);
	assert_int_equal(out.reports[0].seg, 1);
	assert_int_equal(st.live_entries, 1);
	assert_int_equal(st.ids_allocated, 1);
}

/* Every live entry of the segment is reported, however many there are. */
static void test_fini_live_every_entry(void **state)
{
	static struct stream s;
	struct sink out = {};
	struct tdv_model_stats st;

	memset(&s, 0, sizeof(s));
	s.tgid = 100;
	for (unsigned int i = 0; i < 300; i++) {
		struct tdv_event *e = add(&s, TDV_EV_GET, F_ENTRY | TDV_F_REFS | TDV_F_VM);

		e->seg = 1, e->kvmfd = 4 + i, e->gen = 1, e->trans_devid = 0xffff - i;
		e->refs = 1, e->vm = VM_A + (i << 12);
	}
	add(&s, TDV_EV_SEG_FINI, TDV_F_SEG)->seg = 1;
	run(&s, &out, &st);
	assert_int_equal(out.n, 300);
	assert_int_equal(st.reports[TDV_R_FINI_LIVE], 300);
	assert_int_equal(st.live_entries, 0);
	assert_int_equal(st.ids_allocated, 0);
}

static void feed(void *ctx, const struct tdv_event *e)
{
	tdv_model_event(ctx, e);
}

/* Events from two CPUs arrive up to 3 us out of order: same reports. */
static void test_vm_not_destroyed_after_clean_exit(void **state)
{
	struct stream s = { .tgid = 300 };
	struct sink out = {};
	struct tdv_model_stats st;

	/* A clean shutdown drops every ref; the VM stays all the same. */
	viommu_create(&s, 0, 9, 1, 0xffff, 1, 1, VM_A);
	viommu_init_done(&s, 0, 9, 1, VM_A, 0);
	viommu_create(&s, 1, 9, 1, 0xffff, 1, 2, VM_A);
	viommu_init_done(&s, 1, 9, 2, VM_A, 0);
	viommu_destroy(&s, 0, 9, 1, 0xffff, 0, 1, true, true);
	viommu_destroy(&s, 1, 9, 1, 0xffff, 0, 2, true, true);
	proc_exit(&s);
	run(&s, &out, &st);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_VM_NOT_DESTROYED);
	assert_int_equal(out.reports[0].vm, VM_A);
	assert_int_equal(out.reports[0].owner_tgid, 300);
	assert_int_equal(out.reports[0].refs, 0);
	assert_false(out.reports[0].has_entry);
	/* The exit, then the two viommu_inits that resolved it. */
	assert_int_equal(out.reports[0].nevidence, 3);
	assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_PROC_EXIT);
	assert_int_equal(out.reports[0].evidence[1].kind, TDV_EV_VIOMMU_INIT);
	assert_int_equal(out.reports[0].evidence[1].gid, 1);
	assert_int_equal(out.reports[0].evidence[2].kind, TDV_EV_VIOMMU_INIT);
	assert_int_equal(out.reports[0].evidence[2].gid, 2);
	assert_int_equal(out.reports[0].ts_ns, s.ev[s.n - 1].ts_ns + GRACE);
	assert_int_equal(st.reports[TDV_R_VM_NOT_DESTROYED], 1);
}

static void test_vm_destroyed_within_grace(void **state)
{
	struct stream s = { .tgid = 300 };
	struct sink out = {};

	viommu_create(&s, 0, 9, 1, 0xffff, 1, 1, VM_A);
	viommu_init_done(&s, 0, 9, 1, VM_A, 0);
	viommu_destroy(&s, 0, 9, 1, 0xffff, 0, 1, true, true);
	proc_exit(&s); /* the file's last fput comes after the exit tracepoint */
	vm_destroy(&s, VM_A);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 0);
}

static void test_vm_not_destroyed_holding_refs(void **state)
{
	struct stream s = { .tgid = 300 };
	struct sink out = {};
	unsigned int leak_ref = 0, not_destroyed = 0;

	viommu_create(&s, 1, 9, 1, 0xfffe, 1, 3, VM_A);
	viommu_init_done(&s, 1, 9, 3, VM_A, 0);
	/* Another VMM's VM, destroyed properly: none of this report's business. */
	s.tgid = 301;
	viommu_create(&s, 0, 5, 1, 0xffff, 1, 1, VM_B);
	viommu_init_done(&s, 0, 5, 1, VM_B, 0);
	viommu_destroy(&s, 0, 5, 1, 0xffff, 0, 1, true, true);
	proc_exit(&s);
	vm_destroy(&s, VM_B);
	s.tgid = 300;
	proc_exit(&s);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 2);
	for (unsigned int i = 0; i < out.n; i++) {
		const struct tdv_report *r = &out.reports[i];

		if (r->kind == TDV_R_LEAK_REF) {
			leak_ref++;
			continue;
		}
		assert_int_equal(r->kind, TDV_R_VM_NOT_DESTROYED);
		not_destroyed++;
		assert_int_equal(r->vm, VM_A);
		assert_true(r->has_entry);
		assert_int_equal(r->seg, 1);
		assert_int_equal(r->kvmfd, 9);
		assert_int_equal(r->trans_devid, 0xfffe);
		assert_int_equal(r->refs, 1);
		/* The exit, the viommu_init, and the get still outstanding. */
		assert_int_equal(r->nevidence, 3);
		assert_int_equal(r->evidence[2].kind, TDV_EV_GET);
		assert_int_equal(r->evidence[2].vm, VM_A);
	}
	assert_int_equal(leak_ref, 1);
	assert_int_equal(not_destroyed, 1);
}

static void test_failed_viommu_init_resolves_nothing(void **state)
{
	struct stream s = { .tgid = 300 };
	struct sink out = {};

	viommu_init_done(&s, 0, 9, 1, VM_A, -22);
	proc_exit(&s);
	run(&s, &out, NULL);
	assert_int_equal(out.n, 0);
}

/*
 * amd_viommu_init_one fails: its uninit runs before the vIOMMU has its
 * trans_devid (kvmfd and trans_devid read 0), clearing VF control and DTE 0;
 * then the patch's error path clears its own and puts. Here VM B holds
 * trans_devid 0 under kvmfd 0, so the clear matches B's entry by (seg,
 * kvmfd, devid): it must still be the driver's, said once, not B's hazard.
 */
static void failed_init(struct stream *s, uint16_t gid)
{
	struct tdv_event *e;

	viommu_create(s, 0, 4, 1, 0xffff, 1, gid, VM_A);
	e = add(s, TDV_EV_VIOMMU_UNINIT, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	e->seg = 0, e->gid = gid, e->iommu = 2;
	e = add(s, TDV_EV_VFCTRL, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_GID | TDV_F_IOMMU);
	e->seg = 0, e->gid = gid, e->iommu = 2;
	e = add(s, TDV_EV_DTE_CLEAR, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	e->seg = 0, e->gid = gid, e->iommu = 2;
	/* err_init: VF control, the DTE, the put */
	e = add(s, TDV_EV_VFCTRL, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_GID | TDV_F_IOMMU);
	e->seg = 0, e->gid = gid, e->iommu = 2;
	e = add(s, TDV_EV_DTE_CLEAR, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	e->seg = 0, e->kvmfd = 4, e->gen = 1, e->trans_devid = 0xffff;
	e->gid = gid, e->iommu = 2;
	e = add(s, TDV_EV_ID_FREE, TDV_F_SEG | TDV_F_TRANS_DEVID);
	e->seg = 0, e->trans_devid = 0xffff;
	e = add(s, TDV_EV_PUT, F_ENTRY | TDV_F_REFS);
	e->seg = 0, e->kvmfd = 4, e->gen = 1, e->trans_devid = 0xffff;
	viommu_init_done(s, 0, 4, gid, VM_A, -12);
}

static void test_driver_dte0_said_once(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_model_stats st;

	viommu_create(&s, 0, 0, 1, 0, 1, 7, VM_B);
	failed_init(&s, 1);
	failed_init(&s, 2);
	viommu_destroy(&s, 0, 0, 1, 0, 0, 7, true, true);
	vm_destroy(&s, VM_B);
	vm_destroy(&s, VM_A);
	run(&s, &out, &st);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_DRIVER_DTE0);
	assert_int_equal(out.reports[0].trans_devid, 0);
	assert_false(out.reports[0].has_entry);
	assert_string_equal(out.reports[0].detail,
			    "vIOMMU init failed: the driver's uninit cleared VF control and DTE "
			    "0x0000, not the vIOMMU's 0xffff (held by VM 0xffff888000002000)");
	assert_int_equal(out.reports[0].nevidence, 2);
	assert_int_equal(out.reports[0].evidence[0].kind, TDV_EV_VIOMMU_UNINIT);
	assert_int_equal(out.reports[0].evidence[1].kind, TDV_EV_DTE_CLEAR);
	assert_int_equal(out.reports[0].evidence[1].gid, 1);
	assert_int_equal(st.driver_dte0, 2);
	assert_int_equal(st.reports[TDV_R_DRIVER_DTE0], 1);
}

static void test_out_of_order_delivery(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_reorder r;
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 1, 1, true, false);
	vm_destroy(&s, VM_A);
	/* Swap neighbours pairwise: each put ahead of what preceded it. */
	for (unsigned int i = 0; i + 1 < s.n; i += 2) {
		struct tdv_event t = s.ev[i];

		s.ev[i] = s.ev[i + 1];
		s.ev[i + 1] = t;
	}
	tdv_reorder_init(&r, 5000);
	for (unsigned int i = 0; i < s.n; i++) {
		tdv_reorder_push(&r, &s.ev[i], feed, m);
		tdv_reorder_drain(&r, s.ev[i].ts_ns, feed, m);
	}
	tdv_reorder_flush(&r, feed, m);
	tdv_model_tick(m, s.ts + 2 * GRACE);
	tdv_model_finish(m);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_LEAK_REF);
	assert_int_equal(out.reports[0].evidence[0].gid, 1);
	tdv_reorder_free(&r);
	tdv_model_free(m);
}

static void append(void *ctx, const struct tdv_event *e)
{
	struct stream *s = ctx;

	s->ev[s->n++] = *e;
}

static void test_reorder_sorts_and_keeps_ties(void **state)
{
	uint64_t ts[] = { 50, 10, 30, 10, 20 };
	struct stream got = {};
	struct tdv_reorder r;

	tdv_reorder_init(&r, 0);
	for (unsigned int i = 0; i < 5; i++) {
		struct tdv_event e = { .ts_ns = ts[i], .pid = i };

		tdv_reorder_push(&r, &e, NULL, NULL);
	}
	tdv_reorder_drain(&r, 20, append, &got);
	assert_int_equal(got.n, 3);
	assert_int_equal(got.ev[0].pid, 1); /* 10, first to arrive */
	assert_int_equal(got.ev[1].pid, 3); /* 10, second */
	assert_int_equal(got.ev[2].pid, 4); /* 20 */
	tdv_reorder_free(&r);
}

/* Out of order by up to 3 places, drained as it goes: the ring wraps and grows. */
static void test_reorder_ring_wraps_and_grows(void **state)
{
	static struct stream got;
	struct tdv_reorder r;
	unsigned int pushed = 0;

	got.n = 0;
	tdv_reorder_init(&r, 1000);
	for (unsigned int block = 0; block < 120; block++) {
		/* four events a block, stamped 4b+3, 4b+1, 4b+2, 4b (arrival order) */
		static const unsigned int order[] = { 3, 1, 2, 0 };

		for (unsigned int i = 0; i < 4; i++) {
			struct tdv_event e = { .ts_ns = 10 * (4 * block + order[i]) };

			e.pid = pushed++;
			assert_int_equal(tdv_reorder_push(&r, &e, NULL, NULL), 0);
		}
		/* hold about 100 events, then 300 (growth while wrapped) */
		tdv_reorder_drain(&r, block < 60 ? 40 * block : 40 * block - 2000, append, &got);
	}
	tdv_reorder_flush(&r, append, &got);
	assert_int_equal(got.n, 480);
	for (unsigned int i = 0; i < got.n; i++)
		assert_int_equal(got.ev[i].ts_ns, 10 * i);
	tdv_reorder_free(&r);
}

static void test_loss_marks_reports_lossy(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 1, 1, true, false);
	vm_destroy(&s, VM_A);
	tdv_model_loss(m, s.ev[2].ts_ns); /* lost while the VM lived */
	for (unsigned int i = 0; i < s.n; i++)
		tdv_model_event(m, &s.ev[i]);
	tdv_model_finish(m);
	assert_int_equal(out.n, 1);
	assert_true(out.reports[0].lossy);
	tdv_model_free(m);
}

/* Released entries are freed: state stays flat over many lifecycles. */
static void test_memory_flat_over_churn(void **state)
{
	struct sink out = {};
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);
	struct tdv_model_stats st;
	struct stream s = { .tgid = 100 };

	for (unsigned int i = 0; i < 20000; i++) {
		s.n = 0;
		viommu_create(&s, i % 2, 4 + i % 8, i / 16 + 1, 0xffff - i % 8, 1, 1, VM_A + i);
		viommu_destroy(&s, i % 2, 4 + i % 8, i / 16 + 1, 0xffff - i % 8, 0, 1, true, true);
		vm_destroy(&s, VM_A + i);
		for (unsigned int j = 0; j < s.n; j++)
			tdv_model_event(m, &s.ev[j]);
	}
	tdv_model_finish(m);
	tdv_model_stats(m, &st);
	assert_int_equal(out.n, 0);
	assert_int_equal(st.live_entries, 0);
	assert_int_equal(st.ids_allocated, 0);
	assert_int_equal(st.vms_tracked, 0); /* 20000 VMs came and went */
	assert_int_equal(st.ids_tracked, 0);
	tdv_model_free(m);
}

/* A put and its id_free lost: the id's next allocation ends the entry. */
static void test_entry_whose_put_was_lost(void **state)
{
	struct stream s = { .tgid = 100 };
	struct sink out = {};
	struct tdv_model_stats st;
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);

	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_A);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 0, 1, true, true);
	drop_events(&s, TDV_EV_ID_FREE);
	drop_events(&s, TDV_EV_PUT);
	for (unsigned int i = 0; i < s.n; i++)
		tdv_model_event(m, &s.ev[i]);
	tdv_model_stats(m, &st);
	assert_int_equal(st.live_entries, 1); /* as far as the model knows */
	s.n = 0;
	viommu_create(&s, 0, 5, 1, 0xffff, 1, 2, VM_B);
	for (unsigned int i = 0; i < s.n; i++)
		tdv_model_event(m, &s.ev[i]);
	tdv_model_stats(m, &st);
	assert_int_equal(st.live_entries, 1); /* VM_B's alone */
	s.n = 0;
	vm_destroy(&s, VM_A);
	viommu_destroy(&s, 0, 5, 1, 0xffff, 1, 2, true, false);
	vm_destroy(&s, VM_B);
	for (unsigned int i = 0; i < s.n; i++)
		tdv_model_event(m, &s.ev[i]);
	tdv_model_tick(m, s.ts + 2 * GRACE);
	tdv_model_finish(m);
	/* VM_B's leak alone (its evidence all after the loss: exact) */
	assert_int_equal(out.n, 1);
	assert_int_equal(out.reports[0].kind, TDV_R_LEAK_REF);
	assert_int_equal(out.reports[0].kvmfd, 5);
	assert_int_equal(out.reports[0].vm, VM_B);
	assert_false(out.reports[0].lossy);
	tdv_model_free(m);
}

/* VMs whose destroy never comes: the table stops at its bound, with a loss. */
static void test_vm_lives_bounded(void **state)
{
	struct sink out = {};
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);
	struct tdv_model_stats st;
	struct stream s = { .tgid = 100 };

	for (unsigned int i = 0; i < 70000; i++) {
		struct tdv_event e = { .ts_ns = 1000 + i,
				       .kind = TDV_EV_VIOMMU_INIT,
				       .fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_VM | TDV_F_RET,
				       .vm = VM_A + 64 * i,
				       .tgid = 100 };

		tdv_model_event(m, &e);
	}
	tdv_model_stats(m, &st);
	assert_true(st.vms_tracked <= 65536);
	assert_int_equal(st.vms_tracked, 70000 - 65536);
	assert_int_equal(st.vms_resolved, 65536); /* the rest not kept: lost */
	/* a leak now rests on evidence older than the loss: lossy */
	s.ts = 100000;
	viommu_create(&s, 0, 4, 1, 0xffff, 1, 1, VM_B);
	viommu_destroy(&s, 0, 4, 1, 0xffff, 1, 1, true, false);
	vm_destroy(&s, VM_B);
	for (unsigned int i = 0; i < s.n; i++)
		tdv_model_event(m, &s.ev[i]);
	tdv_model_finish(m);
	assert_int_equal(out.reports[out.n - 1].kind, TDV_R_LEAK_REF);
	assert_int_equal(out.reports[out.n - 1].vm, VM_B);
	tdv_model_free(m);
}

/* Every one of 65536 segments holds an id: each pool costs what it holds. */
static void test_pools_sparse(void **state)
{
	struct sink out = {};
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);
	struct tdv_model_stats st;

	for (unsigned int seg = 0; seg < 65536; seg++) {
		struct tdv_event e = { .ts_ns = 1000 + seg,
				       .kind = TDV_EV_ID_ALLOC,
				       .fields = TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_RET,
				       .seg = seg,
				       .trans_devid = seg,
				       .ret = seg };

		tdv_model_event(m, &e);
	}
	tdv_model_stats(m, &st);
	assert_int_equal(st.ids_allocated, 65536);
	assert_int_equal(tdv_model_pool_used(m, 12345), 1);
	assert_int_equal(tdv_model_pool_used(m, 0), 1);
	tdv_model_free(m);
}

/* Many VMs with an entry each, each VM's going arms only its own entries. */
static void test_gone_indexed(void **state)
{
	struct sink out = {};
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);
	struct tdv_model_stats st;
	struct stream s = { .tgid = 100 };

	for (unsigned int i = 0; i < 20000; i++) {
		s.n = 0;
		viommu_create(&s, i % 2, 4 + i, 1, 0xffff - i, 1, 1, VM_A + 64 * i);
		for (unsigned int j = 0; j < s.n; j++)
			tdv_model_event(m, &s.ev[j]);
	}
	for (unsigned int i = 0; i < 20000; i++) {
		s.n = 0;
		if (i % 2)
			viommu_destroy(&s, i % 2, 4 + i, 1, 0xffff - i, 0, 1, true, true);
		vm_destroy(&s, VM_A + 64 * i);
		for (unsigned int j = 0; j < s.n; j++)
			tdv_model_event(m, &s.ev[j]);
	}
	tdv_model_tick(m, s.ts + 2 * GRACE);
	tdv_model_finish(m);
	tdv_model_stats(m, &st);
	assert_int_equal(st.reports[TDV_R_LEAK_REF], 10000); /* the even ones */
	assert_int_equal(st.live_entries, 10000);
	assert_int_equal(st.vms_tracked, 0);
	tdv_model_free(m);
}

/* A recording has no clock ticks: the feed drains by event time alone. */
static void test_feed_drains_by_event_time(void **state)
{
	struct sink out = {};
	struct tdv_model *m = tdv_model_new(GRACE, collect, &out);
	struct tdv_feed f;

	tdv_feed_init(&f, m);
	for (unsigned int i = 0; i < 100000; i++) {
		struct tdv_event e = { .ts_ns = 1000000000ULL + i * 10000000ULL, /* 10 ms apart */
				       .kind = TDV_EV_PROC_EXIT,
				       .tgid = i };

		tdv_feed_event(&f, &e, sizeof(e));
		assert_true(f.reorder.n <= 11); /* the 100 ms window, no more */
	}
	assert_int_equal(f.events, 100000);
	tdv_feed_finish(&f, 0, false);
	assert_int_equal(f.reorder.n, 0);
	tdv_feed_free(&f);
	tdv_model_free(m);
}

static void count_event(void *ctx, const struct tdv_event *e)
{
	uint64_t *last = ctx;

	assert_true(e->ts_ns >= last[0]);
	last[0] = e->ts_ns;
	last[1]++;
}

/* Descending timestamps cost O(log n) each; at the bound the oldest go on. */
static void test_reorder_descending_bounded(void **state)
{
	uint64_t got[2] = {};
	struct tdv_reorder r;

	tdv_reorder_init(&r, UINT64_MAX / 2);
	for (unsigned int i = 0; i < TDV_REORDER_MAX; i++) {
		struct tdv_event e = { .ts_ns = 10000000 - i };

		assert_int_equal(tdv_reorder_push(&r, &e, count_event, got), 0);
	}
	assert_int_equal(got[1], 0);
	assert_int_equal(r.n, TDV_REORDER_MAX);
	for (unsigned int i = 0; i < 10; i++) {
		struct tdv_event e = { .ts_ns = 20000000 + i };

		tdv_reorder_push(&r, &e, count_event, got);
	}
	assert_int_equal(got[1], 10); /* the ten oldest, in order */
	assert_int_equal(got[0], 10000000 - TDV_REORDER_MAX + 10);
	assert_int_equal(r.n, TDV_REORDER_MAX);
	tdv_reorder_flush(&r, count_event, got);
	assert_int_equal(got[1], TDV_REORDER_MAX + 10);
	tdv_reorder_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_lifecycle_reports_nothing),
		cmocka_unit_test(test_clear_while_shared),
		cmocka_unit_test(test_leak_ref_names_outstanding_get),
		cmocka_unit_test(test_put_within_grace_is_no_leak),
		cmocka_unit_test(test_unbalanced_put),
		cmocka_unit_test(test_alias_two_vms_one_fd_number),
		cmocka_unit_test(test_alias_refs_are_not_the_owners_leak),
		cmocka_unit_test(test_leak_ref_of_the_aliasing_vm),
		cmocka_unit_test(test_stale_dte_when_not_cleared),
		cmocka_unit_test(test_stale_dte_at_reassignment),
		cmocka_unit_test(test_release_reports_stale_dte_before_leak_id),
		cmocka_unit_test(test_leak_id_when_not_freed),
		cmocka_unit_test(test_reallocated_id_is_no_leak),
		cmocka_unit_test(test_derived_clean_lifecycle),
		cmocka_unit_test(test_derived_leak_id),
		cmocka_unit_test(test_leak_id_with_only_free_traced),
		cmocka_unit_test(test_free_inlined_at_one_call_site),
		cmocka_unit_test(test_derived_stale_dte_at_reassignment),
		cmocka_unit_test(test_derived_reallocated_before_the_read),
		cmocka_unit_test(test_checks_due_run_before_later_events),
		cmocka_unit_test(test_reserve_clash_and_alloc_fail),
		cmocka_unit_test(test_fini_live),
		cmocka_unit_test(test_fini_live_every_entry),
		cmocka_unit_test(test_vm_not_destroyed_after_clean_exit),
		cmocka_unit_test(test_vm_destroyed_within_grace),
		cmocka_unit_test(test_vm_not_destroyed_holding_refs),
		cmocka_unit_test(test_driver_dte0_said_once),
		cmocka_unit_test(test_failed_viommu_init_resolves_nothing),
		cmocka_unit_test(test_out_of_order_delivery),
		cmocka_unit_test(test_reorder_sorts_and_keeps_ties),
		cmocka_unit_test(test_reorder_ring_wraps_and_grows),
		cmocka_unit_test(test_loss_marks_reports_lossy),
		cmocka_unit_test(test_memory_flat_over_churn),
		cmocka_unit_test(test_entry_whose_put_was_lost),
		cmocka_unit_test(test_vm_lives_bounded),
		cmocka_unit_test(test_pools_sparse),
		cmocka_unit_test(test_gone_indexed),
		cmocka_unit_test(test_reorder_descending_bounded),
		cmocka_unit_test(test_feed_drains_by_event_time),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
