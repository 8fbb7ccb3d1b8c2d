// SPDX-License-Identifier: GPL-2.0
/* The streaming JSON writer: exact text, and json-c reads back what it wrote. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json.h"
#include "json_read.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct tdv_json w;
};

static void out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	tdv_json_init(&o->w, o->f);
}

/* The text written, after checking the writer saw no error. */
static char *out_close(struct out *o)
{
	assert_int_equal(tdv_json_error(&o->w), 0);
	assert_int_equal(fclose(o->f), 0);
	return o->buf;
}

/* One string value, written alone: its JSON text. */
static char *string_text(const char *s, size_t max)
{
	struct out o;

	out_open(&o);
	tdv_json_string_n(&o.w, s, max);
	return out_close(&o);
}

static void test_nesting_and_commas(void **state)
{
	struct out o;
	json_object *root, *a;
	char *text;

	out_open(&o);
	tdv_json_start_object(&o.w);
	tdv_json_uint_field(&o.w, "a", 1);
	tdv_json_name(&o.w, "list");
	tdv_json_start_array(&o.w);
	tdv_json_start_object(&o.w);
	tdv_json_end_object(&o.w);
	tdv_json_start_array(&o.w);
	tdv_json_end_array(&o.w);
	tdv_json_uint(&o.w, 2);
	tdv_json_start_object(&o.w);
	tdv_json_bool_field(&o.w, "t", true);
	tdv_json_bool_field(&o.w, "f", false);
	tdv_json_name(&o.w, "n");
	tdv_json_null(&o.w);
	tdv_json_end_object(&o.w);
	tdv_json_end_array(&o.w);
	tdv_json_string_field(&o.w, "s", "x");
	tdv_json_end_object(&o.w);
	tdv_json_end_line(&o.w);
	text = out_close(&o);
	assert_string_equal(text, "{\"a\":1,\"list\":[{},[],2,{\"t\":true,\"f\":false,\"n\":null}],"
				  "\"s\":\"x\"}\n");
	root = parse(text);
	a = get(root, "list");
	assert_int_equal(json_object_array_length(a), 4);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(a, 2)), 2);
	assert_true(json_object_get_boolean(get(json_object_array_get_idx(a, 3), "t")));
	assert_true(json_object_is_type(get(json_object_array_get_idx(a, 3), "n"), json_type_null));
	assert_string_equal(json_object_get_string(get(root, "s")), "x");
	json_object_put(root);
	free(text);
}

