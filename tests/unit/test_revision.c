// SPDX-License-Identifier: GPL-2.0
/*
 * Telling the revisions of the trans_devid series apart from kallsyms, where
 * the driver is, and the one line said for each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "revision.h"

#define SUPPORTED                                                                                  \
	"tdvtrace traces only the per-VM trans_devid keyed by kvmfd "                              \
	"(amd_iommu_get_trans_devid_by_kvmfd/amd_iommu_free_trans_devid_by_kvmfd, "                \
	"[PATCH v2 21/26] iommu/amd: Map kvmfd to shared translate device ID for vIOMMU)"

/* Detect from @text written to a kallsyms file. */
static void detect(const char *text, struct tdv_revision *rev)
{
	char path[] = "/tmp/test_revision.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(tdv_revision_detect(path, rev), 0);
	unlink(path);
}

static void explain(const struct tdv_revision *rev, char *buf, size_t len)
{
	tdv_revision_explain(rev, "amd_iommu_get_trans_devid_by_kvmfd (gone)", buf, len);
}

static void test_supported_in_module(void **state)
{
	struct tdv_revision rev;

	detect("ffffffffc0001000 t amd_iommu_get_trans_devid_by_kvmfd\t[tdvsim]\n"
	       "ffffffffc0002000 t amd_iommu_free_trans_devid_by_kvmfd\t[tdvsim]\n"
	       "ffffffffc0003000 t amd_iommu_trans_devid_reserve\t[tdvsim]\n",
	       &rev);
	assert_int_equal(rev.kind, TDV_REV_KVMFD);
	assert_int_equal(rev.place, TDV_DRIVER_MODULE);
	assert_string_equal(rev.module, "tdvsim");
	assert_string_equal(
		rev.evidence,
		"amd_iommu_get_trans_devid_by_kvmfd, amd_iommu_free_trans_devid_by_kvmfd");
}

static void test_per_viommu_builtin(void **state)
{
	struct tdv_revision rev;
	char line[1024];

	detect("ffffffff81001000 T amd_iommu_probe_device\n"
	       "ffffffff81002000 T amd_iommu_trans_devid_alloc\n"
	       "ffffffff81003000 T amd_iommu_trans_devid_free\n"
	       "ffffffff81004000 T amd_iommufd_viommu_init\n"
	       "ffffffffc0001000 t kvm_destroy_vm\t[kvm]\n",
	       &rev);
	assert_int_equal(rev.kind, TDV_REV_PER_VIOMMU);
	assert_int_equal(rev.place, TDV_DRIVER_BUILTIN);
	explain(&rev, line, sizeof(line));
	/* Built in: no module named, none to load. */
	assert_string_equal(line, "this kernel carries another revision of the trans_devid series, "
				  "per-vIOMMU trans_devid (amd_iommu_trans_devid_alloc, "
				  "amd_iommu_trans_devid_free, built into the kernel), which "
				  "tdvtrace does not support; " SUPPORTED);
	assert_null(strstr(line, "load"));
}

static void test_relocate_by_clone(void **state)
{
	struct tdv_revision rev;

	/* The compiler specialised the static relocate: its clone still tells. */
	detect("ffffffff81002000 T amd_iommu_trans_devid_alloc\n"
	       "ffffffff81003000 T amd_iommu_trans_devid_free\n"
	       "ffffffff81005000 t trans_devid_relocate.isra.0\n",
	       &rev);
	assert_int_equal(rev.kind, TDV_REV_RELOCATE);
	assert_string_equal(rev.evidence,
			    "amd_iommu_trans_devid_alloc, amd_iommu_trans_devid_free, "
			    "trans_devid_relocate");
	assert_string_equal(tdv_revision_name(rev.kind), "per-vIOMMU trans_devid with relocation");
}

