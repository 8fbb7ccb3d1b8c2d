// SPDX-License-Identifier: GPL-2.0
/* Histogram sets, interval deltas, quantile estimates and their output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hist.h"
#include "hist_format.h"

static struct tdv_hist_key key(unsigned int func, unsigned int variant, unsigned int seg)
{
	struct tdv_hist_key k = { .func = func, .variant = variant, .seg = seg };

	return k;
}

/* @n calls in @slot, each @ns long. */
static struct tdv_hist_val calls(unsigned int slot, uint64_t n, uint64_t ns)
{
	struct tdv_hist_val v = {};

	v.slots[slot] = n;
	v.count = n;
	v.sum_ns = n * ns;
	return v;
}

static void test_add_merges_and_sorts(void **state)
{
	struct tdv_hist_set set;
	struct tdv_hist_key put = key(TDV_H_PUT, 0, 1), get = key(TDV_H_GET, TDV_H_SHARED, 0);
	struct tdv_hist_val a = calls(3, 2, 10), b = calls(5, 1, 40);

	tdv_hist_set_init(&set);
	assert_int_equal(tdv_hist_set_add(&set, &put, &a), 0);
	assert_int_equal(tdv_hist_set_add(&set, &get, &a), 0);
	assert_int_equal(tdv_hist_set_add(&set, &put, &b), 0); /* another CPU's share */
	assert_int_equal(set.n, 2);
	assert_int_equal(set.h[0].key.func, TDV_H_GET);
	assert_int_equal(set.h[1].key.func, TDV_H_PUT);
	assert_int_equal(set.h[1].val.count, 3);
	assert_int_equal(set.h[1].val.slots[3], 2);
	assert_int_equal(set.h[1].val.slots[5], 1);
	assert_int_equal(set.h[1].val.sum_ns, 60);
	assert_int_equal(tdv_hist_set_calls(&set), 5);
	tdv_hist_set_free(&set);
}

static void test_many_keys_stay_sorted(void **state)
{
	struct tdv_hist_set set;
	struct tdv_hist_val one = calls(0, 1, 1);

	tdv_hist_set_init(&set);
	for (int i = 99; i >= 0; i--) {
		struct tdv_hist_key k = key(i % TDV_H_FUNCS, i % 3, i);

		assert_int_equal(tdv_hist_set_add(&set, &k, &one), 0);
	}
	assert_int_equal(set.n, 100);
	for (size_t i = 1; i < set.n; i++) {
		const struct tdv_hist_key *p = &set.h[i - 1].key, *c = &set.h[i].key;

		assert_true(p->func < c->func || (p->func == c->func && p->seg < c->seg));
	}
	tdv_hist_set_free(&set);
}

static void test_diff_is_the_interval(void **state)
{
	struct tdv_hist_set prev, now, delta;
	struct tdv_hist_key get = key(TDV_H_GET, TDV_H_NEW, 0), put = key(TDV_H_PUT, 0, 0);
	struct tdv_hist_val a = calls(2, 4, 5), b = calls(4, 3, 20);

	tdv_hist_set_init(&prev);
	tdv_hist_set_init(&now);
	tdv_hist_set_init(&delta);
	tdv_hist_set_add(&prev, &get, &a);
	tdv_hist_set_add(&prev, &put, &a);
	tdv_hist_set_copy(&now, &prev);
	tdv_hist_set_add(&now, &get, &b); /* only get had calls since */
	assert_int_equal(tdv_hist_set_diff(&now, &prev, &delta), 0);
	assert_int_equal(delta.n, 1);
	assert_int_equal(delta.h[0].key.func, TDV_H_GET);
	assert_int_equal(delta.h[0].val.count, 3);
	assert_int_equal(delta.h[0].val.slots[2], 0);
	assert_int_equal(delta.h[0].val.slots[4], 3);
	assert_int_equal(delta.h[0].val.sum_ns, 60);
	tdv_hist_set_free(&prev);
	tdv_hist_set_free(&now);
	tdv_hist_set_free(&delta);
}

static void test_slots_are_bcc_log2(void **state)
{
	assert_int_equal(tdv_hist_slot_low(0), 0);
	assert_int_equal(tdv_hist_slot_high(0), 1);
	assert_int_equal(tdv_hist_slot_low(1), 2);
	assert_int_equal(tdv_hist_slot_high(1), 3);
	assert_int_equal(tdv_hist_slot_low(12), 4096);
	assert_int_equal(tdv_hist_slot_high(12), 8191);
}

