/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this kernel offers tdvtrace besides its symbols: a kprobe PMU to
 * attach kprobes with, and data symbols in /proc/kallsyms (discovery finds
 * amd_iommu_pci_seg_list there). Every path is read under tdv_sysroot, so
 * unit tests can point it at a fake /proc and /sys.
 */
#ifndef TDV_KERNEL_CAPS_H
#define TDV_KERNEL_CAPS_H

#include <stdbool.h>

/* Prefix of every /proc and /sys path read; "" (the default) is the host. */
extern const char *tdv_sysroot;

/*
 * @abs (an absolute path) under tdv_sysroot. The result is @abs itself or
 * one of a few rotating static buffers: use it before the fourth next call.
 */
const char *tdv_root_path(const char *abs);

/*
 * Whether perf has a kprobe PMU (/sys/bus/event_source/devices/kprobe):
 * what libbpf attaches kprobes through. Kernels without CONFIG_KPROBE_EVENTS
 * have none.
 */
bool tdv_have_kprobe_pmu(void);

/* Why /proc/kallsyms cannot give a data symbol's address. */
enum tdv_kallsyms_data {
	TDV_KSYM_DATA_OK,	  /* vmlinux data symbols are listed, with addresses */
	TDV_KSYM_DATA_NONE,	  /* none listed: CONFIG_KALLSYMS_ALL is off */
	TDV_KSYM_DATA_HIDDEN,	  /* listed with address 0: kptr_restrict */
	TDV_KSYM_DATA_UNREADABLE, /* /proc/kallsyms cannot be read */
};

enum tdv_kallsyms_data tdv_kallsyms_data_state(void);

/* One phrase for @state (not TDV_KSYM_DATA_OK), for "could not look: ...". */
const char *tdv_kallsyms_data_why(enum tdv_kallsyms_data state);

struct tdv_probe_set;

/*
 * No kprobe PMU: every probe that would attach as a kprobe is missing
 * instead, saying why (fentry and tracepoints are unaffected).
 */
void tdv_probes_drop_kprobes(struct tdv_probe_set *set);

#endif /* TDV_KERNEL_CAPS_H */
