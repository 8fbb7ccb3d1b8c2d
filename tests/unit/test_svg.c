// SPDX-License-Identifier: GPL-2.0
/* The SVG timeline of a capture: structure, labels, escaping and scaling. */
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
#include "svg_format.h"

#define NASTY "q\"<&>'\xe9\x01" /* a comm a VMM could set: bytes, not UTF-8 */

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The number in attribute @attr of the <svg> element. */
static double svg_attr(const char *text, const char *attr)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), " %s=\"", attr);
	p = strstr(strstr(text, "<svg "), key);
	assert_non_null(p);
	return strtod(p + strlen(key), NULL);
}

/* Balanced tags, as far as a substring count can tell. */
static void assert_balanced(const char *text)
{
	static const char *const elems[] = { "g", "text", "title", "rect", "style", "svg" };

	for (size_t i = 0; i < sizeof(elems) / sizeof(elems[0]); i++) {
		char open[16], close[16], open_attr[16];

		snprintf(open, sizeof(open), "<%s>", elems[i]);
		snprintf(open_attr, sizeof(open_attr), "<%s ", elems[i]);
		snprintf(close, sizeof(close), "</%s>", elems[i]);
		/* <rect .../> closes itself; every other <rect ...> is closed. */
		if (!strcmp(elems[i], "rect"))
			continue;
		assert_int_equal(count(text, open) + count(text, open_attr), count(text, close));
	}
}

static void test_structure(void **state)
{
	struct tdv_capture c;
	char *text;

	capture_fixture(&c, NASTY);
	text = capture_render(tdv_svg_write, &c);
	assert_true(!strncmp(text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44));
	assert_non_null(strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_string_equal(text + strlen(text) - 7, "</svg>\n");
	assert_balanced(text);
	/* Self-contained: no scripts, links or external resources. */
	assert_null(strstr(text, "<script"));
	assert_null(strstr(text, "href"));
	assert_null(strstr(text, "url("));
	assert_null(strstr(text, "@import"));
	assert_int_equal(count(text, "http"), 1); /* the namespace */
	assert_int_equal(count(text, "<g class=\"vm\">"), 4);
	assert_int_equal(count(text, "<g class=\"row\">"), 4);
	assert_int_equal(count(text, "<g class=\"report\">"), 4);
	/* Tooltips: each row's life bar, the bands, each report. */
	assert_int_equal(count(text, "class=\"life\"><title>"), 3);
	assert_int_equal(count(text, "class=\"live\"><title>"), 1);
	assert_int_equal(count(text, "class=\"dte\"><title>"), 1);
	assert_int_equal(count(text, "class=\"vf\"><title>"), 1);
	assert_int_equal(count(text, "<title>"), 4 + 2 + 4);
	free(text);
	tdv_capture_free(&c);
}

static void test_labels_and_grouping(void **state)
{
	struct tdv_capture c;
	const char *a, *a2, *b, *u;
	char *text;

	capture_fixture(&c, NASTY);
	text = capture_render(tdv_svg_write, &c);
	assert_non_null(strstr(text,
			       ">tdvtrace timeline: 4 VMs, 4 entries, 4 reports over 4.000000 "
			       "s</text>"));
	a = strstr(text, ">VM 0xffff888000001000 seg 0 kvmfd 5 gen 2 id 0xffff</text>");
	a2 = strstr(text, ">VM 0xffff888000001000 seg 1 kvmfd 6 gen 1 id 0xfffd</text>");
	b = strstr(text, ">VM 0xffff888000002000 seg 1 kvmfd 5 gen 1 id 0xfffe</text>");
	u = strstr(text, ">VM unknown seg 1 kvmfd 40 gen 1 id 0xff00</text>");
	assert_non_null(a);
	assert_non_null(a2);
	assert_non_null(b);
	assert_non_null(u);
	assert_true(a < a2 && a2 < b && b < u);
	/* VM headers, in order, with owners and counts. */
	a = strstr(text, "class=\"vmt\">VM 0xffff888000001000</text>");
	b = strstr(text, "class=\"vmt\">VM 0xffff888000002000</text>");
	u = strstr(text, "class=\"vmt\">VM unknown</text>");
	assert_true(a && b && u && a < b && b < u);
	assert_non_null(strstr(text, ">VM 0xffff888000003000</text>"));
	assert_non_null(strstr(text, "pid 8 (qemu), 1 entry, 1 report</text>"));
	assert_non_null(strstr(text, "class=\"vmo\">1 entry, 2 reports</text>"));
	/* Refs scaled per row. */
	assert_int_equal(count(text, ">max 2</text>"), 2);
	assert_int_equal(count(text, ">max 1</text>"), 2);
	/* A legend entry for every report kind. */
	for (int k = 0; k < TDV_R_KINDS; k++) {
		char want[48];

		snprintf(want, sizeof(want), ">%s</text>", tdv_report_kind_name(k));
		assert_int_equal(count(text, want), 1);
	}
	/* The leak's tooltip names it, its time and its detail. */
	assert_non_null(strstr(text, "<title>leak_ref at 3.500000 s: VM gone &lt;with&gt; 2 refs "
				     "&amp; more [exact]"));
	free(text);
	tdv_capture_free(&c);
}

static void test_escaping(void **state)
{
	struct tdv_capture c;
	char *text;

	capture_fixture(&c, NASTY);
	text = capture_render(tdv_svg_write, &c);
	/*
	 * In the VM headers (A, C), the tooltips of A's two rows, and the
	 * unbalanced put's (its detail and owner).
	 */
	assert_non_null(strstr(text, "pid 7 (q&quot;&lt;&amp;&gt;&apos;&#xe9;&#xfffd;), 2 entries, "
				     "0 reports</text>"));
	assert_int_equal(count(text, "q&quot;&lt;&amp;&gt;&apos;&#xe9;&#xfffd;"), 2 + 2 + 2);
	assert_null(strstr(text, "q\"<&>"));
	assert_null(strstr(text, "\xe9"));
	assert_null(strstr(text, "\x01"));
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p >= 0x7f || (*p < 0x20 && *p != '\n'))
			fail_msg("byte 0x%02x at %zu", *p,
				 (size_t)(p - (const unsigned char *)text));
	free(text);
	tdv_capture_free(&c);
}

