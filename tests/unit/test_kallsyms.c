// SPDX-License-Identifier: GPL-2.0
/* The /proc/kallsyms reader: fields of each line, modules, stops, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "kallsyms.h"

struct seen {
	int n;
	int stop_at; /* return 7 at this symbol, 0: never */
	uint64_t addr[8];
	char type[8];
	char name[8][600];
	char module[8][32];
};

static int collect(void *ctx, const struct tdv_ksym *k)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	s->addr[s->n] = k->addr;
	s->type[s->n] = k->type;
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", k->name);
	snprintf(s->module[s->n], sizeof(s->module[0]), "%s", k->module);
	return ++s->n == s->stop_at ? 7 : 0;
}

static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_kallsyms_fields(void **state)
{
	char path[] = "/tmp/test_kallsyms.XXXXXX", long_name[521], text[1024];
	struct seen s = {};

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_true(snprintf(text, sizeof(text),
			     "ffffffff81000000 T _stext\n"
			     "ffffffffc0a01000 t trans_devid_alloc\t[tdvsim]\n"
			     "not a symbol line\n"
			     "ffffffff82000000 D amd_iommu_pci_seg_list\n"
			     "ffffffff8100 X\n"
			     "0000000000000000 t %s\t[bpf]\n"
			     "ffffffffc0a03000 t trans_devid_free.cold\t[tdvsim]",
			     long_name) < (int)sizeof(text));
	write_file(path, text);
	assert_int_equal(tdv_kallsyms_each(path, collect, &s), 0);
	unlink(path);
	assert_int_equal(s.n, 5);
	assert_true(s.addr[0] == 0xffffffff81000000ULL);
	assert_int_equal(s.type[0], 'T');
	assert_string_equal(s.name[0], "_stext");
	assert_string_equal(s.module[0], "");
	assert_true(s.addr[1] == 0xffffffffc0a01000ULL);
	assert_int_equal(s.type[1], 't');
	assert_string_equal(s.name[1], "trans_devid_alloc");
	assert_string_equal(s.module[1], "tdvsim");
	assert_int_equal(s.type[2], 'D');
	assert_string_equal(s.name[2], "amd_iommu_pci_seg_list");
	assert_true(s.addr[3] == 0); /* as kptr_restrict shows it */
	assert_string_equal(s.name[3], long_name);
	assert_string_equal(s.module[3], "bpf");
	/* the last line has no newline */
	assert_string_equal(s.name[4], "trans_devid_free.cold");
	assert_string_equal(s.module[4], "tdvsim");
}

static void test_kallsyms_stop(void **state)
{
	char path[] = "/tmp/test_kallsyms.XXXXXX";
	struct seen s = { .stop_at = 2 };

	write_file(path, "1 T a\n2 T b\n3 T c\n");
	assert_int_equal(tdv_kallsyms_each(path, collect, &s), 7);
	unlink(path);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.name[1], "b");
}

static void test_kallsyms_unreadable(void **state)
{
	struct seen s = {};

	assert_int_equal(tdv_kallsyms_each("/nonexistent/kallsyms", collect, &s), -ENOENT);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms_fields),
		cmocka_unit_test(test_kallsyms_stop),
		cmocka_unit_test(test_kallsyms_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
