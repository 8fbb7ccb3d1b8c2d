// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btf_check.h"

#define SEG "struct amd_iommu_pci_seg *"
#define IOMMU "struct amd_iommu *"
#define NOT_SUPPORTED "another revision of the trans_devid series, which tdvtrace does not support"

/* The functions as the trans_devid patch (and KVM) define them. */
static const struct tdv_proto protos[TDV_EV_MAX] = {
	[TDV_EV_GET] = { "s32", 3, { SEG, "u32", "u16 *" } },
	[TDV_EV_PUT] = { NULL, 2, { SEG, "u32" } },
	[TDV_EV_ID_ALLOC] = { "s32", 1, { SEG } },
	[TDV_EV_ID_FREE] = { NULL, 2, { SEG, "u16" } },
	[TDV_EV_RESERVE] = { "s32", 2, { SEG, "u16" } },
	[TDV_EV_DTE_SET] = { NULL, 4, { IOMMU, "u16", "struct protection_domain *", "u16" } },
	[TDV_EV_DTE_CLEAR] = { NULL, 3, { IOMMU, "u16", "u16" } },
	[TDV_EV_VFCTRL] = { NULL, 3, { IOMMU, "u16", "u16" } },
	[TDV_EV_VIOMMU_INIT] = { "s32",
				 3,
				 { "struct iommufd_viommu *", "struct iommu_domain *",
				   "struct iommu_user_data *" } },
	[TDV_EV_VIOMMU_DESTROY] = { NULL, 1, { "struct iommufd_viommu *" } },
	[TDV_EV_VIOMMU_UNINIT] = { NULL, 2, { IOMMU, "struct amd_iommu_viommu *" } },
	[TDV_EV_SEG_FINI] = { NULL, 1, { SEG } },
	[TDV_EV_VM_DESTROY] = { NULL, 1, { "struct kvm *" } },
};

_Static_assert(TDV_EV_PROC_EXIT == TDV_EV_MAX - 1, "a new probe needs its prototype here");

/* What a field read by the programs must be. */
enum field_shape {
	FIELD_INT,    /* integer, enum or bitfield: read with its own size */
	FIELD_PTR,    /* a pointer followed */
	FIELD_STRUCT, /* embedded: read inside, or its offset used */
};

struct field_use {
	const char *type; /* struct name */
	const char *field;
	enum field_shape shape;
};

/* Every field bpf/amd_iommu.bpf.h declares (and so the programs may read). */
static const struct field_use fields[] = {
	{ "amd_iommu_pci_seg", "list", FIELD_STRUCT },
	{ "amd_iommu_pci_seg", "id", FIELD_INT },
	{ "amd_iommu_pci_seg", "trans_devid_xa", FIELD_STRUCT },
	{ "amd_iommu_pci_seg", "kvmfd_xa", FIELD_STRUCT },
	{ "amd_iommu", "iommu", FIELD_STRUCT },
	{ "amd_iommu", "devid", FIELD_INT },
	{ "amd_iommu", "pci_seg", FIELD_PTR },
	{ "amd_iommu_kvmfd_trans_entry", "refs", FIELD_STRUCT },
	{ "amd_iommu_kvmfd_trans_entry", "trans_devid", FIELD_INT },
	{ "iommufd_viommu", "iommu_dev", FIELD_PTR },
	{ "amd_iommu_viommu", "core", FIELD_STRUCT },
	{ "amd_iommu_viommu", "gid", FIELD_INT },
	{ "amd_iommu_viommu", "kvmfd", FIELD_INT },
	{ "amd_iommu_viommu", "trans_devid", FIELD_INT },
};

const struct tdv_proto *tdv_probe_proto(enum tdv_event_kind kind)
{
	if (kind <= TDV_EV_NONE || kind >= TDV_EV_MAX || !protos[kind].nparams)
		return NULL;
	return &protos[kind];
}

