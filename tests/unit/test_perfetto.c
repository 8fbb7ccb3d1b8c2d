// SPDX-License-Identifier: GPL-2.0
/* The Chrome trace JSON of a capture, parsed back with json-c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json_read.h"
#include "perfetto_format.h"

#define S 1000000000ULL
#define MS 1000000ULL
#define VM_A 0xffff888000001000ULL
#define VM_B 0xffff888000002000ULL
#define VM_C 0xffff888000003000ULL
#define NASTY "q\"<&>\\" /* a comm a VMM could set */

static void point(struct tdv_timeline_point *p, uint64_t ts, uint32_t kind, uint32_t refs, bool dte,
		  uint16_t vf)
{
	*p = (struct tdv_timeline_point){ .ts_ns = ts,
					  .kind = kind,
					  .refs = refs,
					  .pid = 71,
					  .tgid = 7,
					  .comm = NASTY,
					  .gid = 3,
					  .iommu = 2,
					  .dte_set = dte,
					  .vfctrls = vf };
}

/*
 * VM A: an entry with two vIOMMUs, released, and one dropped with a ref
 * (segment teardown); VM B: a live entry and a leak_ref on it; VM C only an
 * unbalanced put; and a reservation clash of no known VM.
 */
static void build(struct tdv_capture *c)
{
	struct tdv_timeline_point a[8], b[2], a2[1];
	struct tdv_timeline ta = { .seg = 0,
				   .kvmfd = 5,
				   .gen = 2,
				   .trans_devid = 0xffff,
				   .vm = VM_A,
				   .owner_tgid = 7,
				   .owner_comm = NASTY,
				   .created_ns = 1500 * MS,
				   .released_ns = 3 * S,
				   .npoints = 8,
				   .points = a };
	struct tdv_timeline ta2 = { .seg = 1,
				    .kvmfd = 6,
				    .gen = 1,
				    .trans_devid = 0xfffd,
				    .vm = VM_A,
				    .owner_tgid = 7,
				    .owner_comm = NASTY,
				    .created_ns = 3500 * MS,
				    .released_ns = 4 * S,
				    .npoints = 1,
				    .points = a2 };
	struct tdv_timeline tb = { .seg = 1,
				   .kvmfd = 5,
				   .gen = 1,
				   .trans_devid = 0xfffe,
				   .vm = VM_B,
				   .owner_tgid = 8,
				   .owner_comm = "qemu",
				   .created_ns = 2 * S,
				   .npoints = 2,
				   .points = b };
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
		.detail = "VM gone with 2 refs outstanding (entry holds 2)",
		.nevidence = 2,
		.evidence = { { .ts_ns = 2 * S, .kind = TDV_EV_GET, .comm = "qemu" },
			      { .ts_ns = 2200 * MS, .kind = TDV_EV_GET, .comm = "qemu" } }
	};
	struct tdv_report unbalanced = { .kind = TDV_R_UNBALANCED_PUT,
					 .ts_ns = 4600 * MS,
					 .kvmfd = 9,
					 .vm = VM_C,
					 .owner_tgid = 9,
					 .owner_comm = NASTY,
					 .detail = "put " NASTY };
	struct tdv_report clash = {
		.kind = TDV_R_RESERVE_CLASH, .ts_ns = 4700 * MS, .trans_devid = 0xfffe, .ret = -16
	};

	point(&a[0], 1500 * MS, TDV_EV_GET, 1, false, 0);
	point(&a[1], 1600 * MS, TDV_EV_DTE_SET, 1, true, 0);
	point(&a[2], 1700 * MS, TDV_EV_VFCTRL, 1, true, 1);
	point(&a[3], 2 * S, TDV_EV_GET, 2, true, 1);
	point(&a[4], 2500 * MS, TDV_EV_DTE_CLEAR, 2, false, 1);
	point(&a[5], 2600 * MS, TDV_EV_PUT, 1, false, 1);
	point(&a[6], 2700 * MS, TDV_EV_VFCTRL, 1, false, 0);
	point(&a[7], 3 * S, TDV_EV_PUT, 0, false, 0);
	point(&a2[0], 3500 * MS, TDV_EV_GET, 1, false, 0);
	point(&b[0], 2 * S, TDV_EV_GET, 1, false, 0);
	point(&b[1], 2200 * MS + 1, TDV_EV_GET, 2, false, 0);

	tdv_capture_init(c);
	c->start_ns = 1 * S;
	c->end_ns = 5 * S;
	assert_int_equal(tdv_capture_timeline(c, &ta), 0);
	assert_int_equal(tdv_capture_timeline(c, &tb), 0);
	assert_int_equal(tdv_capture_timeline(c, &ta2), 0);
	assert_int_equal(tdv_capture_report(c, &leak), 0);
	assert_int_equal(tdv_capture_report(c, &unbalanced), 0);
	assert_int_equal(tdv_capture_report(c, &clash), 0);
}

