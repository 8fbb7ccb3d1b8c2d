// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "probes.h"

static const struct tdv_probe probe_table[TDV_PROBE_COUNT] = {
	{ "get", "amd_iommu_get_trans_devid_by_kvmfd", true, false },
	{ "put", "amd_iommu_free_trans_devid_by_kvmfd", true, false },
	{ "id_alloc", "trans_devid_alloc", false, true },
	{ "id_free", "trans_devid_free", false, true },
	{ "reserve", "amd_iommu_trans_devid_reserve", false, false },
	{ "dte_set", "amd_iommu_set_translate_dte", false, false },
	{ "dte_clear", "amd_iommu_clear_translate_dte", false, false },
	{ "vfctrl", "amd_iommu_update_vfctrl_mmio_translate_devid", false, false },
	{ "viommu_init", "amd_iommufd_viommu_init", false, false },
	{ "viommu_destroy", "amd_iommufd_viommu_destroy", false, true },
	{ "viommu_uninit", "amd_viommu_uninit_one", false, false },
	{ "seg_fini", "amd_iommu_pci_seg_trans_devid_fini", false, false },
	{ "vm_destroy", "kvm_destroy_vm", false, true },
	{ "proc_exit", "sched:sched_process_exit", false, false },
};

#define PROC_EXIT_INDEX (TDV_PROBE_COUNT - 1)

/* Format into a copy: the arguments may be other fields of the probe. */
static void set_why(struct tdv_probe *p, const char *fmt, ...)
{
	char why[sizeof(p->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	memcpy(p->why, why, sizeof(why));
}

const char *tdv_probe_how_name(enum tdv_probe_how how)
{
	static const char *const names[] = {
		[TDV_HOW_MISSING] = "missing",
		[TDV_HOW_FENTRY] = "fentry",
		[TDV_HOW_KPROBE] = "kprobe",
		[TDV_HOW_TRACEPOINT] = "tracepoint",
	};

	return names[how];
}

struct tdv_probe *tdv_probe_find(struct tdv_probe_set *set, const char *event)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++)
		if (!strcmp(set->probe[i].event, event))
			return &set->probe[i];
	return NULL;
}

/*
 * One pass over kallsyms: exact text symbols give the module; a "sym.xxx"
 * name means the compiler cloned or partly inlined it, which kprobes by name
 * and fentry cannot follow.
 */
static int scan_kallsyms(struct tdv_probe_set *set, bool found[])
{
	char line[512], name[128], mod[64], type;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int n;

		mod[0] = '\0';
		n = sscanf(line, "%*s %c %127s [%63[^]]]", &type, name, mod);
		if (n < 2 || (type != 't' && type != 'T'))
			continue;
		for (int i = 0; i < PROC_EXIT_INDEX; i++) {
			struct tdv_probe *p = &set->probe[i];
			size_t len = strlen(p->symbol);

			if (strncmp(name, p->symbol, len))
				continue;
			if (!name[len]) {
				found[i] = true;
				p->why[0] = '\0';
				snprintf(p->module, sizeof(p->module), "%s",
					 mod[0] ? mod : "vmlinux");
			} else if (name[len] == '.' && !found[i] && strcmp(name + len, ".cold")) {
				/* .cold is a split-off slow path, not a clone */
				set_why(p, "inlined or cloned by the compiler (only %s exists)",
					name);
			}
		}
	}
	fclose(f);
	return 0;
}

/* Kernel BTF by module; the probes of one driver share one module. */
struct btf_cache {
	struct btf *vmlinux;
	struct btf *module;
	char module_name[64];
};

static bool has_btf_func(struct btf_cache *c, const char *module, const char *symbol)
{
	struct btf *btf = c->vmlinux;

	if (!c->vmlinux)
		return false;
	if (strcmp(module, "vmlinux")) {
		if (strcmp(c->module_name, module)) {
			btf__free(c->module);
			c->module = btf__load_module_btf(module, c->vmlinux);
			snprintf(c->module_name, sizeof(c->module_name), "%s", module);
		}
		btf = c->module;
		if (!btf)
			return false;
	}
	return btf__find_by_name_kind(btf, symbol, BTF_KIND_FUNC) > 0;
}

int tdv_probes_detect(struct tdv_probe_set *set, enum tdv_attach_mode mode)
{
	bool found[TDV_PROBE_COUNT] = {};
	bool tracing_ok = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, NULL) > 0;
	struct btf_cache btfs = {};
	int err;

	memcpy(set->probe, probe_table, sizeof(probe_table));
	err = scan_kallsyms(set, found);
	if (err)
		return err;
	/* BTF is looked up in every mode: `probes` shows where fentry could go. */
	if (tracing_ok)
		btfs.vmlinux = btf__load_vmlinux_btf();

	for (int i = 0; i < PROC_EXIT_INDEX; i++) {
		struct tdv_probe *p = &set->probe[i];

		if (!found[i]) {
			p->how = TDV_HOW_MISSING;
			if (!p->why[0])
				set_why(p, "no such function in /proc/kallsyms%s",
					p->is_static ? " (static: inlined?)" : "");
			continue;
		}
		p->has_btf = has_btf_func(&btfs, p->module, p->symbol);
		switch (mode) {
		case TDV_ATTACH_KPROBE:
			p->how = TDV_HOW_KPROBE;
			break;
		case TDV_ATTACH_FENTRY:
			p->how = p->has_btf ? TDV_HOW_FENTRY : TDV_HOW_MISSING;
			if (!p->has_btf)
				set_why(p, "no BTF for it in %s%s: use --attach=kprobe", p->module,
					tracing_ok ? "" : " (and no BPF trampolines)");
			break;
		case TDV_ATTACH_AUTO:
			p->how = p->has_btf ? TDV_HOW_FENTRY : TDV_HOW_KPROBE;
			if (!p->has_btf)
				set_why(p, "no BTF for it in %s: kprobe", p->module);
			break;
		}
	}
	set->probe[PROC_EXIT_INDEX].how = TDV_HOW_TRACEPOINT;
	snprintf(set->probe[PROC_EXIT_INDEX].module, sizeof(set->probe[PROC_EXIT_INDEX].module),
		 "vmlinux");
	btf__free(btfs.module);
	btf__free(btfs.vmlinux);
	return 0;
}

void tdv_probes_use_kprobes(struct tdv_probe_set *set)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &set->probe[i];

		if (p->how == TDV_HOW_FENTRY) {
			p->how = TDV_HOW_KPROBE;
			set_why(p, "fentry failed to load: kprobe");
		}
	}
}

void tdv_probes_missing_required(const struct tdv_probe_set *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < TDV_PROBE_COUNT && used < len; i++) {
		const struct tdv_probe *p = &set->probe[i];

		if (!p->required || p->how != TDV_HOW_MISSING)
			continue;
		used += snprintf(buf + used, len - used, "%s%s (%s)", used ? ", " : "", p->symbol,
				 p->why);
	}
}
