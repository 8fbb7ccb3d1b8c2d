// SPDX-License-Identifier: GPL-2.0
/* Leak reports and timelines as text and JSON: exact output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "report_format.h"

static char *render_json(const struct tdv_report *r, bool timeline)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tdv_report_print_json(f, r, timeline, NULL);
	fclose(f);
	return buf;
}

static char *render_text(const struct tdv_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tdv_report_print_text(f, r, 1000000000ULL, NULL);
	fclose(f);
	return buf;
}

static const struct tdv_timeline_point points[] = {
	{ .ts_ns = 1500000000ULL,
	  .kind = TDV_EV_GET,
	  .refs = 1,
	  .pid = 7,
	  .tgid = 7,
	  .comm = "qemu",
	  .dte_set = false },
	{ .ts_ns = 1600000000ULL,
	  .kind = TDV_EV_DTE_SET,
	  .refs = 1,
	  .pid = 7,
	  .tgid = 7,
	  .comm = "qemu",
	  .gid = 3,
	  .iommu = 2,
	  .dte_set = true },
};

static struct tdv_report leak(void)
{
	struct tdv_report r = {
		.kind = TDV_R_LEAK_REF,
		.ts_ns = 3000000000ULL,
		.seg = 1,
		.kvmfd = 5,
		.gen = 2,
		.trans_devid = 0xfffe,
		.refs = 1,
		.vm = 0xffff888000001000ULL,
		.owner_tgid = 7,
		.owner_comm = "qemu",
		.has_entry = true,
		.detail = "VM gone with 1 refs outstanding (entry holds 1)",
		.nevidence = 1,
		.evidence = { { .ts_ns = 1500000000ULL,
				.kind = TDV_EV_GET,
				.pid = 8,
				.tgid = 7,
				.comm = "qemu",
				.gid = 3,
				.iommu = 2 } },
		.timeline = { .seg = 1,
			      .kvmfd = 5,
			      .gen = 2,
			      .trans_devid = 0xfffe,
			      .vm = 0xffff888000001000ULL,
			      .owner_tgid = 7,
			      .owner_comm = "qemu",
			      .created_ns = 1500000000ULL,
			      .npoints = 2,
			      .points = points },
	};

	return r;
}

static void test_leak_ref_json(void **state)
{
	struct tdv_report r = leak();
	char *out = render_json(&r, false);

	assert_string_equal(
		out,
		"{\"kind\":\"leak_ref\",\"ts_ns\":3000000000,\"seg\":1,\"kvmfd\":5,\"gen\":2,"
		"\"refs\":1,\"trans_devid\":65534,\"vm\":\"0xffff888000001000\","
		"\"owner\":{\"pid\":7,\"comm\":\"qemu\"},\"confidence\":\"exact\","
		"\"detail\":\"VM gone with 1 refs outstanding (entry holds 1)\",\"evidence\":["
		"{\"event\":\"get\",\"ts_ns\":1500000000,\"pid\":8,\"tgid\":7,\"comm\":\"qemu\","
		"\"gid\":3,\"iommu\":2}]}\n");
	free(out);
}

static void test_report_json_with_timeline_and_loss(void **state)
{
	struct tdv_report r = leak();
	char *out;

	r.lossy = true;
	out = render_json(&r, true);
	assert_non_null(strstr(out, "\"confidence\":\"lossy\""));
	assert_non_null(strstr(
		out, ",\"timeline\":{\"seg\":1,\"kvmfd\":5,\"gen\":2,\"trans_devid\":65534,"
		     "\"vm\":\"0xffff888000001000\",\"owner\":{\"pid\":7,\"comm\":\"qemu\"},"
		     "\"created_ns\":1500000000,\"truncated\":false,\"changes\":["
		     "{\"ts_ns\":1500000000,\"op\":\"get\",\"refs\":1,\"pid\":7,\"tgid\":7,"
		     "\"comm\":\"qemu\",\"gid\":0,\"iommu\":0,\"dte\":\"clear\",\"vfctrl\":0},"
		     "{\"ts_ns\":1600000000,\"op\":\"dte_set\",\"refs\":1,\"pid\":7,\"tgid\":7,"
		     "\"comm\":\"qemu\",\"gid\":3,\"iommu\":2,\"dte\":\"set\",\"vfctrl\":0}]}}\n"));
	free(out);
}

/*
 * --timelines=all: the whole line; a released entry has its lifetime, and
 * a vm that is not known (0) is omitted.
 */
static void test_closed_timeline_json(void **state)
{
	struct tdv_timeline t = leak().timeline;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	t.vm = 0;
	t.released_ns = 2500000000ULL;
	t.truncated = true;
	t.npoints = 1;
	tdv_timeline_print_json(f, &t);
	fclose(f);
	assert_string_equal(
		buf, "{\"timeline\":{\"seg\":1,\"kvmfd\":5,\"gen\":2,\"trans_devid\":65534,"
		     "\"owner\":{\"pid\":7,\"comm\":\"qemu\"},\"created_ns\":1500000000,"
		     "\"released_ns\":2500000000,\"lifetime_ns\":1000000000,\"truncated\":true,"
		     "\"changes\":[{\"ts_ns\":1500000000,\"op\":\"get\",\"refs\":1,\"pid\":7,"
		     "\"tgid\":7,\"comm\":\"qemu\",\"gid\":0,\"iommu\":0,\"dte\":\"clear\","
		     "\"vfctrl\":0}]}}\n");
	free(buf);
}

