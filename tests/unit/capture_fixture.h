/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture both timeline writers' tests draw (test_perfetto.c,
 * test_svg.c), and what the capture tests share: times, VM pointers, a
 * capture written to a string, a write that fails.
 */
#ifndef TDV_TEST_CAPTURE_FIXTURE_H
#define TDV_TEST_CAPTURE_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include "capture.h"

#define S 1000000000ULL
#define MS 1000000ULL
#define VM_A 0xffff888000001000ULL
#define VM_B 0xffff888000002000ULL
#define VM_C 0xffff888000003000ULL

/* A timeline writer: tdv_perfetto_write, tdv_svg_write. */
typedef int (*capture_writer)(FILE *f, const struct tdv_capture *c);

/* An entry's timeline with no changes, owned by pid 7 "qemu". */
static inline struct tdv_timeline fixture_timeline(uint64_t vm, uint16_t seg, uint32_t kvmfd,
						   uint32_t gen, uint16_t trans_devid,
						   uint64_t created, uint64_t released)
{
	return (struct tdv_timeline){ .seg = seg,
				      .kvmfd = kvmfd,
				      .gen = gen,
				      .trans_devid = trans_devid,
				      .vm = vm,
				      .owner_tgid = 7,
				      .owner_comm = "qemu",
				      .created_ns = created,
				      .released_ns = released };
}

static inline void fixture_point(struct tdv_timeline_point *p, uint64_t ts, uint32_t kind,
				 uint32_t refs, bool dte, uint16_t vf, const char *comm)
{
	*p = (struct tdv_timeline_point){
		.ts_ns = ts,
		.kind = kind,
		.refs = refs,
		.pid = 71,
		.tgid = 7,
		.gid = 3,
		.iommu = 2,
		.dte_set = dte,
		.vfctrls = vf,
	};
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
}

/*
 * From 1 s to 5 s, four VMs. VM A (owner pid 7, @comm): seg 0 kvmfd 5 gen
 * 2, trans_devid 0xffff, two vIOMMUs, released at 3 s; and seg 1 kvmfd 6,
 * 0xfffd, dropped with a ref at 4 s (segment teardown). VM B (pid 8,
 * "qemu"): seg 1 kvmfd 5, 0xfffe, live, with a leak_ref on it at 4.5 s. VM
 * C: only an unbalanced put (owner @comm) at 4.6 s. No known VM: seg 1
 * kvmfd 40, 0xff00, from 1 s to 4 s with no changes and a fini_live on it
 * at 4 s, and a reservation clash at 4.7 s. Every change is made by pid 71
 * of process 7 named @comm, on gid 3 and IOMMU 2.
 */
