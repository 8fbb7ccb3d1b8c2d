// SPDX-License-Identifier: GPL-2.0
/* Filter and option parsing: what is accepted, what is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "options.h"

static void test_parse_uint_accepts(void **state)
{
	uint64_t v = 0;

	assert_int_equal(tdv_parse_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(tdv_parse_uint("65535", UINT16_MAX, &v), 0);
	assert_int_equal(v, 65535);
	/* Decimal, never octal: -p 010 is pid 10. */
	assert_int_equal(tdv_parse_uint("010", 100, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(tdv_parse_uint("0009", 100, &v), 0);
	assert_int_equal(v, 9);
}

static void test_parse_uint_refuses(void **state)
{
	const char *bad[] = { "",     "-1",  "+1",  "\t1",   " 1",
			      "1 ",   "abc", "12x", "65536", "99999999999999999999999",
			      "0x10", "08x", "1e3" };
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

/* Parses with one argp child, catching what argp says on a refusal. */
struct harness {
	void *input;
	FILE *err;
};

static error_t harness_init(int key, char *arg, struct argp_state *state)
{
	struct harness *h = state->input;

	if (key != ARGP_KEY_INIT)
		return ARGP_ERR_UNKNOWN;
	state->err_stream = h->err;
	state->child_inputs[0] = h->input;
	return 0;
}

/*
 * Parse the NULL-terminated @argv (argv[0] "t") with @child into @input;
 * the first line argp printed (none: "") into @msg.
 */
static int parse_child(const struct argp *child, void *input, char **argv, char *msg, size_t len)
{
	const struct argp_child children[] = { { child, 0, NULL, 0 }, {} };
	const struct argp argp = { .parser = harness_init, .children = children };
	struct harness h = { .input = input };
	char *out = NULL;
	size_t outlen = 0;
	int argc = 0, err;

	while (argv[argc])
		argc++;
	h.err = open_memstream(&out, &outlen);
	assert_non_null(h.err);
	err = argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, &h);
	fclose(h.err);
	snprintf(msg, len, "%.*s", (int)strcspn(out, "\n"), out);
	free(out);
	return err;
}

static void test_interval_accepts(void **state)
{
	static const struct {
		char *argv[4];
		unsigned int interval_s, count;
	} ok[] = {
		{ { "t" }, 7, 0 }, /* nothing given: what the command set */
		{ { "t", "1" }, 1, 0 },
		{ { "t", "2", "3" }, 2, 3 },
		{ { "t", "86400", "4294967295" }, 86400, 4294967295U },
		{ { "t", "010", "0010" }, 10, 10 }, /* decimal, never octal */
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct tdv_interval iv = { .interval_s = 7 };
		char *argv[4];

		memcpy(argv, ok[i].argv, sizeof(argv));
		assert_int_equal(parse_child(&tdv_interval_argp, &iv, argv, msg, sizeof(msg)), 0);
		assert_string_equal(msg, "");
		assert_int_equal(iv.interval_s, ok[i].interval_s);
		assert_int_equal(iv.count, ok[i].count);
	}
}

static void test_interval_refuses(void **state)
{
	/* What came before the refused argument is kept, nothing of it. */
	static const struct {
		char *argv[5];
		const char *msg;
		unsigned int interval_s, count;
	} bad[] = {
		{ { "t", "0" }, "t: invalid interval '0': expected seconds 1-86400", 7, 0 },
		{ { "t", "86401" }, "t: invalid interval '86401': expected seconds 1-86400", 7, 0 },
		{ { "t", "+1" }, "t: invalid interval '+1': expected seconds 1-86400", 7, 0 },
		{ { "t", "1s" }, "t: invalid interval '1s': expected seconds 1-86400", 7, 0 },
		{ { "t", "0x10" }, "t: invalid interval '0x10': expected seconds 1-86400", 7, 0 },
		{ { "t", "1", "0" }, "t: invalid count '0': expected a number 1-4294967295", 1, 0 },
		{ { "t", "1", "4294967296" },
		  "t: invalid count '4294967296': expected a number 1-4294967295",
		  1,
		  0 },
		{ { "t", "1", "x" }, "t: invalid count 'x': expected a number 1-4294967295", 1, 0 },
		{ { "t", "1", "2", "3" },
		  "t: unexpected argument '3': expected [INTERVAL [COUNT]]",
		  1,
		  2 },
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tdv_interval iv = { .interval_s = 7 };
		char *argv[5];

		memcpy(argv, bad[i].argv, sizeof(argv));
		assert_int_equal(parse_child(&tdv_interval_argp, &iv, argv, msg, sizeof(msg)),
				 EINVAL);
		assert_string_equal(msg, bad[i].msg);
		assert_int_equal(iv.interval_s, bad[i].interval_s);
		assert_int_equal(iv.count, bad[i].count);
	}
}

static void test_interval_usage(void **state)
{
	const struct argp_child children[] = { { &tdv_interval_argp, 0, NULL, 0 }, {} };
	const struct argp argp = { .children = children };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	argp_help(&argp, f, ARGP_HELP_USAGE, "t");
	fclose(f);
	assert_string_equal(out, "Usage: t [INTERVAL [COUNT]]\n");
	free(out);
}

static void test_report_options_accepts(void **state)
{
	static const struct {
		char *argv[5];
		uint64_t grace_ns;
		enum tdv_timelines timelines;
	} ok[] = {
		{ { "t" }, 500 * 1000000ULL, TDV_TIMELINES_NONE },
		{ { "t", "--grace-ms", "0" }, 0, TDV_TIMELINES_NONE },
		{ { "t", "--grace-ms=3600000" }, 3600000 * 1000000ULL, TDV_TIMELINES_NONE },
		{ { "t", "--timelines" }, 500 * 1000000ULL, TDV_TIMELINES_REPORTS },
		{ { "t", "--timelines=all", "--grace-ms", "200" },
		  200 * 1000000ULL,
		  TDV_TIMELINES_ALL },
	};
	char msg[256];

	assert_int_equal(TDV_DEFAULT_GRACE_NS, 500 * 1000000ULL);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct tdv_report_options r;
		char *argv[5];

		memset(&r, 0xa5, sizeof(r)); /* the child sets its defaults */
		memcpy(argv, ok[i].argv, sizeof(argv));
		assert_int_equal(parse_child(&tdv_report_argp, &r, argv, msg, sizeof(msg)), 0);
		assert_string_equal(msg, "");
		assert_int_equal(r.grace_ns, ok[i].grace_ns);
		assert_int_equal(r.timelines, ok[i].timelines);
		assert_int_equal(r.grace_given, i == 1 || i == 2 || i == 4);
	}
}

