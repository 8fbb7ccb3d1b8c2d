// SPDX-License-Identifier: GPL-2.0
/* Growable arrays: capacity doubles from the first size, failure keeps all. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "grow.h"

static void test_grow_doubles(void **state)
{
	int *a = NULL;
	size_t cap = 0;

	assert_int_equal(TDV_GROW(a, cap, 1, 4), 0);
	assert_non_null(a);
	assert_int_equal(cap, 4);
	assert_int_equal(TDV_GROW(a, cap, 4, 4), 0); /* fits: unchanged */
	assert_int_equal(cap, 4);
	assert_int_equal(TDV_GROW(a, cap, 5, 4), 0);
	assert_int_equal(cap, 8);
	assert_int_equal(TDV_GROW(a, cap, 33, 4), 0); /* several doublings at once */
	assert_int_equal(cap, 64);
	for (int i = 0; i < 64; i++)
		a[i] = i;
	assert_int_equal(a[63], 63);
	free(a);
}

static void test_grow_first_zero_means_one(void **state)
{
	char *a = NULL;
	size_t cap = 0;

	assert_int_equal(TDV_GROW(a, cap, 1, 0), 0);
	assert_int_equal(cap, 1);
	free(a);
}

static void test_grow_overflow_keeps_array(void **state)
{
	uint64_t *a = NULL;
	size_t cap = 0;

	assert_int_equal(TDV_GROW(a, cap, 2, 2), 0);
	a[0] = 7;
	assert_int_equal(TDV_GROW(a, cap, SIZE_MAX / 4, 2), -ENOMEM);
	assert_int_equal(TDV_GROW(a, cap, SIZE_MAX, 2), -ENOMEM);
	assert_int_equal(cap, 2);
	assert_int_equal(a[0], 7);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_doubles),
		cmocka_unit_test(test_grow_first_zero_means_one),
		cmocka_unit_test(test_grow_overflow_keeps_array),
	};

	return cmocka_run_group_tests_name("grow", tests, NULL, NULL);
}
