// SPDX-License-Identifier: GPL-2.0
/*
 * The prototype and field checks against BTF built here: what matches
 * passes, and each change is named in one line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "btf_check.h"

/* The base types every test's BTF starts with. */
struct types {
	struct btf *btf;
	int s32, u16, u32, ptr_u16;
	int list_head, xarray, refcount, iommu_device, kvm;
	int seg, ptr_seg;
};

static int add_struct(struct btf *btf, const char *name, int size)
{
	int id = btf__add_struct(btf, name, size);

	assert_true(id > 0);
	return id;
}

static void add_field(struct btf *btf, const char *name, int type, int bit_offset)
{
	assert_int_equal(btf__add_field(btf, name, type, bit_offset, 0), 0);
}

static void base_types(struct types *t)
{
	struct btf *btf = btf__new_empty();
	int ushort, uint;

	assert_non_null(btf);
	t->btf = btf;
	t->s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ushort = btf__add_int(btf, "unsigned short", 2, 0);
	t->u16 = btf__add_typedef(btf, "u16", btf__add_typedef(btf, "__u16", ushort));
	uint = btf__add_int(btf, "unsigned int", 4, 0);
	t->u32 = btf__add_typedef(btf, "u32", uint);
	t->ptr_u16 = btf__add_ptr(btf, t->u16);
	t->list_head = add_struct(btf, "list_head", 16);
	t->xarray = add_struct(btf, "xarray", 16);
	t->refcount = add_struct(btf, "refcount_struct", 4);
	t->iommu_device = add_struct(btf, "iommu_device", 8);
	t->kvm = btf__add_fwd(btf, "kvm", BTF_FWD_STRUCT);
	t->seg = add_struct(btf, "amd_iommu_pci_seg", 64);
	add_field(btf, "list", t->list_head, 0);
	add_field(btf, "id", t->u16, 128);
	add_field(btf, "trans_devid_xa", t->xarray, 192);
	add_field(btf, "kvmfd_xa", t->xarray, 320);
	t->ptr_seg = btf__add_ptr(btf, t->seg);
}

/* FUNC @name returning @ret with @n parameters of types @params. */
static void add_func(struct btf *btf, const char *name, int ret, int n, const int *params)
{
	int proto = btf__add_func_proto(btf, ret);

	assert_true(proto > 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(btf__add_func_param(btf, "p", params[i]), 0);
	assert_true(btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto) > 0);
}

static const char *const get_symbol = "amd_iommu_get_trans_devid_by_kvmfd";

static void test_get_matches(void **state)
{
	struct types t;
	char why[512] = "";

	base_types(&t);
	add_func(t.btf, get_symbol, t.s32, 3, (int[]){ t.ptr_seg, t.u32, t.ptr_u16 });
	assert_int_equal(tdv_btf_check_func(t.btf, get_symbol, tdv_probe_proto(TDV_EV_GET), why,
					    sizeof(why)),
			 0);
	assert_string_equal(why, "");
	btf__free(t.btf);
}

static void test_get_extra_argument(void **state)
{
	struct types t;
	char why[512];

	base_types(&t);
	add_func(t.btf, get_symbol, t.s32, 4,
		 (int[]){ t.ptr_seg, t.u32, t.ptr_u16,
			  btf__add_int(t.btf, "_Bool", 1, BTF_INT_BOOL) });
	assert_int_equal(tdv_btf_check_func(t.btf, get_symbol, tdv_probe_proto(TDV_EV_GET), why,
					    sizeof(why)),
			 1);
	assert_string_equal(why,
			    "amd_iommu_get_trans_devid_by_kvmfd takes (struct amd_iommu_pci_seg "
			    "*, u32, u16 *, bool); tdvtrace expects (struct amd_iommu_pci_seg *, "
			    "u32, u16 *)");
	btf__free(t.btf);
}

static void test_get_changed_type(void **state)
{
	struct types t;
	char why[512];

	base_types(&t);
	/* Keyed by the VM rather than its fd number; a const pointer is still a pointer. */
	add_func(
		t.btf, get_symbol, t.s32, 3,
		(int[]){ btf__add_const(t.btf, t.ptr_seg), btf__add_ptr(t.btf, t.kvm), t.ptr_u16 });
	assert_int_equal(tdv_btf_check_func(t.btf, get_symbol, tdv_probe_proto(TDV_EV_GET), why,
					    sizeof(why)),
			 1);
	assert_string_equal(why,
			    "amd_iommu_get_trans_devid_by_kvmfd takes (struct amd_iommu_pci_seg "
			    "*, struct kvm *, u16 *); tdvtrace expects (struct "
			    "amd_iommu_pci_seg *, u32, u16 *)");
	btf__free(t.btf);
}