static char *render(const struct tdv_capture *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(tdv_perfetto_write(f, c), 0);
	fclose(f);
	return buf;
}

static const char *str(json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

static bool has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

/* The events of phase @ph (and name @name unless NULL), in order. */
static size_t select_events(json_object *events, const char *ph, const char *name,
			    json_object **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i);

		if (strcmp(str(e, "ph"), ph) || (name && strcmp(str(e, "name"), name)))
			continue;
		if (n < max)
			out[n] = e;
		n++;
	}
	return n;
}

static void test_structure(void **state)
{
	struct tdv_capture c;
	json_object *root, *events, *ev[32];
	char *text;

	build(&c);
	text = render(&c);
	root = parse(text);
	assert_string_equal(str(root, "displayTimeUnit"), "ms");
	/* Perfetto reads displayTimeUnit only ahead of the events. */
	assert_true(strstr(text, "displayTimeUnit") < strstr(text, "traceEvents"));
	events = get(root, "traceEvents");
	assert_true(json_object_is_type(events, json_type_array));

	/* A process per VM, first seen first, unknown last. */
	assert_int_equal(select_events(events, "M", "process_name", ev, 32), 4);
	assert_string_equal(str(get(ev[0], "args"), "name"), "VM 0xffff888000001000");
	assert_string_equal(str(get(ev[1], "args"), "name"), "VM 0xffff888000002000");
	assert_string_equal(str(get(ev[2], "args"), "name"), "VM 0xffff888000003000");
	assert_string_equal(str(get(ev[3], "args"), "name"), "VM unknown");
	for (int i = 0; i < 4; i++)
		assert_int_equal(json_object_get_int(get(ev[i], "pid")), i + 1);

	/* A thread per entry, by VM then seg, kvmfd, gen. */
	assert_int_equal(select_events(events, "M", "thread_name", ev, 32), 3);
	assert_string_equal(str(get(ev[0], "args"), "name"),
			    "seg 0 kvmfd 5 gen 2 (trans_devid 0xffff)");
	assert_string_equal(str(get(ev[1], "args"), "name"),
			    "seg 1 kvmfd 6 gen 1 (trans_devid 0xfffd)");
	assert_string_equal(str(get(ev[2], "args"), "name"),
			    "seg 1 kvmfd 5 gen 1 (trans_devid 0xfffe)");
	assert_int_equal(json_object_get_int(get(ev[0], "pid")), 1);
	assert_int_equal(json_object_get_int(get(ev[1], "pid")), 1);
	assert_int_equal(json_object_get_int(get(ev[2], "pid")), 2);
	assert_int_equal(json_object_get_int(get(ev[0], "tid")), 5);
	assert_int_equal(json_object_get_int(get(ev[1], "tid")), 6);
	assert_int_equal(json_object_get_int(get(ev[2], "tid")), 7);
	assert_int_equal(select_events(events, "M", NULL, ev, 32), 4 * 2 + 3 * 2);

	json_object_put(root);
	free(text);
	tdv_capture_free(&c);
}