static void test_report_options_refuses(void **state)
{
	static const struct {
		char *argv[3];
		const char *msg;
	} bad[] = {
		{ { "t", "--grace-ms=3600001" },
		  "t: invalid --grace-ms '3600001': expected milliseconds" },
		{ { "t", "--grace-ms=-1" }, "t: invalid --grace-ms '-1': expected milliseconds" },
		{ { "t", "--grace-ms=1.5" }, "t: invalid --grace-ms '1.5': expected milliseconds" },
		{ { "t", "--timelines=some" },
		  "t: invalid --timelines=some: expected --timelines or --timelines=all" },
		{ { "t", "--timelines=" },
		  "t: invalid --timelines=: expected --timelines or --timelines=all" },
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tdv_report_options r;
		char *argv[3];

		memcpy(argv, bad[i].argv, sizeof(argv));
		assert_int_equal(parse_child(&tdv_report_argp, &r, argv, msg, sizeof(msg)), EINVAL);
		assert_string_equal(msg, bad[i].msg);
		/* nothing stored: the defaults stand */
		assert_int_equal(r.grace_ns, TDV_DEFAULT_GRACE_NS);
		assert_int_equal(r.timelines, TDV_TIMELINES_NONE);
	}
}

/* README's table: a finding is never an error, and argp's usage status is 2. */
static void test_exit_statuses(void **state)
{
	assert_int_equal(TDV_EXIT_OK, 0);
	assert_int_equal(TDV_EXIT_ENV, 1);
	assert_int_equal(TDV_EXIT_USAGE, 2);
	assert_int_equal(TDV_EXIT_FOUND, 3);
	assert_int_equal(TDV_EXIT_PARTIAL, 4);
}