static inline void capture_fixture(struct tdv_capture *c, const char *comm)
{
	struct tdv_timeline_point a[8], b[2], a2[1];
	struct tdv_timeline ta = fixture_timeline(VM_A, 0, 5, 2, 0xffff, 1500 * MS, 3 * S);
	struct tdv_timeline ta2 = fixture_timeline(VM_A, 1, 6, 1, 0xfffd, 3500 * MS, 4 * S);
	struct tdv_timeline tb = fixture_timeline(VM_B, 1, 5, 1, 0xfffe, 2 * S, 0);
	struct tdv_timeline tu = fixture_timeline(0, 1, 40, 1, 0xff00, 1 * S, 4 * S);
	struct tdv_report leak = {
		.kind = TDV_R_LEAK_REF,
		.ts_ns = 4500 * MS,
		.seg = 1,
		.kvmfd = 5,
		.gen = 1,
		.trans_devid = 0xfffe,
		.refs = 2,
		.vm = VM_B,
		.owner_tgid = 8,
		.owner_comm = "qemu",
		.has_entry = true,
		.detail = "VM gone <with> 2 refs & more",
		.nevidence = 2,
		.evidence = { { .ts_ns = 2 * S, .kind = TDV_EV_GET, .comm = "qemu" },
			      { .ts_ns = 2200 * MS, .kind = TDV_EV_GET, .comm = "qemu" } }
	};
	struct tdv_report unbalanced = { .kind = TDV_R_UNBALANCED_PUT,
					 .ts_ns = 4600 * MS,
					 .kvmfd = 9,
					 .vm = VM_C,
					 .owner_tgid = 9 };
	struct tdv_report clash = {
		.kind = TDV_R_RESERVE_CLASH, .ts_ns = 4700 * MS, .trans_devid = 0xfffe, .ret = -16
	};
	struct tdv_report fini = { .kind = TDV_R_FINI_LIVE,
				   .ts_ns = 4 * S,
				   .seg = 1,
				   .kvmfd = 40,
				   .gen = 1,
				   .has_entry = true };

	ta.npoints = 8, ta.points = a;
	ta2.npoints = 1, ta2.points = a2;
	tb.npoints = 2, tb.points = b;
	tb.owner_tgid = 8;
	tu.owner_tgid = 0, tu.owner_comm[0] = '\0';
	snprintf(ta.owner_comm, sizeof(ta.owner_comm), "%s", comm);
	snprintf(ta2.owner_comm, sizeof(ta2.owner_comm), "%s", comm);
	snprintf(unbalanced.owner_comm, sizeof(unbalanced.owner_comm), "%s", comm);
	snprintf(unbalanced.detail, sizeof(unbalanced.detail), "put %s", comm);
	fixture_point(&a[0], 1500 * MS, TDV_EV_GET, 1, false, 0, comm);
	fixture_point(&a[1], 1600 * MS, TDV_EV_DTE_SET, 1, true, 0, comm);
	fixture_point(&a[2], 1700 * MS, TDV_EV_VFCTRL, 1, true, 1, comm);
	fixture_point(&a[3], 2 * S, TDV_EV_GET, 2, true, 1, comm);
	fixture_point(&a[4], 2500 * MS, TDV_EV_DTE_CLEAR, 2, false, 1, comm);
	fixture_point(&a[5], 2600 * MS, TDV_EV_PUT, 1, false, 1, comm);
	fixture_point(&a[6], 2700 * MS, TDV_EV_VFCTRL, 1, false, 0, comm);
	fixture_point(&a[7], 3 * S, TDV_EV_PUT, 0, false, 0, comm);
	fixture_point(&a2[0], 3500 * MS, TDV_EV_GET, 1, false, 0, comm);
	fixture_point(&b[0], 2 * S, TDV_EV_GET, 1, false, 0, comm);
	/* A nanosecond past: the writers keep exact nanoseconds. */
	fixture_point(&b[1], 2200 * MS + 1, TDV_EV_GET, 2, false, 0, comm);

	tdv_capture_init(c);
	c->start_ns = 1 * S;
	c->end_ns = 5 * S;
	assert_int_equal(tdv_capture_timeline(c, &ta), 0);
	assert_int_equal(tdv_capture_timeline(c, &tb), 0);
	assert_int_equal(tdv_capture_timeline(c, &ta2), 0);
	assert_int_equal(tdv_capture_timeline(c, &tu), 0);
	assert_int_equal(tdv_capture_report(c, &leak), 0);
	assert_int_equal(tdv_capture_report(c, &unbalanced), 0);
	assert_int_equal(tdv_capture_report(c, &clash), 0);
	assert_int_equal(tdv_capture_report(c, &fini), 0);
}

/* What @write makes of @c, as a string to free. */
static inline char *capture_render(capture_writer write, const struct tdv_capture *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(write(f, c), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* A full disk: @write says -EIO. */
static inline void capture_assert_write_error(capture_writer write)
{
	struct tdv_capture c;
	FILE *f = fopen("/dev/full", "w");

	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	capture_fixture(&c, "qemu");
	assert_int_equal(write(f, &c), -EIO);
	fclose(f);
	tdv_capture_free(&c);
}

#endif /* TDV_TEST_CAPTURE_FIXTURE_H */
