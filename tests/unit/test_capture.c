// SPDX-License-Identifier: GPL-2.0
/*
 * The capture: deep copies that outlive the model's callbacks, and the view
 * both timeline writers lay out. Last, a model run of a dozen VMs captured
 * and written as the sample outputs tests/render/check_outputs.sh checks.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "capture.h"
#include "capture_fixture.h"
#include "perfetto_format.h"
#include "svg_format.h"

static char samples_dir[PATH_MAX];

static void test_empty(void **state)
{
	struct tdv_capture c;
	struct tdv_capture_view v;

	tdv_capture_init(&c);
	assert_int_equal(c.nreports, 0);
	assert_int_equal(c.ntimelines, 0);
	assert_int_equal(tdv_capture_view(&c, &v), 0);
	assert_int_equal(v.nvms, 0);
	assert_int_equal(v.nrows, 0);
	assert_int_equal(v.start_ns, 0);
	assert_int_equal(v.end_ns, 0);
	tdv_capture_view_free(&v);
	tdv_capture_free(&c);
	tdv_capture_free(&c); /* twice: empty after the first */
}

static void test_report_is_copied_without_its_timeline(void **state)
{
	struct tdv_timeline_point pt = { .ts_ns = 5, .kind = TDV_EV_GET, .refs = 1 };
	struct tdv_report r = {
		.kind = TDV_R_LEAK_REF,
		.ts_ns = 10,
		.seg = 1,
		.kvmfd = 5,
		.gen = 2,
		.has_entry = true,
		.detail = "VM gone",
		.nevidence = 1,
		.evidence = { { .ts_ns = 5, .kind = TDV_EV_GET, .comm = "qemu" } },
		.timeline = { .seg = 1, .npoints = 1, .points = &pt },
	};
	struct tdv_capture c;

	tdv_capture_init(&c);
	assert_int_equal(tdv_capture_report(&c, &r), 0);
	strcpy(r.detail, "changed");
	r.evidence[0].ts_ns = 99;
	assert_int_equal(c.nreports, 1);
	assert_string_equal(c.reports[0].detail, "VM gone");
	assert_int_equal(c.reports[0].evidence[0].ts_ns, 5);
	assert_string_equal(c.reports[0].evidence[0].comm, "qemu");
	assert_int_equal(c.reports[0].kind, TDV_R_LEAK_REF);
	assert_int_equal(c.reports[0].timeline.npoints, 0);
	assert_null(c.reports[0].timeline.points);
	tdv_capture_free(&c);
}

static void test_timeline_points_are_owned(void **state)
{
	struct tdv_timeline_point *pts = calloc(3, sizeof(*pts));
	struct tdv_timeline t = fixture_timeline(VM_A, 0, 5, 1, 0xffff, 100, 300);
	struct tdv_capture c;

	for (int i = 0; i < 3; i++) {
		pts[i].ts_ns = 100 + 100 * i;
		pts[i].refs = i == 2 ? 0 : 1 + i;
		strcpy(pts[i].comm, "qemu");
	}
	t.npoints = 3;
	t.points = pts;
	tdv_capture_init(&c);
	assert_int_equal(tdv_capture_timeline(&c, &t), 0);
	free(pts); /* the model frees its own after the callback; ASan watches */
	t.npoints = 0;
	t.points = NULL;
	assert_int_equal(tdv_capture_timeline(&c, &t), 0);
	assert_int_equal(c.ntimelines, 2);
	assert_int_equal(c.timelines[0].npoints, 3);
	assert_int_equal(c.timelines[0].points[1].ts_ns, 200);
	assert_int_equal(c.timelines[0].points[1].refs, 2);
	assert_string_equal(c.timelines[0].points[2].comm, "qemu");
	assert_int_equal(c.timelines[0].released_ns, 300);
	assert_int_equal(c.timelines[1].npoints, 0);
	assert_null(c.timelines[1].points);
	tdv_capture_free(&c);
	assert_int_equal(c.ntimelines, 0);
	assert_null(c.timelines);
}