static void test_refs_counters(void **state)
{
	struct tdv_capture c;
	json_object *root, *events, *ev[32];
	static const struct {
		const char *name;
		double ts;
		int refs;
	} want[] = {
		/* Changes only: the DTE and VF points repeat refs. */
		{ "refs seg 0 kvmfd 5 gen 2 (trans_devid 0xffff)", 500000, 1 },
		{ "refs seg 0 kvmfd 5 gen 2 (trans_devid 0xffff)", 1000000, 2 },
		{ "refs seg 0 kvmfd 5 gen 2 (trans_devid 0xffff)", 1600000, 1 },
		{ "refs seg 0 kvmfd 5 gen 2 (trans_devid 0xffff)", 2000000, 0 },
		/* Dropped with a ref: the counter still ends at 0. */
		{ "refs seg 1 kvmfd 6 gen 1 (trans_devid 0xfffd)", 2500000, 1 },
		{ "refs seg 1 kvmfd 6 gen 1 (trans_devid 0xfffd)", 3000000, 0 },
		/* Live: no end. */
		{ "refs seg 1 kvmfd 5 gen 1 (trans_devid 0xfffe)", 1000000, 1 },
		{ "refs seg 1 kvmfd 5 gen 1 (trans_devid 0xfffe)", 1200000.001, 2 },
	};
	char *text;

	build(&c);
	text = render(&c);
	root = parse(text);
	events = get(root, "traceEvents");
	assert_int_equal(select_events(events, "C", NULL, ev, 32), 8);
	for (int i = 0; i < 8; i++) {
		assert_string_equal(str(ev[i], "name"), want[i].name);
		assert_true(json_object_is_type(get(ev[i], "ts"), json_type_double));
		assert_float_equal(json_object_get_double(get(ev[i], "ts")), want[i].ts, 1e-6);
		assert_int_equal(json_object_get_int(get(get(ev[i], "args"), "refs")),
				 want[i].refs);
		assert_int_equal(json_object_get_int(get(ev[i], "pid")), i < 6 ? 1 : 2);
	}
	/* Microseconds with exact nanoseconds, not float noise. */
	assert_non_null(strstr(text, "\"ts\":1200000.001"));
	json_object_put(root);
	free(text);
	tdv_capture_free(&c);
}

static void test_lifetimes_and_changes(void **state)
{
	struct tdv_capture c;
	json_object *root, *events, *ev[32], *args;
	static const char *const changes[] = { "dte_set", "vfctrl", "dte_clear", "vfctrl" };
	char *text;

	build(&c);
	text = render(&c);
	root = parse(text);
	events = get(root, "traceEvents");

	assert_int_equal(select_events(events, "X", NULL, ev, 32), 3);
	assert_string_equal(str(ev[0], "name"), "trans_devid 0xffff");
	assert_float_equal(json_object_get_double(get(ev[0], "ts")), 500000, 1e-6);
	assert_float_equal(json_object_get_double(get(ev[0], "dur")), 1500000, 1e-6);
	assert_int_equal(json_object_get_int(get(ev[0], "tid")), 5);
	args = get(ev[0], "args");
	assert_int_equal(json_object_get_int(get(args, "kvmfd")), 5);
	assert_string_equal(str(args, "vm"), "0xffff888000001000");
	assert_false(json_object_get_boolean(get(args, "live")));
	assert_int_equal(json_object_get_int(get(args, "changes")), 8);
	/* The comm survives the round trip. */
	assert_string_equal(str(get(args, "owner"), "comm"), NASTY);
	/* Live: to the end of the run. */
	assert_string_equal(str(ev[2], "name"), "trans_devid 0xfffe");
	assert_float_equal(json_object_get_double(get(ev[2], "dur")), 3000000, 1e-6);
	assert_true(json_object_get_boolean(get(get(ev[2], "args"), "live")));
	assert_false(has(get(ev[2], "args"), "released_ns"));

	assert_int_equal(select_events(events, "i", NULL, ev, 32), 4 + 3);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(str(ev[i], "name"), changes[i]);
		assert_string_equal(str(ev[i], "s"), "t");
		assert_int_equal(json_object_get_int(get(ev[i], "tid")), 5);
		assert_string_equal(str(get(ev[i], "args"), "comm"), NASTY);
	}
	assert_string_equal(str(get(ev[0], "args"), "dte"), "set");
	assert_int_equal(json_object_get_int(get(get(ev[1], "args"), "vfctrl")), 1);
	assert_string_equal(str(get(ev[2], "args"), "dte"), "clear");
	assert_float_equal(json_object_get_double(get(ev[2], "ts")), 1500000, 1e-6);
	json_object_put(root);
	free(text);
	tdv_capture_free(&c);
}