static void test_time_axis_units(void **state)
{
	struct tdv_capture c;
	char *text;

	/* 4 s: whole seconds. */
	capture_fixture(&c, NASTY);
	text = capture_render(tdv_svg_write, &c);
	for (int s = 0; s <= 4; s++) {
		char want[48];

		snprintf(want, sizeof(want), "class=\"tick\">%d s</text>", s);
		assert_int_equal(count(text, want), 2); /* top and bottom */
	}
	assert_null(strstr(text, "class=\"tick\">5 s</text>"));
	assert_null(strstr(text, " ms</text>"));
	free(text);
	tdv_capture_free(&c);

	/* 50 ms: milliseconds. */
	tdv_capture_init(&c);
	c.start_ns = 1 * S;
	c.end_ns = 1 * S + 50 * MS;
	text = capture_render(tdv_svg_write, &c);
	assert_int_equal(count(text, "class=\"tick\">0 ms</text>"), 2);
	assert_int_equal(count(text, "class=\"tick\">10 ms</text>"), 2);
	assert_int_equal(count(text, "class=\"tick\">50 ms</text>"), 2);
	assert_int_equal(count(text, "class=\"tick\">"), 2 * 6);
	assert_non_null(strstr(text, ">no entries or reports</text>"));
	free(text);

	/* 1.5 ms: fractions of a millisecond. */
	c.end_ns = 1 * S + 1500000;
	text = capture_render(tdv_svg_write, &c);
	assert_int_equal(count(text, "class=\"tick\">0.5 ms</text>"), 2);
	free(text);
}

/* @nvms VMs of two entries each over @span. */
static char *many(unsigned int nvms, uint64_t span)
{
	struct tdv_capture c;
	char *text;

	tdv_capture_init(&c);
	c.start_ns = 1 * S;
	c.end_ns = 1 * S + span;
	for (unsigned int i = 0; i < nvms * 2; i++) {
		struct tdv_timeline_point p = { .ts_ns = c.start_ns + i,
						.kind = TDV_EV_GET,
						.refs = 1 };
		struct tdv_timeline t = { .seg = i % 2,
					  .kvmfd = i,
					  .gen = 1,
					  .vm = 0xffff888000000000ULL + (i / 2) * 0x1000,
					  .created_ns = c.start_ns + i,
					  .npoints = 1,
					  .points = &p };

		assert_int_equal(tdv_capture_timeline(&c, &t), 0);
	}
	text = capture_render(tdv_svg_write, &c);
	tdv_capture_free(&c);
	return text;
}

static void test_scales_with_vms_and_span(void **state)
{
	char *t20 = many(20, 4 * S), *t40 = many(40, 4 * S), *hour = many(40, 3600 * S),
	     *day = many(40, 86400 * S), *tiny = many(40, 1000);

	/* Rows have a fixed height: the image grows, 2 rows + a header per VM. */
	assert_int_equal(count(t40, "<g class=\"row\">"), 80);
	assert_float_equal(svg_attr(t40, "height") - svg_attr(t20, "height"), 20 * (22 + 2 * 24),
			   0);
	/* Long runs are compressed to one width; short ones get a minimum. */
	assert_true(svg_attr(t40, "width") < svg_attr(hour, "width"));
	assert_float_equal(svg_attr(hour, "width"), svg_attr(day, "width"), 0);
	assert_true(svg_attr(day, "width") < 2200);
	assert_true(svg_attr(tiny, "width") > 600);
	assert_non_null(strstr(day, "class=\"tick\">0 s</text>"));
	assert_non_null(strstr(tiny, "class=\"tick\">0.0002 ms</text>"));
	assert_balanced(day);
	free(t20);
	free(t40);
	free(hour);
	free(day);
	free(tiny);
}

static void test_write_error(void **state)
{
	capture_assert_write_error(tdv_svg_write);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_labels_and_grouping),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_time_axis_units),
		cmocka_unit_test(test_scales_with_vms_and_span),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests_name("svg", tests, NULL, NULL);
}