static void test_many(void **state)
{
	struct tdv_timeline_point pt = { .ts_ns = 1, .refs = 1 };
	struct tdv_report r = { .kind = TDV_R_ALIAS };
	struct tdv_capture c;

	tdv_capture_init(&c);
	for (unsigned int i = 0; i < 1000; i++) {
		struct tdv_timeline t = fixture_timeline(VM_A, 0, i, 1, 0xffff, 1 + i, 0);

		t.npoints = 1;
		t.points = &pt;
		r.ts_ns = i;
		assert_int_equal(tdv_capture_report(&c, &r), 0);
		assert_int_equal(tdv_capture_timeline(&c, &t), 0);
	}
	assert_int_equal(c.nreports, 1000);
	assert_int_equal(c.ntimelines, 1000);
	assert_int_equal(c.reports[999].ts_ns, 999);
	assert_int_equal(c.timelines[999].kvmfd, 999);
	tdv_capture_free(&c);
}

static void test_view_orders_vms_rows_and_reports(void **state)
{
	struct tdv_capture c;
	struct tdv_capture_view v;
	struct tdv_report r0 = { .kind = TDV_R_CLEAR_WHILE_SHARED,
				 .ts_ns = 5 * S,
				 .has_entry = true,
				 .seg = 0,
				 .kvmfd = 5,
				 .gen = 2,
				 .vm = VM_A };
	struct tdv_report r1 = { .kind = TDV_R_UNBALANCED_PUT, .ts_ns = 6 * S, .vm = VM_C };
	/* The leak of an aliasing VM: drawn on the entry, of the entry's VM. */
	struct tdv_report r2 = { .kind = TDV_R_LEAK_REF,
				 .ts_ns = 7 * S,
				 .has_entry = true,
				 .seg = 1,
				 .kvmfd = 5,
				 .gen = 1,
				 .vm = VM_C };
	struct tdv_timeline tl[] = {
		fixture_timeline(VM_B, 1, 5, 1, 0xffff, 3 * S, 8 * S),
		fixture_timeline(VM_A, 0, 7, 1, 0xffff, 2 * S, 3 * S),
		fixture_timeline(VM_A, 0, 5, 2, 0xffff, 4 * S, 0),
		fixture_timeline(VM_A, 0, 5, 1, 0xffff, 1 * S, 0),
		fixture_timeline(0, 0, 9, 1, 0xffff, S / 2, 0),
	};

	tdv_capture_init(&c);
	c.end_ns = 10 * S;
	for (size_t i = 0; i < sizeof(tl) / sizeof(tl[0]); i++)
		assert_int_equal(tdv_capture_timeline(&c, &tl[i]), 0);
	assert_int_equal(tdv_capture_report(&c, &r0), 0);
	assert_int_equal(tdv_capture_report(&c, &r1), 0);
	assert_int_equal(tdv_capture_report(&c, &r2), 0);
	assert_int_equal(tdv_capture_view(&c, &v), 0);

	assert_int_equal(v.start_ns, S / 2);
	assert_int_equal(v.end_ns, 10 * S);
	/* First seen first; unknown last though it came first. */
	assert_int_equal(v.nvms, 4);
	assert_int_equal(v.vms[0].vm, VM_A);
	assert_int_equal(v.vms[1].vm, VM_B);
	assert_int_equal(v.vms[2].vm, VM_C);
	assert_int_equal(v.vms[3].vm, 0);
	assert_int_equal(v.vms[0].first_row, 0);
	assert_int_equal(v.vms[0].nrows, 3);
	assert_int_equal(v.vms[1].first_row, 3);
	assert_int_equal(v.vms[1].nrows, 1);
	assert_int_equal(v.vms[2].nrows, 0);
	assert_int_equal(v.vms[3].first_row, 4);
	assert_int_equal(v.vms[3].nrows, 1);
	assert_int_equal(v.vms[0].nreports, 1);
	assert_int_equal(v.vms[1].nreports, 1);
	assert_int_equal(v.vms[2].nreports, 1);
	assert_int_equal(v.vms[2].first_ns, 6 * S);
	assert_int_equal(v.vms[0].owner_tgid, 7);
	assert_string_equal(v.vms[0].owner_comm, "qemu");

	/* By VM, then seg, kvmfd, gen. */
	assert_int_equal(v.nrows, 5);
	assert_ptr_equal(v.rows[0], &c.timelines[3]);
	assert_ptr_equal(v.rows[1], &c.timelines[2]);
	assert_ptr_equal(v.rows[2], &c.timelines[1]);
	assert_ptr_equal(v.rows[3], &c.timelines[0]);
	assert_ptr_equal(v.rows[4], &c.timelines[4]);
	assert_int_equal(v.row_vm[3], 1);
	assert_int_equal(v.row_vm[4], 3);

	/* Closed without a time: it ends where the next gen begins. */
	assert_int_equal(v.row_start[0], 1 * S);
	assert_int_equal(v.row_end[0], 4 * S);
	assert_false(v.row_live[0]);
	assert_int_equal(v.row_end[1], 10 * S);
	assert_true(v.row_live[1]);
	assert_int_equal(v.row_end[2], 3 * S);
	assert_false(v.row_live[2]);

	assert_int_equal(v.report_row[0], 1);
	assert_int_equal(v.report_vm[0], 0);
	assert_int_equal(v.report_row[1], -1);
	assert_int_equal(v.report_vm[1], 2);
	assert_int_equal(v.report_row[2], 3);
	assert_int_equal(v.report_vm[2], 1);
	tdv_capture_view_free(&v);
	tdv_capture_free(&c);
}