/* NDJSON: each record after end_line starts afresh, with no comma. */
static void test_records(void **state)
{
	struct out o;
	char *text;

	out_open(&o);
	for (unsigned int i = 0; i < 3; i++) {
		tdv_json_start_object(&o.w);
		tdv_json_uint_field(&o.w, "i", i);
		tdv_json_end_object(&o.w);
		tdv_json_end_line(&o.w);
	}
	text = out_close(&o);
	assert_string_equal(text, "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
	free(text);
}

static void test_deep_nesting(void **state)
{
	struct out o;
	json_object *root, *v;
	char *text;

	out_open(&o);
	for (int i = 0; i < TDV_JSON_MAX_DEPTH; i++) {
		if (i % 2) {
			tdv_json_start_array(&o.w);
		} else {
			tdv_json_start_object(&o.w);
			tdv_json_name(&o.w, "k");
		}
	}
	tdv_json_uint(&o.w, 7);
	for (int i = TDV_JSON_MAX_DEPTH - 1; i >= 0; i--) {
		if (i % 2)
			tdv_json_end_array(&o.w);
		else
			tdv_json_end_object(&o.w);
	}
	text = out_close(&o);
	root = parse(text);
	v = root;
	for (int i = 0; i < TDV_JSON_MAX_DEPTH; i++)
		v = i % 2 ? json_object_array_get_idx(v, 0) : get(v, "k");
	assert_int_equal(json_object_get_int(v), 7);
	json_object_put(root);
	free(text);
}

static void test_escapes_every_control_byte(void **state)
{
	for (unsigned int c = 1; c < 0x20; c++) {
		char s[] = { 'a', (char)c, 'b', '\0' }, want[16];
		char *text = string_text(s, sizeof(s));
		json_object *root;

		snprintf(want, sizeof(want), "\"a\\u%04xb\"", c);
		assert_string_equal(text, want);
		root = parse(text);
		assert_int_equal(json_object_get_string_len(root), 3);
		assert_memory_equal(json_object_get_string(root), s, 3);
		json_object_put(root);
		free(text);
	}
	/* DEL is a control character too. */
	char *text = string_text("\x7f", 1);

	assert_string_equal(text, "\"\\u007f\"");
	free(text);
}

static void test_escapes_quote_and_backslash(void **state)
{
	const char *s = "say \"hi\\there\" /";
	char *text = string_text(s, SIZE_MAX);
	json_object *root;

	assert_string_equal(text, "\"say \\\"hi\\\\there\\\" /\"");
	root = parse(text);
	assert_string_equal(json_object_get_string(root), s);
	json_object_put(root);
	free(text);
}

/* Well-formed UTF-8 as it is, of 2, 3 and 4 bytes: json-c reads it back. */
static void test_utf8_passes_through(void **state)
{
	const char *s = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7 \xef\xbf\xbf \xf4\x8f\xbf\xbf";
	char *text = string_text(s, SIZE_MAX);
	json_object *root;

	assert_int_equal(strlen(text), strlen(s) + 2);
	assert_memory_equal(text + 1, s, strlen(s));
	root = parse(text);
	assert_string_equal(json_object_get_string(root), s);
	json_object_put(root);
	free(text);
}

/*
 * Bytes that are no UTF-8 (a comm is bytes) are escaped one by one: stray
 * continuation bytes, overlong forms, surrogates, past U+10FFFF, and a
 * sequence cut short by the end of the string or by @max.
 */
static void test_bytes_that_are_not_utf8(void **state)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} cases[] = {
		{ "\x80", SIZE_MAX, "\"\\u0080\"" },
		{ "\xff", SIZE_MAX, "\"\\u00ff\"" },
		{ "\xc0\xaf", SIZE_MAX, "\"\\u00c0\\u00af\"" },
		{ "\xe0\x80\xaf", SIZE_MAX, "\"\\u00e0\\u0080\\u00af\"" },
		{ "\xed\xa0\x80", SIZE_MAX, "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xf4\x90\x80\x80", SIZE_MAX, "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "\xe2\x82", SIZE_MAX, "\"\\u00e2\\u0082\"" },
		{ "\xc3\xa9", 1, "\"\\u00c3\"" },
		{ "ok\xc3", SIZE_MAX, "\"ok\\u00c3\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = string_text(cases[i].in, cases[i].max);
		json_object *root;

		assert_string_equal(text, cases[i].want);
		root = parse(text);
		json_object_put(root);
		free(text);
	}
}

/* A fixed-size field: at most @max bytes, fewer when a NUL comes first. */
static void test_string_bounds(void **state)
{
	char comm[4] = { 'a', 'b', 'c', 'd' }; /* no NUL */
	char *text = string_text(comm, sizeof(comm));

	assert_string_equal(text, "\"abcd\"");
	free(text);
	text = string_text("ab\0cd", 5);
	assert_string_equal(text, "\"ab\"");
	free(text);
	text = string_text("", SIZE_MAX);
	assert_string_equal(text, "\"\"");
	free(text);
}