/* A command that takes only --attach, --json and -v, as probes does. */
static error_t narrow_parser(int key, char *arg, struct argp_state *state)
{
	struct harness *h = state->input;
	struct tdv_options *o = h->input;

	if (key == ARGP_KEY_INIT) {
		state->err_stream = h->err;
		state->child_inputs[0] = o;
		return 0;
	}
	if (key == ARGP_KEY_END)
		return tdv_refuse_ignored(state, o->given,
					  TDV_OPT_ATTACH | TDV_OPT_JSON | TDV_OPT_VERBOSE);
	return ARGP_ERR_UNKNOWN;
}

static void test_refuse_ignored(void **state)
{
	static const struct {
		char *argv[4];
		const char *msg;
	} cases[] = {
		{ { "t", "--attach", "kprobe" }, "" },
		{ { "t", "--json", "-v" }, "" },
		{ { "t", "-p", "7" }, "t: -p does not apply to this command" },
		{ { "t", "--json", "--seg", "1" }, "t: --seg does not apply to this command" },
		{ { "t", "--kvmfd", "3" }, "t: --kvmfd does not apply to this command" },
		{ { "t", "-d", "1" }, "t: -d does not apply to this command" },
		{ { "t", "--ringbuf-kb", "8" }, "t: --ringbuf-kb does not apply to this command" },
	};
	const struct argp_child children[] = { { &tdv_common_argp, 0, NULL, 0 }, {} };
	const struct argp argp = { .parser = narrow_parser, .children = children };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tdv_options o;
		struct harness h = { .input = &o };
		char *out = NULL, *argv[4];
		size_t len = 0;
		int argc = 0, err;

		memcpy(argv, cases[i].argv, sizeof(argv));
		while (argc < 4 && argv[argc])
			argc++;
		tdv_options_init(&o);
		h.err = open_memstream(&out, &len);
		assert_non_null(h.err);
		err = argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, NULL, &h);
		fclose(h.err);
		out[strcspn(out, "\n")] = '\0';
		assert_string_equal(out, cases[i].msg);
		assert_int_equal(err, cases[i].msg[0] ? EINVAL : 0);
		free(out);
	}
}

static void test_given_bits(void **state)
{
	char *argv[] = { "t", "--seg", "0", "--json", "--ringbuf-kb", "4" };
	struct tdv_options o;

	assert_int_equal(parse(&o, 6, argv), 0);
	assert_int_equal(o.given, TDV_OPT_SEG | TDV_OPT_JSON | TDV_OPT_RINGBUF_KB);
	assert_int_equal(parse(&o, 1, argv), 0);
	assert_int_equal(o.given, 0);
}

static void test_hist_options_given(void **state)
{
	char *none[] = { "t", NULL }, *ms[] = { "t", "-m", NULL },
	     *per[] = { "t", "--per-seg", NULL };
	struct tdv_hist_options h;
	char msg[256];

	memset(&h, 0xa5, sizeof(h));
	assert_int_equal(parse_child(&tdv_hist_argp, &h, none, msg, sizeof(msg)), 0);
	assert_false(h.given);
	assert_int_equal(h.unit_ns, 1000);
	assert_int_equal(parse_child(&tdv_hist_argp, &h, ms, msg, sizeof(msg)), 0);
	assert_true(h.given);
	assert_int_equal(h.unit_ns, 1000000);
	h.per_seg = false;
	assert_int_equal(parse_child(&tdv_hist_argp, &h, per, msg, sizeof(msg)), 0);
	assert_true(h.given);
	assert_true(h.per_seg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_uint_accepts),
		cmocka_unit_test(test_parse_uint_refuses),
		cmocka_unit_test(test_parse_attach),
		cmocka_unit_test(test_common_flags),
		cmocka_unit_test(test_defaults_match_everything),
		cmocka_unit_test(test_interval_accepts),
		cmocka_unit_test(test_interval_refuses),
		cmocka_unit_test(test_interval_usage),
		cmocka_unit_test(test_report_options_accepts),
		cmocka_unit_test(test_report_options_refuses),
		cmocka_unit_test(test_exit_statuses),
		cmocka_unit_test(test_refuse_ignored),
		cmocka_unit_test(test_given_bits),
		cmocka_unit_test(test_hist_options_given),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