static void test_view_gen_reused_after_seg_fini(void **state)
{
	struct tdv_timeline old = fixture_timeline(VM_A, 0, 5, 1, 0xffff, 1 * S, 2 * S);
	struct tdv_timeline new = fixture_timeline(VM_B, 0, 5, 1, 0xffff, 5 * S, 0);
	struct tdv_report r = { .kind = TDV_R_LEAK_ID, .has_entry = true, .kvmfd = 5, .gen = 1 };
	struct tdv_capture c;
	struct tdv_capture_view v;

	tdv_capture_init(&c);
	c.start_ns = S / 2;
	assert_int_equal(tdv_capture_timeline(&c, &new), 0);
	assert_int_equal(tdv_capture_timeline(&c, &old), 0);
	r.ts_ns = 3 * S;
	assert_int_equal(tdv_capture_report(&c, &r), 0);
	r.ts_ns = 6 * S;
	assert_int_equal(tdv_capture_report(&c, &r), 0);
	assert_int_equal(tdv_capture_view(&c, &v), 0);
	assert_int_equal(v.start_ns, S / 2);
	assert_int_equal(v.end_ns, 6 * S); /* no end given: the last time seen */
	assert_ptr_equal(v.rows[v.report_row[0]], &c.timelines[1]);
	assert_ptr_equal(v.rows[v.report_row[1]], &c.timelines[0]);
	tdv_capture_view_free(&v);
	tdv_capture_free(&c);
}

/* ---- a model run -------------------------------------------------------------- */

#define GRACE (500 * MS)
#define T0 (1000 * S) /* CLOCK_MONOTONIC of a host up for a while */
#define NVMM 12

struct vmm {
	uint64_t vm;
	uint32_t tgid;
	char comm[TDV_COMM_LEN];
};

struct run {
	struct tdv_event ev[1024];
	unsigned int n;
};

#define F_ENTRY (TDV_F_SEG | TDV_F_KVMFD | TDV_F_GEN | TDV_F_TRANS_DEVID)

