// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kallsyms.h"
#include "kernel_caps.h"
#include "probes.h"

#define TDV_KPROBE_PMU "/sys/bus/event_source/devices/kprobe/type"

const char *tdv_sysroot = "";

const char *tdv_root_path(const char *abs)
{
	static char buf[4][512];
	static unsigned int next;
	char *out;

	if (!tdv_sysroot[0])
		return abs;
	out = buf[next++ % 4];
	snprintf(out, sizeof(buf[0]), "%s%s", tdv_sysroot, abs);
	return out;
}

bool tdv_have_kprobe_pmu(void)
{
	return !access(tdv_root_path(TDV_KPROBE_PMU), R_OK);
}

struct data_scan {
	bool listed;
	bool addressed;
};

/* Module symbols list their data whatever the config: look at vmlinux only. */
static int scan_data(void *ctx, const struct tdv_ksym *k)
{
	struct data_scan *scan = ctx;

	if (k->module[0] || !strchr("dDbB", k->type))
		return 0;
	scan->listed = true;
	scan->addressed = k->addr != 0;
	return 1;
}

enum tdv_kallsyms_data tdv_kallsyms_data_state(void)
{
	struct data_scan scan = {};
	int err = tdv_kallsyms_each(TDV_KALLSYMS, scan_data, &scan);

	if (err < 0)
		return TDV_KSYM_DATA_UNREADABLE;
	if (!scan.listed)
		return TDV_KSYM_DATA_NONE;
	return scan.addressed ? TDV_KSYM_DATA_OK : TDV_KSYM_DATA_HIDDEN;
}

const char *tdv_kallsyms_data_why(enum tdv_kallsyms_data state)
{
	switch (state) {
	case TDV_KSYM_DATA_NONE:
		return "/proc/kallsyms lists no data symbols of the kernel "
		       "(CONFIG_KALLSYMS_ALL is off), so amd_iommu_pci_seg_list "
		       "cannot be found";
	case TDV_KSYM_DATA_HIDDEN:
		return "/proc/kallsyms hides addresses (kernel.kptr_restrict), "
		       "so amd_iommu_pci_seg_list cannot be found";
	case TDV_KSYM_DATA_UNREADABLE:
		return "/proc/kallsyms cannot be read";
	case TDV_KSYM_DATA_OK:
		break;
	}
	return "amd_iommu_pci_seg_list is not in /proc/kallsyms";
}

void tdv_probes_drop_kprobes(struct tdv_probe_set *set)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &set->probe[i];
		char module[sizeof(p->module)];

		if (p->how != TDV_HOW_KPROBE)
			continue;
		memcpy(module, p->module, sizeof(module)); /* why and module share @p */
		p->how = TDV_HOW_MISSING;
		snprintf(p->why, sizeof(p->why),
			 "no BTF for it in %s, and no kprobe PMU to attach a kprobe "
			 "(CONFIG_KPROBE_EVENTS is off)",
			 module);
	}
}
