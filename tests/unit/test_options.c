// SPDX-License-Identifier: GPL-2.0
/* Filter and option parsing: what is accepted, what is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "options.h"

static void test_parse_uint_accepts(void **state)
{
	uint64_t v = 0;

	assert_int_equal(tdv_parse_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(tdv_parse_uint("65535", UINT16_MAX, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(tdv_parse_uint("0x10", 100, &v), 0);
	assert_int_equal(v, 16);
}

static void test_parse_uint_refuses(void **state)
{
	const char *bad[] = { "",    "-1",    "+1",
			      " 1",  "1 ",    "abc",
			      "12x", "65536", "99999999999999999999999" };
	uint64_t v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tdv_parse_uint(bad[i], UINT16_MAX, &v), -EINVAL);
		assert_int_equal(v, 42); /* nothing stored on error */
	}
	assert_int_equal(tdv_parse_uint(NULL, 1, &v), -EINVAL);
}

static void test_parse_attach(void **state)
{
	enum tdv_attach_mode m = TDV_ATTACH_AUTO;

	assert_int_equal(tdv_parse_attach("fentry", &m), 0);
	assert_int_equal(m, TDV_ATTACH_FENTRY);
	assert_int_equal(tdv_parse_attach("kprobe", &m), 0);
	assert_int_equal(m, TDV_ATTACH_KPROBE);
	assert_int_equal(tdv_parse_attach("auto", &m), 0);
	assert_int_equal(m, TDV_ATTACH_AUTO);
	assert_int_equal(tdv_parse_attach("fexit", &m), -EINVAL);
	assert_int_equal(m, TDV_ATTACH_AUTO);
	assert_string_equal(tdv_attach_mode_name(TDV_ATTACH_KPROBE), "kprobe");
}

static int parse(struct tdv_options *o, int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &tdv_common_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = { .children = children };

	tdv_options_init(o);
	return argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_SILENT, NULL, o);
}

static void test_common_flags(void **state)
{
	char *argv[] = { "t",	     "-p",     "123",	       "--seg", "1",
			 "--kvmfd",  "0",      "-d",	       "5",	"--json",
			 "--attach", "kprobe", "--ringbuf-kb", "8",	"-v" };
	struct tdv_options o;

	assert_int_equal(parse(&o, 15, argv), 0);
	assert_int_equal(o.filter.tgid, 123);
	assert_int_equal(o.filter.seg, 1);
	assert_int_equal(o.filter.kvmfd, 0);
	assert_int_equal(o.duration_s, 5);
	assert_true(o.json);
	assert_true(o.verbose);
	assert_int_equal(o.attach, TDV_ATTACH_KPROBE);
	assert_int_equal(o.ringbuf_kb, 8);
}

static void test_defaults_match_everything(void **state)
{
	char *argv[] = { "t" };
	struct tdv_options o;

	assert_int_equal(parse(&o, 1, argv), 0);
	assert_int_equal(o.filter.tgid, 0);
	assert_int_equal(o.filter.seg, -1);
	assert_int_equal(o.filter.kvmfd, -1);
	assert_int_equal(o.duration_s, 0);
	assert_false(o.json);
	assert_int_equal(o.attach, TDV_ATTACH_AUTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_uint_accepts),
		cmocka_unit_test(test_parse_uint_refuses),
		cmocka_unit_test(test_parse_attach),
		cmocka_unit_test(test_common_flags),
		cmocka_unit_test(test_defaults_match_everything),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