static void test_return_type(void **state)
{
	struct types t;
	char why[512];

	base_types(&t);
	/* void where the exit program reads an int */
	add_func(t.btf, get_symbol, 0, 3, (int[]){ t.ptr_seg, t.u32, t.ptr_u16 });
	assert_int_equal(tdv_btf_check_func(t.btf, get_symbol, tdv_probe_proto(TDV_EV_GET), why,
					    sizeof(why)),
			 1);
	assert_string_equal(why, "amd_iommu_get_trans_devid_by_kvmfd returns void; tdvtrace reads "
				 "a s32");
	/* The put's return is not read: an int there is no mismatch. */
	add_func(t.btf, "amd_iommu_free_trans_devid_by_kvmfd", t.s32, 2,
		 (int[]){ t.ptr_seg, t.u32 });
	assert_int_equal(tdv_btf_check_func(t.btf, "amd_iommu_free_trans_devid_by_kvmfd",
					    tdv_probe_proto(TDV_EV_PUT), why, sizeof(why)),
			 0);
	btf__free(t.btf);
}

static void test_no_such_func(void **state)
{
	struct types t;
	char why[64];

	base_types(&t);
	assert_int_equal(tdv_btf_check_func(t.btf, get_symbol, tdv_probe_proto(TDV_EV_GET), why,
					    sizeof(why)),
			 -ENOENT);
	assert_null(tdv_probe_proto(TDV_EV_PROC_EXIT)); /* a tracepoint */
	btf__free(t.btf);
}

/* The structs the programs read, as the patch has them; @refs_name renames refs. */
static void driver_structs(struct types *t, const char *refs_name, bool trans_devid_ptr)
{
	/* Fields go to the type added last: every other type comes first. */
	struct btf *btf = t->btf;
	int iommufd_viommu, in_union, ptr_iommu_device = btf__add_ptr(btf, t->iommu_device);

	add_struct(btf, "amd_iommu", 64);
	add_field(btf, "iommu", t->iommu_device, 0);
	add_field(btf, "devid", t->u16, 64);
	add_field(btf, "pci_seg", t->ptr_seg, 128);

	add_struct(btf, "amd_iommu_kvmfd_trans_entry", 8);
	add_field(btf, refs_name, t->refcount, 0);
	add_field(btf, "trans_devid", trans_devid_ptr ? t->ptr_u16 : t->u16, 32);

	iommufd_viommu = add_struct(btf, "iommufd_viommu", 8);
	add_field(btf, "iommu_dev", ptr_iommu_device, 0);

	/* gid and kvmfd inside an anonymous union: found all the same. */
	in_union = btf__add_union(btf, NULL, 4);
	add_field(btf, "gid", t->u16, 0);
	add_field(btf, "kvmfd", t->u32, 0);
	add_struct(btf, "amd_iommu_viommu", 32);
	add_field(btf, "core", iommufd_viommu, 0);
	add_field(btf, NULL, in_union, 64);
	add_field(btf, "trans_devid", t->u16, 96);
}

static void test_fields_match(void **state)
{
	struct types t;
	char why[256] = "";

	base_types(&t);
	driver_structs(&t, "refs", false);
	assert_int_equal(tdv_btf_check_fields(t.btf, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	btf__free(t.btf);
}

static void test_field_renamed(void **state)
{
	struct types t;
	char why[256];

	base_types(&t);
	driver_structs(&t, "users", false);
	assert_int_equal(tdv_btf_check_fields(t.btf, why, sizeof(why)), 1);
	assert_string_equal(why, "struct amd_iommu_kvmfd_trans_entry has no field refs");
	btf__free(t.btf);
}

static void test_field_changed_shape(void **state)
{
	struct types t;
	char why[256];

	base_types(&t);
	driver_structs(&t, "refs", true);
	assert_int_equal(tdv_btf_check_fields(t.btf, why, sizeof(why)), 1);
	assert_string_equal(why,
			    "field trans_devid of struct amd_iommu_kvmfd_trans_entry is u16 *; "
			    "tdvtrace reads an integer");
	btf__free(t.btf);
}

static void test_struct_missing(void **state)
{
	struct types t;
	char why[256];

	base_types(&t);
	assert_int_equal(tdv_btf_check_fields(t.btf, why, sizeof(why)), 1);
	assert_string_equal(why, "struct amd_iommu is not in its BTF");
	btf__free(t.btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_matches),	 cmocka_unit_test(test_get_extra_argument),
		cmocka_unit_test(test_get_changed_type), cmocka_unit_test(test_return_type),
		cmocka_unit_test(test_no_such_func),	 cmocka_unit_test(test_fields_match),
		cmocka_unit_test(test_field_renamed),	 cmocka_unit_test(test_field_changed_shape),
		cmocka_unit_test(test_struct_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