static void test_reports(void **state)
{
	struct tdv_capture c;
	json_object *root, *events, *ev[32], *args;
	char *text;

	build(&c);
	text = render(&c);
	root = parse(text);
	events = get(root, "traceEvents");
	assert_int_equal(select_events(events, "i", NULL, ev, 32), 7);
	/* On its entry's thread. */
	assert_string_equal(str(ev[4], "name"), "leak_ref");
	assert_string_equal(str(ev[4], "s"), "t");
	assert_int_equal(json_object_get_int(get(ev[4], "pid")), 2);
	assert_int_equal(json_object_get_int(get(ev[4], "tid")), 7);
	assert_float_equal(json_object_get_double(get(ev[4], "ts")), 3500000, 1e-6);
	args = get(ev[4], "args");
	assert_string_equal(str(args, "kind"), "leak_ref");
	assert_int_equal(json_object_get_int(get(args, "refs")), 2);
	assert_int_equal(json_object_get_int(get(args, "gen")), 1);
	assert_string_equal(str(args, "vm"), "0xffff888000002000");
	assert_string_equal(str(args, "confidence"), "exact");
	assert_string_equal(str(args, "detail"), "VM gone with 2 refs outstanding (entry holds 2)");
	assert_int_equal(json_object_array_length(get(args, "evidence")), 2);
	assert_string_equal(str(json_object_array_get_idx(get(args, "evidence"), 1), "event"),
			    "get");
	/* No entry: on its VM's process. */
	assert_string_equal(str(ev[5], "name"), "unbalanced_put");
	assert_string_equal(str(ev[5], "s"), "p");
	assert_int_equal(json_object_get_int(get(ev[5], "pid")), 3);
	assert_false(has(ev[5], "tid"));
	assert_string_equal(str(get(ev[5], "args"), "detail"), "put " NASTY);
	assert_string_equal(str(get(get(ev[5], "args"), "owner"), "comm"), NASTY);
	assert_string_equal(str(ev[6], "name"), "reserve_clash");
	assert_string_equal(str(ev[6], "s"), "p");
	assert_int_equal(json_object_get_int(get(ev[6], "pid")), 4);
	assert_false(has(get(ev[6], "args"), "vm")); /* no VM known: omitted */
	assert_int_equal(json_object_get_int(get(get(ev[6], "args"), "ret")), -16);
	/* The raw text escapes it as JSON must. */
	assert_non_null(strstr(text, "\"comm\":\"q\\\"<&>\\\\\""));
	json_object_put(root);
	free(text);
	tdv_capture_free(&c);
}

static void test_empty_capture(void **state)
{
	struct tdv_capture c;
	json_object *root;
	char *text;

	tdv_capture_init(&c);
	text = render(&c);
	root = parse(text);
	assert_int_equal(json_object_array_length(get(root, "traceEvents")), 0);
	json_object_put(root);
	free(text);
}

static void test_write_error(void **state)
{
	struct tdv_capture c;
	FILE *f = fopen("/dev/full", "w");

	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	build(&c);
	assert_int_equal(tdv_perfetto_write(f, &c), -EIO);
	fclose(f);
	tdv_capture_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_refs_counters),
		cmocka_unit_test(test_lifetimes_and_changes),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_empty_capture),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests_name("perfetto", tests, NULL, NULL);
}