static struct tdv_event *at(struct run *s, uint64_t ts, const struct vmm *p, uint32_t kind,
			    uint32_t fields)
{
	struct tdv_event *e = &s->ev[s->n++];

	assert_true(s->n <= sizeof(s->ev) / sizeof(s->ev[0]));
	memset(e, 0, sizeof(*e));
	e->ts_ns = ts;
	e->kind = kind;
	e->fields = fields;
	e->pid = e->tgid = p->tgid;
	memcpy(e->comm, p->comm, sizeof(e->comm));
	return e;
}

static void entry_fields(struct tdv_event *e, uint16_t seg, uint32_t kvmfd, uint32_t gen,
			 uint16_t id)
{
	e->seg = seg;
	e->kvmfd = kvmfd;
	e->gen = gen;
	e->trans_devid = id;
}

/* amd_iommufd_viommu_init: get, DTE, VF control; 10 us apart. */
static void viommu_create(struct run *s, uint64_t ts, const struct vmm *p, uint16_t seg,
			  uint32_t kvmfd, uint32_t gen, uint16_t id, uint32_t refs, uint16_t gid)
{
	struct tdv_event *e;

	if (refs == 1) {
		e = at(s, ts, p, TDV_EV_ID_ALLOC, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_RET);
		e->seg = seg;
		e->trans_devid = id;
		e->ret = id;
	}
	e = at(s, ts + 10000, p, TDV_EV_GET, F_ENTRY | TDV_F_REFS | TDV_F_RET | TDV_F_VM);
	entry_fields(e, seg, kvmfd, gen, id);
	e->refs = refs;
	e->vm = p->vm;
	e = at(s, ts + 20000, p, TDV_EV_DTE_SET, F_ENTRY | TDV_F_GID | TDV_F_IOMMU | TDV_F_VM);
	entry_fields(e, seg, kvmfd, gen, id);
	e->gid = gid;
	e->iommu = 2;
	e->vm = p->vm;
	e = at(s, ts + 30000, p, TDV_EV_VFCTRL, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	entry_fields(e, seg, kvmfd, gen, id);
	e->gid = gid;
	e->iommu = 2;
	e = at(s, ts + 40000, p, TDV_EV_VIOMMU_INIT,
	       F_ENTRY | TDV_F_GID | TDV_F_IOMMU | TDV_F_VM | TDV_F_RET);
	entry_fields(e, seg, kvmfd, gen, id);
	e->gid = gid;
	e->iommu = 2;
	e->vm = p->vm;
}

/*
 * amd_viommu_init_one fails: its uninit, before the vIOMMU has its
 * trans_devid, clears VF control and DTE 0; the patch's error path then
 * clears its own and puts the ref (driver_dte0).
 */
static void failed_init(struct run *s, uint64_t ts, const struct vmm *p, uint16_t seg,
			uint32_t kvmfd, uint16_t id, uint16_t gid)
{
	struct tdv_event *e;

	viommu_create(s, ts, p, seg, kvmfd, 1, id, 1, gid);
	s->n--; /* no successful viommu_init: it returns last, with the error */
	e = at(s, ts + 40000, p, TDV_EV_VIOMMU_UNINIT, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	entry_fields(e, seg, 0, 0, 0);
	e->gid = gid;
	e->iommu = 2;
	e = at(s, ts + 50000, p, TDV_EV_VFCTRL,
	       TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_GID | TDV_F_IOMMU);
	e->seg = seg;
	e->gid = gid;
	e->iommu = 2;
	e = at(s, ts + 60000, p, TDV_EV_DTE_CLEAR, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	entry_fields(e, seg, 0, 0, 0);
	e->gid = gid;
	e->iommu = 2;
	e = at(s, ts + 70000, p, TDV_EV_DTE_CLEAR, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	entry_fields(e, seg, kvmfd, 1, id);
	e->gid = gid;
	e->iommu = 2;
	e = at(s, ts + 80000, p, TDV_EV_ID_FREE, TDV_F_SEG | TDV_F_TRANS_DEVID);
	e->seg = seg;
	e->trans_devid = id;
	e = at(s, ts + 90000, p, TDV_EV_PUT, F_ENTRY | TDV_F_REFS);
	entry_fields(e, seg, kvmfd, 1, id);
	e = at(s, ts + 100000, p, TDV_EV_VIOMMU_INIT, TDV_F_SEG | TDV_F_IOMMU | TDV_F_RET);
	e->seg = seg;
	e->iommu = 2;
	e->ret = -12;
}

enum { NO_CLEAR = 1, NO_PUT = 2, NO_ID_FREE = 4 };

/* amd_iommufd_viommu_destroy as the patch does it, less what @faults skip. */
static void viommu_destroy(struct run *s, uint64_t ts, const struct vmm *p, uint16_t seg,
			   uint32_t kvmfd, uint32_t gen, uint16_t id, uint32_t refs_after,
			   uint16_t gid, int faults)
{
	struct tdv_event *e;

	e = at(s, ts, p, TDV_EV_VIOMMU_UNINIT, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
	entry_fields(e, seg, kvmfd, gen, id);
	e->gid = gid;
	e->iommu = 2;
	e = at(s, ts + 10000, p, TDV_EV_VFCTRL,
	       TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_GID | TDV_F_IOMMU);
	e->seg = seg;
	e->gid = gid;
	e->iommu = 2;
	if (!(faults & NO_CLEAR)) {
		e = at(s, ts + 20000, p, TDV_EV_DTE_CLEAR, F_ENTRY | TDV_F_GID | TDV_F_IOMMU);
		entry_fields(e, seg, kvmfd, gen, id);
		e->gid = gid;
		e->iommu = 2;
	}
	if (faults & NO_PUT)
		return;
	if (!refs_after && !(faults & NO_ID_FREE)) {
		e = at(s, ts + 30000, p, TDV_EV_ID_FREE, TDV_F_SEG | TDV_F_TRANS_DEVID);
		e->seg = seg;
		e->trans_devid = id;
	}
	e = at(s, ts + 40000, p, TDV_EV_PUT, F_ENTRY | TDV_F_REFS);
	entry_fields(e, seg, kvmfd, gen, id);
	e->refs = refs_after;
}

static void vm_destroy(struct run *s, uint64_t ts, const struct vmm *p)
{
	at(s, ts, p, TDV_EV_VM_DESTROY, TDV_F_VM)->vm = p->vm;
}

static int by_time(const void *a, const void *b)
{
	const struct tdv_event *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x < y ? -1 : 1; /* stable: keep a flow's own order */
}

static void on_report(void *ctx, const struct tdv_report *r)
{
	assert_int_equal(tdv_capture_report(ctx, r), 0);
}

static void on_close(void *ctx, const struct tdv_timeline *t)
{
	assert_int_equal(tdv_capture_timeline(ctx, t), 0);
}

/*
 * Twelve VMMs, one VM each, coming and going over about five seconds on two
 * segments, with one of each anomaly: VM 2 never frees its id (leak_id), VM 3
 * never puts (leak_ref, then fini_live), VM 5 has two vIOMMUs on one segment
 * (clear_while_shared), VMs 7 and 8 use one kvmfd number (alias), VM 9 leaves
 * its DTE set (stale_dte), VM 10 puts once too often (unbalanced_put), VM 11
 * fails its first get (alloc_fail) and is still running at the end, VM 1's
 * VMM exits cleanly but its VM is never destroyed (vm_not_destroyed); a
 * reservation clashes (reserve_clash) and an entry found at start has no
 * known owner.
 */
static void sample_run(struct tdv_capture *c)
{
	static struct run s;
	struct vmm vmm[NVMM];
	struct tdv_model *m;
	struct tdv_model_seed seed = { .seg = 1,
				       .kvmfd = 40,
				       .gen = 1,
				       .trans_devid = 0xff00,
				       .refs = 1,
				       .tgid = 900,
				       .comm = "old-vmm",
				       .ts_ns = T0 };
	uint16_t next_id[2] = { 0xffff, 0xffff }, id[NVMM];
	uint64_t end = T0 + 5200 * MS;
	struct tdv_event *e;

	s.n = 0;
	for (int i = 0; i < NVMM; i++) {
		vmm[i].vm = 0xffff888100000000ULL + (uint64_t)i * 0x40000;
		vmm[i].tgid = 4000 + i * 17;
		snprintf(vmm[i].comm, sizeof(vmm[i].comm), "qemu-vm%02u", i % 100u);
	}
	strcpy(vmm[4].comm, "qemu\"<&>'\xe9");
	for (int i = 0; i < NVMM - 1; i++) {
		const struct vmm *p = &vmm[i];
		uint16_t seg = i % 2;
		uint32_t kvmfd = 10 + i, gen = 1;
		uint64_t t = T0 + 100 * MS + i * 280 * MS, life = 1200 * MS + (i % 4) * 350 * MS;
		int faults = 0;

		if (i == 6) /* reuses VM 0's fd number once VM 0 is gone: gen 2 */
			kvmfd = 10, gen = 2;
		if (i == 8) /* a second VMM's fd numbered like VM 7's */
			seg = 1, kvmfd = 17;
		if (i == 8) {
			/* Joins VM 7's entry: ends first, refs drop to VM 7's one. */
			id[i] = id[7];
			viommu_create(&s, t, p, seg, kvmfd, gen, id[i], 2, 1);
			viommu_destroy(&s, t + 400 * MS, p, seg, kvmfd, gen, id[i], 1, 1, 0);
			/* and has an entry of its own on segment 0 */
			viommu_create(&s, t + 1000, p, 0, 18, 1, next_id[0], 1, 2);
			viommu_destroy(&s, t + 390 * MS, p, 0, 18, 1, next_id[0]--, 0, 2, 0);
			vm_destroy(&s, t + 402 * MS, p);
			continue;
		}
		if (i == 4) /* a first try that fails: its id is freed for the next */
			failed_init(&s, t - 50 * MS, p, seg, kvmfd, next_id[seg], 3);
		id[i] = next_id[seg]--;
		viommu_create(&s, t, p, seg, kvmfd, gen, id[i], 1, 1);
		if (i == 5) {
			viommu_create(&s, t + 300 * MS, p, seg, kvmfd, gen, id[i], 2, 2);
			viommu_destroy(&s, t + life - 200 * MS, p, seg, kvmfd, gen, id[i], 1, 2, 0);
		}
		if (i == 7)
			life = 1000 * MS; /* outlives VM 8's visit */
		faults = i == 2 ? NO_ID_FREE : i == 3 ? NO_PUT : i == 9 ? NO_CLEAR : 0;
		viommu_destroy(&s, t + life, p, seg, kvmfd, gen, id[i], 0, 1, faults);
		if (i == 1) /* multi-threaded: the driver's fdget keeps its VM */
			at(&s, t + life + 2 * MS, p, TDV_EV_PROC_EXIT, 0);
		else
			vm_destroy(&s, t + life + 2 * MS, p);
		if (i == 10) {
			e = at(&s, t + life + 5 * MS, p, TDV_EV_PUT,
			       TDV_F_SEG | TDV_F_KVMFD | TDV_F_VM | TDV_F_REFS);
			e->seg = seg;
			e->kvmfd = kvmfd;
			e->vm = p->vm;
		}
	}
	/* VM 11: the pool looks full once, then it gets its id. */
	e = at(&s, T0 + 3200 * MS, &vmm[11], TDV_EV_GET,
	       TDV_F_SEG | TDV_F_KVMFD | TDV_F_VM | TDV_F_RET);
	e->seg = 0;
	e->kvmfd = 21;
	e->vm = vmm[11].vm;
	e->ret = -28;
	viommu_create(&s, T0 + 3300 * MS, &vmm[11], 0, 21, 1, 0xffe0, 1, 1);
	viommu_create(&s, T0 + 4100 * MS, &vmm[11], 0, 21, 1, 0xffe0, 2, 2);
	/* A device reserving an id that is VM 2's trans_devid. */
	e = at(&s, T0 + 1500 * MS, &(struct vmm){ .tgid = 1, .comm = "systemd-udevd" },
	       TDV_EV_RESERVE, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_RET);
	e->seg = 0;
	e->trans_devid = id[2];
	e->ret = -16;
	/* Segment 1 torn down at the end with what is left on it. */
	at(&s, end - 100 * MS, &(struct vmm){ .tgid = 1, .comm = "modprobe" }, TDV_EV_SEG_FINI,
	   TDV_F_SEG)
		->seg = 1;
	qsort(s.ev, s.n, sizeof(s.ev[0]), by_time);

	tdv_capture_init(c);
	c->start_ns = T0;
	c->end_ns = end;
	m = tdv_model_new(GRACE, on_report, c);
	assert_non_null(m);
	tdv_model_on_close(m, on_close, c);
	tdv_model_seed(m, &seed);
	for (unsigned int i = 0; i < s.n; i++)
		tdv_model_event(m, &s.ev[i]);
	tdv_model_tick(m, end);
	tdv_model_finish(m);
	/* What is still live, as `tdvtrace report` adds it at the end. */
	tdv_model_each_timeline(m, on_close, c);
	tdv_model_free(m);
}

static void write_sample(const char *name, int (*fn)(FILE *, const struct tdv_capture *),
			 const struct tdv_capture *c)
{
	char path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", samples_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fn(f, c), 0);
	assert_int_equal(fclose(f), 0);
}

static void test_model_run_writes_samples(void **state)
{
	struct tdv_capture c;
	struct tdv_capture_view v;
	bool kinds[TDV_R_KINDS] = {};

	sample_run(&c);
	for (size_t i = 0; i < c.nreports; i++)
		kinds[c.reports[i].kind] = true;
	for (int k = 0; k < TDV_R_KINDS; k++)
		if (!kinds[k])
			fail_msg("no %s report in the sample run", tdv_report_kind_name(k));
	/* VMs 0-11 (VM 8 twice, VM 11 live), VM 4's failed first try and the seed. */
	assert_int_equal(c.ntimelines, 14);
	assert_int_equal(tdv_capture_view(&c, &v), 0);
	assert_int_equal(v.nvms, NVMM + 1);
	assert_int_equal(v.vms[NVMM].vm, 0);
	assert_int_equal(v.start_ns, T0);
	assert_int_equal(v.end_ns, T0 + 5200 * MS);
	for (size_t r = 0; r < v.nrows; r++)
		assert_int_equal(v.row_live[r], v.rows[r]->kvmfd == 21);
	tdv_capture_view_free(&v);

	if (mkdir(samples_dir, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", samples_dir, strerror(errno));
	write_sample("timeline.json", tdv_perfetto_write, &c);
	write_sample("timeline.svg", tdv_svg_write, &c);
	tdv_capture_free(&c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_report_is_copied_without_its_timeline),
		cmocka_unit_test(test_timeline_points_are_owned),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_view_orders_vms_rows_and_reports),
		cmocka_unit_test(test_view_gen_reused_after_seg_fini),
		cmocka_unit_test(test_model_run_writes_samples),
	};
	char self[PATH_MAX];

	/* Samples go next to the test binary: .output/unit/samples. */
	snprintf(self, sizeof(self), "%s", argc ? argv[0] : ".");
	snprintf(samples_dir, sizeof(samples_dir), "%s/samples", dirname(self));
	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