static void test_quantiles_interpolate(void **state)
{
	struct tdv_hist_val v = {};

	assert_true(tdv_hist_quantile(&v, 0.5) == 0);
	/* 100 calls in 4..7: the median is half-way through it */
	v = calls(2, 100, 5);
	assert_true(tdv_hist_quantile(&v, 0.5) == 6.0);
	assert_true(tdv_hist_quantile(&v, 0.99) == 4 + 4 * 0.99);
	/* 90 in 2..3, 10 in 1024..2047: p50 low, p99 in the tail bucket */
	v.slots[2] = 0;
	v.slots[1] = 90;
	v.slots[10] = 10;
	assert_true(tdv_hist_quantile(&v, 0.5) == 2 + 2 * 50.0 / 90);
	assert_true(tdv_hist_quantile(&v, 0.99) == 1024 + 1024 * 9.0 / 10);
	/* the last slot is open-ended */
	memset(&v, 0, sizeof(v));
	v.slots[TDV_HIST_SLOTS - 1] = 1;
	assert_true(tdv_hist_quantile(&v, 0.5) == (double)(1ULL << (TDV_HIST_SLOTS - 1)));
}

static char *render(const struct tdv_hist *h, const struct tdv_hist_print *p, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (json)
		tdv_hist_print_json(f, h, p);
	else
		tdv_hist_print_text(f, h, p);
	fclose(f);
	return buf;
}

static void test_text_like_biolatency(void **state)
{
	struct tdv_hist h = { .key = key(TDV_H_GET, TDV_H_NEW, TDV_HIST_ALL_SEGS) };
	struct tdv_hist_print p = { .unit_ns = 1000 };
	char *out;

	h.val.slots[1] = 2;
	h.val.slots[3] = 4;
	h.val.count = 6;
	h.val.sum_ns = 6 * 7000;
	out = render(&h, &p, false);
	assert_string_equal(
		out,
		"\n"
		"get, new id\n"
		"          usecs            : count    distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 2        |********************                    |\n"
		"         4 -> 7          : 0        |                                        |\n"
		"         8 -> 15         : 4        |****************************************|\n"
		"count 6, avg 7.0, p50 ~10.0, p99 ~15.9 usecs\n");
	free(out);
}

static void test_json_object(void **state)
{
	struct tdv_hist h = { .key = key(TDV_H_ID_ALLOC, 4, 1) };
	struct tdv_hist_print p = { .unit_ns = 1, .stamp = "12:00:01", .interval = 2 };
	char *out;

	h.val.slots[1] = 1;
	h.val.count = 1;
	h.val.sum_ns = 3;
	out = render(&h, &p, true);
	assert_string_equal(out,
			    "{\"time\":\"12:00:01\",\"interval\":2,\"func\":\"id_alloc\","
			    "\"occupancy\":{\"low\":16,\"high\":31},\"seg\":1,\"unit\":\"nsecs\","
			    "\"count\":1,\"sum_ns\":3,\"avg\":3.000,\"p50\":3.000,\"p99\":3.980,"
			    "\"buckets\":[{\"low\":0,\"high\":1,\"count\":0},"
			    "{\"low\":2,\"high\":3,\"count\":1}]}\n");
	free(out);
}

static void test_titles(void **state)
{
	char buf[96];
	struct tdv_hist_key k;

	k = key(TDV_H_ID_ALLOC, TDV_H_OCC_FULL, 0);
	tdv_hist_title(buf, sizeof(buf), &k);
	assert_string_equal(buf, "id_alloc, pool full [seg 0]");
	k = key(TDV_H_GET, TDV_H_SHARED, TDV_HIST_ALL_SEGS);
	tdv_hist_title(buf, sizeof(buf), &k);
	assert_string_equal(buf, "get, shared");
	k = key(TDV_H_DTE_CLEAR, 0, 3);
	tdv_hist_title(buf, sizeof(buf), &k);
	assert_string_equal(buf, "dte_clear [seg 3]");
	assert_string_equal(tdv_hist_unit_name(1000000), "msecs");
	assert_string_equal(tdv_hist_func_name(TDV_H_FUNCS), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_merges_and_sorts),
		cmocka_unit_test(test_many_keys_stay_sorted),
		cmocka_unit_test(test_diff_is_the_interval),
		cmocka_unit_test(test_slots_are_bcc_log2),
		cmocka_unit_test(test_quantiles_interpolate),
		cmocka_unit_test(test_text_like_biolatency),
		cmocka_unit_test(test_json_object),
		cmocka_unit_test(test_titles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
