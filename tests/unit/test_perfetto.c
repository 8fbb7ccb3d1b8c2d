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
#include "capture_fixture.h"
#include "json_read.h"
#include "perfetto_format.h"

#define NASTY "q\"<&>\\" /* a comm a VMM could set */

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

/* The fixture, written and parsed back. */
struct trace {
	struct tdv_capture c;
	char *text;
	json_object *root, *events;
};

static void trace_open(struct trace *t)
{
	capture_fixture(&t->c, NASTY);
	t->text = capture_render(tdv_perfetto_write, &t->c);
	t->root = parse(t->text);
	t->events = get(t->root, "traceEvents");
}

static void trace_close(struct trace *t)
{
	json_object_put(t->root);
	free(t->text);
	tdv_capture_free(&t->c);
}

static void test_structure(void **state)
{
	struct trace t;
	json_object *ev[32];

	trace_open(&t);
	assert_string_equal(str(t.root, "displayTimeUnit"), "ms");
	/* Perfetto reads displayTimeUnit only ahead of the events. */
	assert_true(strstr(t.text, "displayTimeUnit") < strstr(t.text, "traceEvents"));
	assert_true(json_object_is_type(t.events, json_type_array));

	/* A process per VM, first seen first, unknown last. */
	assert_int_equal(select_events(t.events, "M", "process_name", ev, 32), 4);
	assert_string_equal(str(get(ev[0], "args"), "name"), "VM 0xffff888000001000");
	assert_string_equal(str(get(ev[1], "args"), "name"), "VM 0xffff888000002000");
	assert_string_equal(str(get(ev[2], "args"), "name"), "VM 0xffff888000003000");
	assert_string_equal(str(get(ev[3], "args"), "name"), "VM unknown");
	for (int i = 0; i < 4; i++)
		assert_int_equal(json_object_get_int(get(ev[i], "pid")), i + 1);

	/* A thread per entry, by VM then seg, kvmfd, gen. */
	assert_int_equal(select_events(t.events, "M", "thread_name", ev, 32), 4);
	assert_string_equal(str(get(ev[0], "args"), "name"),
			    "seg 0 kvmfd 5 gen 2 (trans_devid 0xffff)");
	assert_string_equal(str(get(ev[1], "args"), "name"),
			    "seg 1 kvmfd 6 gen 1 (trans_devid 0xfffd)");
	assert_string_equal(str(get(ev[2], "args"), "name"),
			    "seg 1 kvmfd 5 gen 1 (trans_devid 0xfffe)");
	assert_string_equal(str(get(ev[3], "args"), "name"),
			    "seg 1 kvmfd 40 gen 1 (trans_devid 0xff00)");
	assert_int_equal(json_object_get_int(get(ev[0], "pid")), 1);
	assert_int_equal(json_object_get_int(get(ev[1], "pid")), 1);
	assert_int_equal(json_object_get_int(get(ev[2], "pid")), 2);
	assert_int_equal(json_object_get_int(get(ev[3], "pid")), 4);
	assert_int_equal(json_object_get_int(get(ev[0], "tid")), 5);
	assert_int_equal(json_object_get_int(get(ev[1], "tid")), 6);
	assert_int_equal(json_object_get_int(get(ev[2], "tid")), 7);
	assert_int_equal(json_object_get_int(get(ev[3], "tid")), 8);
	assert_int_equal(select_events(t.events, "M", NULL, ev, 32), 4 * 2 + 4 * 2);

	trace_close(&t);
}

static void test_refs_counters(void **state)
{
	struct trace t;
	json_object *ev[32];
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

	trace_open(&t);
	assert_int_equal(select_events(t.events, "C", NULL, ev, 32), 8);
	for (int i = 0; i < 8; i++) {
		assert_string_equal(str(ev[i], "name"), want[i].name);
		assert_true(json_object_is_type(get(ev[i], "ts"), json_type_double));
		assert_float_equal(json_object_get_double(get(ev[i], "ts")), want[i].ts, 1e-6);
		assert_int_equal(json_object_get_int(get(get(ev[i], "args"), "refs")),
				 want[i].refs);
		assert_int_equal(json_object_get_int(get(ev[i], "pid")), i < 6 ? 1 : 2);
	}
	/* Microseconds with exact nanoseconds, not float noise. */
	assert_non_null(strstr(t.text, "\"ts\":1200000.001"));
	trace_close(&t);
}

static void test_lifetimes_and_changes(void **state)
{
	struct trace t;
	json_object *ev[32], *args;
	static const char *const changes[] = { "dte_set", "vfctrl", "dte_clear", "vfctrl" };

	trace_open(&t);

	assert_int_equal(select_events(t.events, "X", NULL, ev, 32), 4);
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
	/* Of no known VM and with no changes: a slice all the same. */
	assert_string_equal(str(ev[3], "name"), "trans_devid 0xff00");
	assert_int_equal(json_object_get_int(get(ev[3], "pid")), 4);
	assert_float_equal(json_object_get_double(get(ev[3], "ts")), 0, 1e-6);
	assert_float_equal(json_object_get_double(get(ev[3], "dur")), 3000000, 1e-6);
	assert_false(has(get(ev[3], "args"), "vm")); /* no VM known: omitted */
	assert_int_equal(json_object_get_int(get(get(ev[3], "args"), "changes")), 0);

	assert_int_equal(select_events(t.events, "i", NULL, ev, 32), 4 + 4);
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
	trace_close(&t);
}

static void test_reports(void **state)
{
	struct trace t;
	json_object *ev[32], *args;

	trace_open(&t);
	assert_int_equal(select_events(t.events, "i", NULL, ev, 32), 8);
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
	assert_string_equal(str(args, "detail"), "VM gone <with> 2 refs & more");
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
	/* On the entry of no known VM. */
	assert_string_equal(str(ev[7], "name"), "fini_live");
	assert_string_equal(str(ev[7], "s"), "t");
	assert_int_equal(json_object_get_int(get(ev[7], "pid")), 4);
	assert_int_equal(json_object_get_int(get(ev[7], "tid")), 8);
	assert_float_equal(json_object_get_double(get(ev[7], "ts")), 3000000, 1e-6);
	/* The raw text escapes it as JSON must. */
	assert_non_null(strstr(t.text, "\"comm\":\"q\\\"<&>\\\\\""));
	trace_close(&t);
}

static void test_empty_capture(void **state)
{
	struct tdv_capture c;
	json_object *root;
	char *text;

	tdv_capture_init(&c);
	text = capture_render(tdv_perfetto_write, &c);
	root = parse(text);
	assert_int_equal(json_object_array_length(get(root, "traceEvents")), 0);
	json_object_put(root);
	free(text);
}

static void test_write_error(void **state)
{
	capture_assert_write_error(tdv_perfetto_write);
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
