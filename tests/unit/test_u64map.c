// SPDX-License-Identifier: GPL-2.0
/* The model's hash maps: pointer values, integer values, growth, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "u64map.h"

static void test_pointers_put_get_replace_del(void **state)
{
	int a = 1, b = 2;
	struct u64map m;

	u64map_init(&m);
	assert_null(u64map_get(&m, 7)); /* empty: no buckets yet */
	assert_null(u64map_del(&m, 7));
	assert_int_equal(u64map_put(&m, 7, &a), 0);
	assert_int_equal(u64map_put(&m, 0, &b), 0); /* key 0 is a key like any other */
	assert_ptr_equal(u64map_get(&m, 7), &a);
	assert_ptr_equal(u64map_get(&m, 0), &b);
	assert_null(u64map_get(&m, 8));
	assert_int_equal(m.count, 2);
	assert_int_equal(u64map_put(&m, 7, &b), 0); /* replace: no new node */
	assert_ptr_equal(u64map_get(&m, 7), &b);
	assert_int_equal(m.count, 2);
	assert_ptr_equal(u64map_del(&m, 7), &b);
	assert_null(u64map_get(&m, 7));
	assert_null(u64map_del(&m, 7));
	assert_int_equal(m.count, 1);
	u64map_destroy(&m);
	assert_int_equal(m.count, 0);
	assert_null(u64map_get(&m, 0));
}

struct visit {
	uint64_t keys, values;
	unsigned int calls;
};

static void visit(void *ctx, uint64_t key, void *value)
{
	struct visit *v = ctx;

	v->keys += key;
	v->values += *(uint64_t *)value;
	v->calls++;
}

/* Keys shaped like the model's (seg << 32 | kvmfd): many rehashes, none lost. */
static void test_pointers_survive_growth(void **state)
{
	static uint64_t values[5000];
	struct visit v = {};
	uint64_t want_keys = 0, want_values = 0;
	struct u64map m;

	u64map_init(&m);
	u64map_each(&m, visit, &v);
	assert_int_equal(v.calls, 0);
	for (uint64_t i = 0; i < 5000; i++) {
		uint64_t key = (i % 4) << 32 | i;

		values[i] = i * 3 + 1;
		assert_int_equal(u64map_put(&m, key, &values[i]), 0);
		want_keys += key;
		want_values += values[i];
	}
	assert_int_equal(m.count, 5000);
	assert_true(m.nbuckets >= 5000);
	for (uint64_t i = 0; i < 5000; i++)
		assert_ptr_equal(u64map_get(&m, (i % 4) << 32 | i), &values[i]);
	u64map_each(&m, visit, &v);
	assert_int_equal(v.calls, 5000);
	assert_int_equal(v.keys, want_keys);
	assert_int_equal(v.values, want_values);
	for (uint64_t i = 0; i < 5000; i += 2)
		assert_ptr_equal(u64map_del(&m, (i % 4) << 32 | i), &values[i]);
	assert_int_equal(m.count, 2500);
	assert_null(u64map_get(&m, 0));
	assert_ptr_equal(u64map_get(&m, 1ULL << 32 | 1), &values[1]);
	u64map_destroy(&m);
}

/* Integer values: 0 is stored and found; absent leaves *value alone. */
static void test_numbers_zero_is_a_value(void **state)
{
	struct u64nummap m;
	uint64_t v = 42;

	u64nummap_init(&m);
	assert_false(u64nummap_get(&m, 5, &v));
	assert_int_equal(v, 42);
	assert_false(u64nummap_del(&m, 5));
	assert_int_equal(u64nummap_put(&m, 5, 0), 0);
	assert_true(u64nummap_get(&m, 5, &v));
	assert_int_equal(v, 0);
	assert_int_equal(u64nummap_put(&m, 5, UINT64_MAX), 0);
	assert_true(u64nummap_get(&m, 5, &v));
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(u64nummap_put(&m, UINT64_MAX, 9), 0);
	assert_true(u64nummap_get(&m, UINT64_MAX, &v));
	assert_int_equal(v, 9);
	assert_true(u64nummap_del(&m, 5));
	v = 42;
	assert_false(u64nummap_get(&m, 5, &v));
	assert_int_equal(v, 42);
	assert_false(u64nummap_del(&m, 5));
	assert_true(u64nummap_get(&m, UINT64_MAX, &v));
	assert_int_equal(v, 9);
	u64nummap_destroy(&m);
}

static void test_numbers_survive_growth(void **state)
{
	struct u64nummap m;
	uint64_t v;

	u64nummap_init(&m);
	for (uint64_t i = 0; i < 3000; i++)
		assert_int_equal(u64nummap_put(&m, i << 16 | 0xffff, i), 0);
	for (uint64_t i = 0; i < 3000; i++) {
		assert_true(u64nummap_get(&m, i << 16 | 0xffff, &v));
		assert_int_equal(v, i);
	}
	assert_false(u64nummap_get(&m, 0xfffe, &v));
	assert_int_equal(m.map.count, 3000);
	u64nummap_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pointers_put_get_replace_del),
		cmocka_unit_test(test_pointers_survive_growth),
		cmocka_unit_test(test_numbers_zero_is_a_value),
		cmocka_unit_test(test_numbers_survive_growth),
	};

	return cmocka_run_group_tests_name("u64map", tests, NULL, NULL);
}
