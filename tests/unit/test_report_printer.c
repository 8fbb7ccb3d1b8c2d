// SPDX-License-Identifier: GPL-2.0
/*
 * The report printer of leaks and report: each report and timeline as the
 * formatters write it, put together as --timelines asks, and the exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "report_format.h"
#include "report_printer.h"

#define S 1000000000ULL

static const struct tdv_timeline_point points[] = {
	{ .ts_ns = 2 * S, .kind = TDV_EV_GET, .refs = 1, .tgid = 7, .comm = "qemu" },
	{ .ts_ns = 3 * S, .kind = TDV_EV_PUT, .refs = 0, .tgid = 7, .comm = "qemu" },
};

#define TIMELINE                                                                                   \
	{                                                                                          \
		.seg = 1, .kvmfd = 5, .gen = 2, .trans_devid = 0xfffe, .created_ns = 2 * S,        \
		.released_ns = 3 * S, .npoints = 2, .points = (struct tdv_timeline_point *)points, \
	}

static const struct tdv_timeline timeline = TIMELINE;

static const struct tdv_report report = {
	.kind = TDV_R_LEAK_REF,
	.ts_ns = 4 * S,
	.seg = 1,
	.kvmfd = 5,
	.gen = 2,
	.has_entry = true,
	.detail = "VM gone",
	.timeline = TIMELINE,
};

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *open_capture(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

/* Closes the stream; the caller frees the text. */
static char *close_capture(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

/* Closes both: what the printer wrote to @got is exactly @want. */
static void assert_same(struct capture *got, struct capture *want)
{
	char *g = close_capture(got), *w = close_capture(want);

	assert_string_equal(g, w);
	assert_true(strlen(g) > 0);
	free(g);
	free(w);
}

static void test_report_text(void **state)
{
	struct tdv_report_printer p = { .start_ns = 1 * S };
	struct capture got, want;

	/* Without --timelines: the report alone. */
	p.f = open_capture(&got);
	tdv_printer_report(&p, &report);
	tdv_report_print_text(open_capture(&want), &report, 1 * S, NULL);
	assert_same(&got, &want);

	/* --timelines: its entry's timeline after it. */
	p.timelines = TDV_TIMELINES_REPORTS;
	p.f = open_capture(&got);
	tdv_printer_report(&p, &report);
	tdv_report_print_text(open_capture(&want), &report, 1 * S, NULL);
	tdv_timeline_print_text(want.f, &timeline, 1 * S);
	assert_same(&got, &want);
}

static void test_report_json(void **state)
{
	static const enum tdv_timelines modes[] = { TDV_TIMELINES_NONE, TDV_TIMELINES_REPORTS,
						    TDV_TIMELINES_ALL };
	struct capture got, want;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct tdv_report_printer p = { .json = true, .timelines = modes[i] };

		p.f = open_capture(&got);
		tdv_printer_report(&p, &report);
		tdv_report_print_json(open_capture(&want), &report, modes[i] != TDV_TIMELINES_NONE,
				      NULL);
		assert_same(&got, &want);
	}
}

static void test_timeline(void **state)
{
	struct tdv_report_printer p = { .start_ns = 1 * S };
	struct capture got, want;

	p.f = open_capture(&got);
	tdv_printer_timeline(&p, &timeline);
	tdv_timeline_print_text(open_capture(&want), &timeline, 1 * S);
	assert_same(&got, &want);

	/* JSON: one {"timeline": ...} object a line. */
	p.json = true;
	p.f = open_capture(&got);
	tdv_printer_timeline(&p, &timeline);
	tdv_timeline_print_json(open_capture(&want), &timeline);
	assert_same(&got, &want);
}

static void count_report(void *ctx, const struct tdv_report *r)
{
	(*(unsigned int *)ctx)++;
}

static void test_summary_status(void **state)
{
	struct tdv_event put = {
		.ts_ns = 1 * S,
		.kind = TDV_EV_PUT,
		.fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_REFS,
		.pid = 7,
		.tgid = 7,
		.comm = "qemu",
		.kvmfd = 4,
	};
	unsigned int reports = 0;
	struct tdv_model *m = tdv_model_new(TDV_DEFAULT_GRACE_NS, count_report, &reports);
	struct capture out;
	char *text;

	assert_non_null(m);
	assert_int_equal(tdv_printer_summary(m, open_capture(&out)), TDV_EXIT_OK);
	text = close_capture(&out);
	assert_string_equal(text, "tdvtrace: no leaks or anomalies\n");
	free(text);

	/* A put of no entry: an unbalanced put, and the status says so. */
	tdv_model_event(m, &put);
	tdv_model_tick(m, 10 * S);
	tdv_model_finish(m);
	assert_int_equal(reports, 1);
	assert_int_equal(tdv_printer_summary(m, open_capture(&out)), 3); /* TDV_EXIT_FOUND */
	text = close_capture(&out);
	assert_string_equal(text, "tdvtrace: 1 report: 1 unbalanced_put\n");
	free(text);
	tdv_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_summary_status),
	};

	return cmocka_run_group_tests_name("report_printer", tests, NULL, NULL);
}