/* A report of no known VM has no "vm"; an alias names the other one. */
static void test_report_vm_omitted_when_unknown(void **state)
{
	struct tdv_report r = leak();
	char *out;

	r.vm = 0;
	out = render_json(&r, false);
	assert_null(strstr(out, "\"vm\""));
	free(out);
	r.kind = TDV_R_ALIAS;
	r.vm = 0xffff888000001000ULL;
	r.other_vm = 0xffff888000002000ULL;
	out = render_json(&r, false);
	assert_non_null(strstr(out, ",\"vm\":\"0xffff888000001000\","
				    "\"other_vm\":\"0xffff888000002000\",\"owner\":"));
	free(out);
}

static void test_leak_ref_text(void **state)
{
	struct tdv_report r = leak();
	char *out = render_text(&r);

	assert_string_equal(
		out, "2.000000 leak_ref seg=1 kvmfd=5 gen=2 trans_devid=0xfffe refs=1 "
		     "vm=0xffff888000001000 owner=7/qemu [exact]: VM gone with 1 refs outstanding "
		     "(entry holds 1)\n"
		     "    get            at 0.500000 pid 7 (qemu) gid 3 iommu 0x0002\n");
	free(out);
}

/* Every comm and the detail escaped: one report, one line per evidence. */
static void test_text_escapes_strings(void **state)
{
	struct tdv_report r = leak();
	struct tdv_timeline_point pt;
	size_t len = 0;
	char *out;
	FILE *f;

	strcpy(r.owner_comm, "q\r\x1b]0;x\x07");
	strcpy(r.evidence[0].comm, "\n2.0 leak_ref");
	strcpy(r.detail, "VM\x9b"
			 "2J gone");
	out = render_text(&r);
	assert_string_equal(
		out,
		"2.000000 leak_ref seg=1 kvmfd=5 gen=2 trans_devid=0xfffe refs=1 "
		"vm=0xffff888000001000 owner=7/q\\x0d\\x1b]0;x\\x07 [exact]: VM\\x9b2J gone\n"
		"    get            at 0.500000 pid 7 (\\x0a2.0 leak_ref) gid 3 iommu 0x0002\n");
	free(out);
	pt = points[0];
	strcpy(pt.comm, "\xe2\x80\xae"
			"evil");
	r.timeline.npoints = 1;
	r.timeline.points = &pt;
	r.timeline.owner_tgid = 7;
	strcpy(r.timeline.owner_comm, "\x1b[31m");
	f = open_memstream(&out, &len);
	tdv_timeline_print_text(f, &r.timeline, 1000000000ULL);
	fclose(f);
	assert_non_null(strstr(out, " owner=7/\\x1b[31m live\n"));
	assert_non_null(strstr(out, "refs=1 pid 7 (\\u{202e}evil) dte=clear"));
	free(out);
}

static void test_alloc_fail_fields(void **state)
{
	struct tdv_report r = { .kind = TDV_R_ALLOC_FAIL,
				.ts_ns = 5,
				.seg = 0,
				.kvmfd = 6,
				.ret = -28,
				.pool_used = 65535 };
	char *out = render_json(&r, false);

	assert_string_equal(
		out, "{\"kind\":\"alloc_fail\",\"ts_ns\":5,\"seg\":0,\"kvmfd\":6,\"trans_devid\":0,"
		     "\"ret\":-28,\"pool_used\":65535,\"confidence\":\"exact\",\"detail\":\"\","
		     "\"evidence\":[]}\n");
	free(out);
}

static void test_summary(void **state)
{
	struct tdv_model_stats st = { .reports = { [TDV_R_LEAK_REF] = 1, [TDV_R_ALIAS] = 2 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	tdv_report_print_summary(f, &st);
	memset(&st, 0, sizeof(st));
	tdv_report_print_summary(f, &st);
	st.reports[TDV_R_DRIVER_DTE0] = 1;
	st.driver_dte0 = 3;
	tdv_report_print_summary(f, &st);
	fclose(f);
	assert_string_equal(buf, "tdvtrace: 3 reports: 1 leak_ref, 2 alias\n"
				 "tdvtrace: no leaks or anomalies\n"
				 "tdvtrace: 1 report: 1 driver_dte0\n"
				 "tdvtrace: the driver cleared DTE 0 in 3 failed vIOMMU inits "
				 "(driver_dte0 is reported once)\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_ref_json),
		cmocka_unit_test(test_report_json_with_timeline_and_loss),
		cmocka_unit_test(test_closed_timeline_json),
		cmocka_unit_test(test_report_vm_omitted_when_unknown),
		cmocka_unit_test(test_leak_ref_text),
		cmocka_unit_test(test_alloc_fail_fields),
		cmocka_unit_test(test_text_escapes_strings),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests_name("report_format", tests, NULL, NULL);
}
