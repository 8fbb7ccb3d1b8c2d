// SPDX-License-Identifier: GPL-2.0
/* The one escaping routine of every text printer: exact output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "text_escape.h"

static void expect_esc(const char *in, size_t max, const char *want)
{
	char buf[TDV_ESC_SIZE(64)], *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_ptr_equal(tdv_esc(buf, sizeof(buf), in, max), buf);
	assert_string_equal(buf, want);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	tdv_esc_fputs(f, in, max);
	fclose(f);
	assert_string_equal(out, want);
	free(out);
}

static void test_plain_passes(void **state)
{
	expect_esc("qemu-system-x86", SIZE_MAX, "qemu-system-x86");
	expect_esc("a b ~!@#$%^&*()", SIZE_MAX, "a b ~!@#$%^&*()");
	expect_esc("", SIZE_MAX, "");
	expect_esc(NULL, SIZE_MAX, "");
}

static void test_controls_escaped(void **state)
{
	expect_esc("a\nb", SIZE_MAX, "a\\x0ab");
	expect_esc("\r\t\x01\x7f", SIZE_MAX, "\\x0d\\x09\\x01\\x7f");
	expect_esc("\x1b[2J\x1b]0;title\x07", SIZE_MAX, "\\x1b[2J\\x1b]0;title\\x07");
	expect_esc("back\\slash", SIZE_MAX, "back\\\\slash");
}

static void test_utf8(void **state)
{
	/* Well-formed UTF-8 as it is, up to 4 bytes. */
	expect_esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", SIZE_MAX,
		   "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
	/* Not UTF-8: lone, overlong, surrogate, cut short, past U+10FFFF. */
	expect_esc("\xff\xc0\xaf", SIZE_MAX, "\\xff\\xc0\\xaf");
	expect_esc("\xed\xa0\x80", SIZE_MAX, "\\xed\\xa0\\x80");
	expect_esc("\xe2\x82", SIZE_MAX, "\\xe2\\x82");
	expect_esc("\xf4\x90\x80\x80", SIZE_MAX, "\\xf4\\x90\\x80\\x80");
	/* 8-bit C1 CSI, raw and as a code point; the bidi overrides. */
	expect_esc("\x9b"
		   "31m",
		   SIZE_MAX, "\\x9b31m");
	expect_esc("\xc2\x9b"
		   "31m",
		   SIZE_MAX, "\\u{009b}31m");
	expect_esc("\xe2\x80\xae"
		   "gpj.exe",
		   SIZE_MAX, "\\u{202e}gpj.exe");
	expect_esc("\xe2\x81\xa6x\xe2\x81\xa9", SIZE_MAX, "\\u{2066}x\\u{2069}");
	expect_esc("\xe2\x80\x8e\xe2\x80\x8f", SIZE_MAX, "\\u{200e}\\u{200f}");
}

/* @max bytes at most, as a fixed-size comm without its NUL; cut before a sequence. */
static void test_limits(void **state)
{
	char comm[16], buf[8];

	memcpy(comm, "0123456789abcdef", 16);
	expect_esc(comm, sizeof(comm), "0123456789abcdef");
	expect_esc("caf\xc3\xa9", 4, "caf\\xc3");
	/* The buffer ends before an escape that does not fit, never inside it. */
	assert_string_equal(tdv_esc(buf, sizeof(buf), "abcd\n", SIZE_MAX), "abcd");
	assert_string_equal(tdv_esc(buf, sizeof(buf), "abc\nd", SIZE_MAX), "abc\\x0a");
	assert_string_equal(tdv_esc(buf, 1, "abc", SIZE_MAX), "");
	/* The worst case fits TDV_ESC_SIZE. */
	{
		char worst[16], out[TDV_ESC_SIZE(16)];

		memset(worst, 0x1b, sizeof(worst));
		tdv_esc(out, sizeof(out), worst, sizeof(worst));
		assert_int_equal(strlen(out), 64);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_passes),
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("text_escape", tests, NULL, NULL);
}
