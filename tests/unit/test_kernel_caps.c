// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel offers, read under a fake root: the kprobe PMU, data
 * symbols in kallsyms, and probes that lose kprobe as their way in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "kernel_caps.h"
#include "probes.h"

static char root[] = "/tmp/test_kernel_caps.XXXXXX";

/* Write @text to @rel under the fake root, making its folders. */
static void write_under_root(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (char *slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* One fake root for the group; each test starts from what it writes. */
static int setup(void **state)
{
	if (!mkdtemp(root))
		return -1;
	tdv_sysroot = root;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	tdv_sysroot = "";
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_root_path(void **state)
{
	char want[512];

	snprintf(want, sizeof(want), "%s/proc/kallsyms", root);
	assert_string_equal(tdv_root_path("/proc/kallsyms"), want);
	tdv_sysroot = "";
	assert_string_equal(tdv_root_path("/proc/kallsyms"), "/proc/kallsyms");
	tdv_sysroot = root;
}

static void test_kprobe_pmu(void **state)
{
	assert_false(tdv_have_kprobe_pmu());
	write_under_root("/sys/bus/event_source/devices/kprobe/type", "6\n");
	assert_true(tdv_have_kprobe_pmu());
}

static void test_kallsyms_data(void **state)
{
	assert_int_equal(tdv_kallsyms_data_state(), TDV_KSYM_DATA_UNREADABLE);
	/* Text only, and a module's data, which modules list in any config. */
	write_under_root("/proc/kallsyms", "ffffffff81000000 T _stext\n"
					   "ffffffffc0001000 d amd_iommu_pci_seg_list\t[tdvsim]\n");
	assert_int_equal(tdv_kallsyms_data_state(), TDV_KSYM_DATA_NONE);
	assert_string_equal(tdv_kallsyms_data_why(TDV_KSYM_DATA_NONE),
			    "/proc/kallsyms lists no data symbols of the kernel "
			    "(CONFIG_KALLSYMS_ALL is off), so amd_iommu_pci_seg_list "
			    "cannot be found");
	write_under_root("/proc/kallsyms", "0000000000000000 T _stext\n"
					   "0000000000000000 D jiffies\n");
	assert_int_equal(tdv_kallsyms_data_state(), TDV_KSYM_DATA_HIDDEN);
	write_under_root("/proc/kallsyms", "ffffffff81000000 T _stext\n"
					   "ffffffff82000000 D jiffies\n");
	assert_int_equal(tdv_kallsyms_data_state(), TDV_KSYM_DATA_OK);
}

static void test_drop_kprobes(void **state)
{
	struct tdv_probe_set set = {};
	struct tdv_probe *get = tdv_probe_of(&set, TDV_EV_GET);
	struct tdv_probe *put = tdv_probe_of(&set, TDV_EV_PUT);
	struct tdv_probe *exit = tdv_probe_of(&set, TDV_EV_PROC_EXIT);

	get->how = TDV_HOW_FENTRY;
	put->how = TDV_HOW_KPROBE;
	snprintf(put->module, sizeof(put->module), "amd_iommu_sim");
	snprintf(put->why, sizeof(put->why), "no BTF for it in amd_iommu_sim: kprobe");
	exit->how = TDV_HOW_TRACEPOINT;
	tdv_probes_drop_kprobes(&set);
	assert_int_equal(get->how, TDV_HOW_FENTRY);
	assert_int_equal(exit->how, TDV_HOW_TRACEPOINT);
	assert_int_equal(put->how, TDV_HOW_MISSING);
	assert_string_equal(put->why, "no BTF for it in amd_iommu_sim, and no kprobe PMU to attach "
				      "a kprobe (CONFIG_KPROBE_EVENTS is off)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_path),
		cmocka_unit_test(test_kprobe_pmu),
		cmocka_unit_test(test_kallsyms_data),
		cmocka_unit_test(test_drop_kprobes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