static void test_numbers_at_their_limits(void **state)
{
	struct out o;
	json_object *root;
	char *text;

	out_open(&o);
	tdv_json_start_object(&o.w);
	tdv_json_uint_field(&o.w, "u0", 0);
	tdv_json_uint_field(&o.w, "umax", UINT64_MAX);
	tdv_json_int_field(&o.w, "imin", INT64_MIN);
	tdv_json_int_field(&o.w, "imax", INT64_MAX);
	tdv_json_int_field(&o.w, "neg", -16);
	tdv_json_hex_field(&o.w, "h0", 0);
	tdv_json_hex_field(&o.w, "hmax", UINT64_MAX);
	tdv_json_hex_field(&o.w, "vm", 0xffff888012345600ULL);
	tdv_json_name(&o.w, "us");
	tdv_json_uint_scaled(&o.w, 1200000001, 3);
	tdv_json_name(&o.w, "small");
	tdv_json_uint_scaled(&o.w, 7, 3);
	tdv_json_name(&o.w, "scaled_max");
	tdv_json_uint_scaled(&o.w, UINT64_MAX, 19);
	tdv_json_name(&o.w, "whole");
	tdv_json_uint_scaled(&o.w, 42, 0);
	tdv_json_double_field(&o.w, "d", 2.0 / 3, 3);
	tdv_json_double_field(&o.w, "dneg", -1.5, 1);
	tdv_json_double_field(&o.w, "dbig", 1e300, 0);
	tdv_json_double_field(&o.w, "nan", NAN, 3);
	tdv_json_double_field(&o.w, "inf", -INFINITY, 3);
	tdv_json_end_object(&o.w);
	text = out_close(&o);
	assert_non_null(strstr(text,
			       "{\"u0\":0,\"umax\":18446744073709551615,"
			       "\"imin\":-9223372036854775808,"
			       "\"imax\":9223372036854775807,\"neg\":-16,\"h0\":\"0x0\","
			       "\"hmax\":\"0xffffffffffffffff\",\"vm\":\"0xffff888012345600\","
			       "\"us\":1200000.001,\"small\":0.007,"
			       "\"scaled_max\":1.8446744073709551615,\"whole\":42,"
			       "\"d\":0.667,\"dneg\":-1.5,\"dbig\":1"));
	assert_non_null(strstr(text, ",\"nan\":null,\"inf\":null}"));
	root = parse(text);
	assert_true(json_object_get_uint64(get(root, "umax")) == UINT64_MAX);
	assert_true(json_object_get_int64(get(root, "imin")) == INT64_MIN);
	assert_true(json_object_get_int64(get(root, "imax")) == INT64_MAX);
	assert_int_equal(json_object_get_int(get(root, "neg")), -16);
	assert_string_equal(json_object_get_string(get(root, "hmax")), "0xffffffffffffffff");
	assert_float_equal(json_object_get_double(get(root, "us")), 1200000.001, 1e-9);
	assert_float_equal(json_object_get_double(get(root, "dbig")), 1e300, 1e285);
	assert_true(json_object_is_type(get(root, "nan"), json_type_null));
	json_object_put(root);
	free(text);
}

static void value_without_name(struct tdv_json *w)
{
	tdv_json_start_object(w);
	tdv_json_uint(w, 1);
}

static void name_in_array(struct tdv_json *w)
{
	tdv_json_start_array(w);
	tdv_json_name(w, "x");
}

static void end_that_does_not_match(struct tdv_json *w)
{
	tdv_json_start_array(w);
	tdv_json_end_object(w);
}

static void end_with_nothing_open(struct tdv_json *w)
{
	tdv_json_end_array(w);
}

static void name_without_value(struct tdv_json *w)
{
	tdv_json_start_object(w);
	tdv_json_name(w, "x");
	tdv_json_end_object(w);
}

static void two_records_on_one_line(struct tdv_json *w)
{
	tdv_json_start_object(w);
	tdv_json_end_object(w);
	tdv_json_start_object(w);
	tdv_json_end_object(w);
}

static void end_line_inside_a_record(struct tdv_json *w)
{
	tdv_json_start_object(w);
	tdv_json_end_line(w);
}

static void nesting_past_the_limit(struct tdv_json *w)
{
	for (int i = 0; i <= TDV_JSON_MAX_DEPTH; i++)
		tdv_json_start_array(w);
}

static void too_many_decimals(struct tdv_json *w)
{
	tdv_json_uint_scaled(w, 1, 20);
}

/* Each misuse is -EINVAL, seen by the caller when it checks. */
static void test_misuse_is_an_error(void **state)
{
	static void (*const misuses[])(struct tdv_json *) = {
		value_without_name,	  name_in_array,	  end_that_does_not_match,
		end_with_nothing_open,	  name_without_value,	  two_records_on_one_line,
		end_line_inside_a_record, nesting_past_the_limit, too_many_decimals,
	};

	for (size_t i = 0; i < sizeof(misuses) / sizeof(misuses[0]); i++) {
		struct out o;

		out_open(&o);
		misuses[i](&o.w);
		if (tdv_json_error(&o.w) != -EINVAL)
			fail_msg("misuse %zu: error %d, want -EINVAL", i, tdv_json_error(&o.w));
		fclose(o.f);
		free(o.buf);
	}
}

/* The stream's own error reaches the caller as -EIO. */
static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct tdv_json w;

	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	tdv_json_init(&w, f);
	tdv_json_start_object(&w);
	tdv_json_string_field(&w, "a", "b");
	tdv_json_end_object(&w);
	assert_int_equal(tdv_json_error(&w), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_escapes_every_control_byte),
		cmocka_unit_test(test_escapes_quote_and_backslash),
		cmocka_unit_test(test_utf8_passes_through),
		cmocka_unit_test(test_bytes_that_are_not_utf8),
		cmocka_unit_test(test_string_bounds),
		cmocka_unit_test(test_numbers_at_their_limits),
		cmocka_unit_test(test_misuse_is_an_error),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