static void test_vmm_supplied(void **state)
{
	struct tdv_revision rev;
	char line[1024];

	detect("ffffffffc0001000 t amd_iommu_trans_devid_reserve\t[tdvrev_vmm]\n"
	       "ffffffffc0002000 t amd_iommu_set_translate_dte\t[tdvrev_vmm]\n"
	       "ffffffffc0003000 t amd_iommufd_viommu_init\t[tdvrev_vmm]\n",
	       &rev);
	assert_int_equal(rev.kind, TDV_REV_VMM_SUPPLIED);
	assert_int_equal(rev.place, TDV_DRIVER_MODULE);
	explain(&rev, line, sizeof(line));
	assert_string_equal(line, "this kernel carries another revision of the trans_devid series, "
				  "VMM-supplied trans_devid (amd_iommufd_viommu_init, "
				  "amd_iommu_set_translate_dte, in module tdvrev_vmm), which "
				  "tdvtrace does not support; " SUPPORTED);
}

static void test_unknown_revision(void **state)
{
	struct tdv_revision rev;

	/* Only the get: neither the supported pair nor another revision. */
	detect("ffffffff81001000 T amd_iommu_get_trans_devid_by_kvmfd\n"
	       "ffffffff81002000 T amd_iommu_trans_devid_reserve\n",
	       &rev);
	assert_int_equal(rev.kind, TDV_REV_UNKNOWN);
	assert_string_equal(rev.evidence,
			    "amd_iommu_get_trans_devid_by_kvmfd, amd_iommu_trans_devid_reserve");
}

static void test_data_and_prefixes_do_not_count(void **state)
{
	struct tdv_revision rev;

	/* A data symbol, and a longer name sharing a marker's prefix. */
	detect("ffffffff82001000 D amd_iommu_trans_devid_alloc\n"
	       "ffffffff81001000 T amd_iommufd_viommu_init_one\n",
	       &rev);
	assert_int_equal(rev.kind, TDV_REV_NONE);
	assert_int_equal(rev.place, TDV_DRIVER_ABSENT);
}

static void test_no_patch(void **state)
{
	struct tdv_revision rev;
	char line[1024];

	detect("ffffffff81001000 T amd_iommu_probe_device\n", &rev);
	assert_int_equal(rev.kind, TDV_REV_NONE);
	assert_int_equal(rev.place, TDV_DRIVER_BUILTIN);
	explain(&rev, line, sizeof(line));
	assert_string_equal(line, "this kernel lacks the trans_devid patch: missing "
				  "amd_iommu_get_trans_devid_by_kvmfd (gone); its AMD IOMMU driver "
				  "is built in without it: boot a kernel built with the patch");

	detect("ffffffff81001000 T _stext\n"
	       "ffffffffc0001000 t amd_iommu_bind_pasid\t[amd_iommu_v2]\n",
	       &rev);
	assert_int_equal(rev.place, TDV_DRIVER_ABSENT);
	explain(&rev, line, sizeof(line));
	assert_string_equal(line, "this kernel lacks the trans_devid patch: missing "
				  "amd_iommu_get_trans_devid_by_kvmfd (gone); it has no AMD IOMMU "
				  "driver (CONFIG_AMD_IOMMU is off): tdvtrace needs a kernel built "
				  "with the driver and the patch (its own tests load the tdvsim "
				  "simulator module instead)");
}

static void test_patch_there_attach_not(void **state)
{
	struct tdv_revision rev;
	char line[256];

	detect("ffffffff81001000 T amd_iommu_get_trans_devid_by_kvmfd\n"
	       "ffffffff81002000 T amd_iommu_free_trans_devid_by_kvmfd\n",
	       &rev);
	assert_int_equal(rev.place, TDV_DRIVER_BUILTIN);
	explain(&rev, line, sizeof(line));
	assert_string_equal(line, "cannot attach the required probes: missing "
				  "amd_iommu_get_trans_devid_by_kvmfd (gone)");
}

static void test_unreadable(void **state)
{
	struct tdv_revision rev;

	assert_int_equal(tdv_revision_detect("/nonexistent/kallsyms", &rev), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supported_in_module),
		cmocka_unit_test(test_per_viommu_builtin),
		cmocka_unit_test(test_relocate_by_clone),
		cmocka_unit_test(test_vmm_supplied),
		cmocka_unit_test(test_unknown_revision),
		cmocka_unit_test(test_data_and_prefixes_do_not_count),
		cmocka_unit_test(test_no_patch),
		cmocka_unit_test(test_patch_there_attach_not),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