/* Typedefs and qualifiers away: the type the bytes are. */
static const struct btf_type *resolve(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

void tdv_btf_shape(const struct btf *btf, __u32 id, char *buf, size_t len)
{
	const struct btf_type *t = id ? resolve(btf, &id) : NULL;
	const char *name;

	if (!id) {
		snprintf(buf, len, "void");
		return;
	}
	if (!t) {
		snprintf(buf, len, "?");
		return;
	}
	name = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			snprintf(buf, len, "bool");
		else
			snprintf(buf, len, "%c%u", btf_int_encoding(t) & BTF_INT_SIGNED ? 's' : 'u',
				 t->size * 8);
		break;
	case BTF_KIND_PTR: {
		char target[128];

		tdv_btf_shape(btf, t->type, target, sizeof(target));
		snprintf(buf, len, "%s%s*", target, target[strlen(target) - 1] == '*' ? "" : " ");
		break;
	}
	case BTF_KIND_STRUCT:
		snprintf(buf, len, "struct %s", name);
		break;
	case BTF_KIND_UNION:
		snprintf(buf, len, "union %s", name);
		break;
	case BTF_KIND_FWD:
		snprintf(buf, len, "%s %s", btf_kflag(t) ? "union" : "struct", name);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		snprintf(buf, len, "enum %s", name);
		break;
	case BTF_KIND_FUNC_PROTO:
		snprintf(buf, len, "function");
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

/* "(a, b, c)" */
static void join(char *buf, size_t len, int n, const char *const *items)
{
	size_t used = snprintf(buf, len, "(");

	for (int i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", items[i]);
	if (used < len)
		snprintf(buf + used, len - used, ")");
}

int tdv_btf_check_func(const struct btf *btf, const char *symbol, const struct tdv_proto *want,
		       char *why, size_t len)
{
	char shape[TDV_PROTO_MAX_PARAMS][128], ret[128], have[512], expect[512];
	const char *have_items[TDV_PROTO_MAX_PARAMS];
	const struct btf_type *func, *proto;
	const struct btf_param *params;
	__s32 id = btf__find_by_name_kind(btf, symbol, BTF_KIND_FUNC);
	int n;
	bool same;

	if (id <= 0)
		return -ENOENT;
	func = btf__type_by_id(btf, id);
	proto = btf__type_by_id(btf, func->type);
	if (!proto || !btf_is_func_proto(proto))
		return -ENOENT;
	n = btf_vlen(proto);
	params = btf_params(proto);
	same = n == want->nparams;
	for (int i = 0; i < n && i < TDV_PROTO_MAX_PARAMS; i++) {
		tdv_btf_shape(btf, params[i].type, shape[i], sizeof(shape[i]));
		have_items[i] = shape[i];
		if (i < want->nparams && strcmp(shape[i], want->param[i]))
			same = false;
	}
	tdv_btf_shape(btf, proto->type, ret, sizeof(ret));
	if (want->ret && strcmp(ret, want->ret)) {
		snprintf(why, len, "%s returns %s; tdvtrace reads a %s", symbol, ret, want->ret);
		return 1;
	}
	if (same)
		return 0;
	join(have, sizeof(have), n < TDV_PROTO_MAX_PARAMS ? n : TDV_PROTO_MAX_PARAMS, have_items);
	join(expect, sizeof(expect), want->nparams, want->param);
	snprintf(why, len, "%s takes %s; tdvtrace expects %s", symbol, have, expect);
	return 1;
}

/* The member @name of struct @t, NULL if none (anonymous members searched too). */
static const struct btf_member *find_member(const struct btf *btf, const struct btf_type *t,
					    const char *name, int depth)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 id = m->type;
		const struct btf_type *mt;

		if (mname && mname[0]) {
			if (!strcmp(mname, name))
				return m;
			continue;
		}
		mt = resolve(btf, &id);
		if (depth < 4 && mt && (btf_is_struct(mt) || btf_is_union(mt))) {
			const struct btf_member *inner = find_member(btf, mt, name, depth + 1);

			if (inner)
				return inner;
		}
	}
	return NULL;
}

static bool shape_ok(const struct btf *btf, const struct btf_member *m, enum field_shape want)
{
	__u32 id = m->type;
	const struct btf_type *t = resolve(btf, &id);

	if (!t)
		return false;
	switch (want) {
	case FIELD_INT:
		return btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t);
	case FIELD_PTR:
		return btf_is_ptr(t);
	case FIELD_STRUCT:
		return btf_is_struct(t) || btf_is_union(t);
	}
	return false;
}

int tdv_btf_check_fields(const struct btf *btf, char *why, size_t len)
{
	static const char *const shape_name[] = {
		[FIELD_INT] = "an integer",
		[FIELD_PTR] = "a pointer",
		[FIELD_STRUCT] = "a struct",
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field_use *f = &fields[i];
		__s32 id = btf__find_by_name_kind(btf, f->type, BTF_KIND_STRUCT);
		const struct btf_member *m;

		if (id <= 0) {
			snprintf(why, len, "struct %s is not in its BTF", f->type);
			return 1;
		}
		m = find_member(btf, btf__type_by_id(btf, id), f->field, 0);
		if (!m) {
			snprintf(why, len, "struct %s has no field %s", f->type, f->field);
			return 1;
		}
		if (!shape_ok(btf, m, f->shape)) {
			char shape[128];

			tdv_btf_shape(btf, m->type, shape, sizeof(shape));
			snprintf(why, len, "field %s of struct %s is %s; tdvtrace reads %s",
				 f->field, f->type, shape, shape_name[f->shape]);
			return 1;
		}
	}
	return 0;
}

/* Kernel BTF by module; most probes share the driver's module. */
struct btf_cache {
	struct btf *vmlinux;
	struct btf *module;
	char module_name[64];
};

static struct btf *btf_of(struct btf_cache *c, const char *module)
{
	if (!strcmp(module, "vmlinux"))
		return c->vmlinux;
	if (strcmp(c->module_name, module)) {
		btf__free(c->module);
		c->module = btf__load_module_btf(module, c->vmlinux);
		snprintf(c->module_name, sizeof(c->module_name), "%s", module);
	}
	return c->module;
}

static void place(const char *module, char *buf, size_t len)
{
	if (strcmp(module, "vmlinux"))
		snprintf(buf, len, "module %s", module);
	else
		snprintf(buf, len, "vmlinux");
}

int tdv_btf_check_probes(const struct tdv_probe_set *set, char *why, size_t len)
{
	struct btf_cache c = { .vmlinux = btf__load_vmlinux_btf() };
	const struct tdv_probe *get = &set->probe[TDV_EV_GET - 1];
	char what[256], where[96];
	int bad = 0;

	if (!c.vmlinux)
		return 0; /* preflight has said it: no kernel BTF */
	for (int i = 0; i < TDV_PROBE_COUNT && !bad; i++) {
		const struct tdv_probe *p = &set->probe[i];
		const struct tdv_proto *want = tdv_probe_proto(i + 1);
		struct btf *btf;

		if (!want || !p->module[0] || p->how == TDV_HOW_MISSING)
			continue;
		btf = btf_of(&c, p->module);
		if (!btf || tdv_btf_check_func(btf, p->symbol, want, what, sizeof(what)) != 1)
			continue;
		place(p->module, where, sizeof(where));
		snprintf(why, len, "%s: %s: " NOT_SUPPORTED, where, what);
		bad = 1;
	}
	if (!bad && get->module[0]) {
		struct btf *btf = btf_of(&c, get->module);

		if (btf && tdv_btf_check_fields(btf, what, sizeof(what))) {
			place(get->module, where, sizeof(where));
			snprintf(why, len, "%s: %s: " NOT_SUPPORTED, where, what);
			bad = 1;
		}
	}
	btf__free(c.module);
	btf__free(c.vmlinux);
	return bad;
}
