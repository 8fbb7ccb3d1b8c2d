/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records shared by the BPF programs and the loader.
 *
 * Every record in the ring buffer is a struct tdv_event. Fields that do not
 * apply to an event kind are zero and their TDV_F_* bit is clear, so a
 * consumer never mistakes "unknown" for "0".
 */
#ifndef TDVTRACE_H
#define TDVTRACE_H

#ifndef __bpf__
#include <stdbool.h> /* vmlinux.h has bool for the BPF side */
#endif

#define TDV_COMM_LEN 16

/* Event kinds, one per probe point of SPEC.md. Values are stable. */
enum tdv_event_kind {
	TDV_EV_GET = 1,	       /* amd_iommu_get_trans_devid_by_kvmfd returned */
	TDV_EV_PUT,	       /* amd_iommu_free_trans_devid_by_kvmfd returned */
	TDV_EV_ID_ALLOC,       /* trans_devid_alloc returned (ret = id or -errno) */
	TDV_EV_ID_FREE,	       /* trans_devid_free entered */
	TDV_EV_RESERVE,	       /* amd_iommu_trans_devid_reserve returned */
	TDV_EV_DTE_SET,	       /* amd_iommu_set_translate_dte entered */
	TDV_EV_DTE_CLEAR,      /* amd_iommu_clear_translate_dte entered */
	TDV_EV_VFCTRL,	       /* amd_iommu_update_vfctrl_mmio_translate_devid */
	TDV_EV_VIOMMU_INIT,    /* amd_iommufd_viommu_init returned */
	TDV_EV_VIOMMU_DESTROY, /* amd_iommufd_viommu_destroy returned */
	TDV_EV_VIOMMU_UNINIT,  /* amd_viommu_uninit_one entered */
	TDV_EV_SEG_FINI,       /* amd_iommu_pci_seg_trans_devid_fini entered */
	TDV_EV_VM_DESTROY,     /* kvm_destroy_vm entered */
	TDV_EV_PROC_EXIT,      /* sched_process_exit of a VMM that took a ref */
	TDV_EV_MAX,
};

/* Which optional fields of struct tdv_event are meaningful. */
enum tdv_field {
	TDV_F_SEG = 1 << 0,
	TDV_F_KVMFD = 1 << 1,
	TDV_F_VM = 1 << 2,
	TDV_F_TRANS_DEVID = 1 << 3,
	TDV_F_REFS = 1 << 4,
	TDV_F_GID = 1 << 5,
	TDV_F_IOMMU = 1 << 6,
	TDV_F_RET = 1 << 7,
	TDV_F_LAT = 1 << 8,
	TDV_F_GEN = 1 << 9,
	TDV_F_STACKS = 1 << 10, /* kstack, ustack (get, with --stacks) */
	TDV_F_NEW = 1 << 11,	/* get: made a fresh entry, allocating its id */
};

#define TDV_F_ALL ((TDV_F_NEW << 1) - 1)

struct tdv_event {
	__u64 ts_ns;  /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 vm;     /* struct kvm * the caller's fd table maps kvmfd to */
	__u64 lat_ns; /* entry to return */
	__u32 kind;   /* enum tdv_event_kind */
	__u32 fields; /* enum tdv_field bits */
	__u32 cpu;
	__u32 pid;  /* thread id */
	__u32 tgid; /* process id */
	__u32 kvmfd;
	__s32 ret;	   /* return value; for ID_ALLOC the id or -errno */
	__u32 refs;	   /* kernel refcount after the operation, 0 = no entry */
	__u32 gen;	   /* generation of the (seg, kvmfd) entry */
	__u16 seg;	   /* pci_seg->id */
	__u16 trans_devid; /* for RESERVE: the id asked for */
	__u16 gid;	   /* guest (vIOMMU) id */
	__u16 iommu;	   /* the IOMMU's own PCI devid */
	__s32 kstack;	   /* id in the "stacks" map, or -errno */
	__s32 ustack;	   /* id of the caller's user stack, or -errno */
	char comm[TDV_COMM_LEN];
};

#define TDV_STACK_DEPTH 127 /* PERF_MAX_STACK_DEPTH */

/* Loss counters, one slot per event kind (percpu array). */
struct tdv_counters {
	__u64 drops; /* events the ring buffer had no room for */
};

/* BPF map "gens": generation of each (seg, kvmfd), +1 per fresh entry. */
struct tdv_entry_key {
	__u32 seg;
	__u32 kvmfd;
};

struct tdv_entry_val {
	__u32 gen;
	__u16 trans_devid;
	__u64 vm;
};

/* BPF map "owners": the live entry each (seg, trans_devid) belongs to. */
struct tdv_owner_key {
	__u32 seg;
	__u32 trans_devid;
};

struct tdv_owner_val {
	__u32 kvmfd;
	__u32 gen;
	__u64 vm;
};

/*
 * Records of the discovery iterator (discover.bpf.c), which tdvtrace runs
 * once at start so entries that predate it are known with their true refs.
 */
enum tdv_found_kind {
	TDV_FOUND_ENTRY = 1, /* a kvmfd_xa entry: seg, kvmfd, trans_devid, refs */
	TDV_FOUND_VM_FD,     /* a process's fd on a VM: tgid, kvmfd = fd, vm, comm */
	TDV_FOUND_SEG,	     /* a segment: seg (even when it has no entries) */
};

struct tdv_found {
	__u32 kind; /* enum tdv_found_kind */
	__u32 tgid;
	__u32 kvmfd;
	__u32 refs;
	__u64 vm;
	__u16 seg;
	__u16 trans_devid;
	__u32 pad;
	char comm[TDV_COMM_LEN];
};

/*
 * Histograms of `tdvtrace hist` (hist.bpf.c): per-CPU log2 latency buckets
 * keyed by function, segment and variant, summed by userspace.
 */
enum tdv_hist_func {
	TDV_H_GET,
	TDV_H_PUT,
	TDV_H_ID_ALLOC,
	TDV_H_VIOMMU_INIT,
	TDV_H_VIOMMU_DESTROY,
	TDV_H_DTE_SET,
	TDV_H_DTE_CLEAR,
	TDV_H_FUNCS,
};

/* Variants of get: what the call did. */
enum tdv_hist_outcome {
	TDV_H_NEW,    /* allocated a fresh trans_devid */
	TDV_H_SHARED, /* took another ref on an existing entry */
	TDV_H_FAILED, /* returned an error */
};

/*
 * Log2 buckets as bcc prints them: slot 0 holds 0 and 1, slot k > 0 holds
 * 2^k .. 2^(k+1) - 1; the last slot also takes everything above.
 */
#define TDV_HIST_SLOTS 32

/*
 * Variants of id_alloc: the log2 slot of the ids its scan passed before it
 * found a free one (the allocator walks down from 0xffff, so that is its
 * cost, and the pool's occupancy above the id); TDV_H_OCC_FULL when it
 * found all 65536 ids taken (-ENOSPC).
 */
#define TDV_H_OCC_FULL 16
#define TDV_H_OCC_ERROR 17 /* another error: how far it scanned is unknown */

/*
 * Does @e pass the filters (tgid 0, seg and kvmfd -1: any)? An event
 * without the field does not pass its filter. The BPF programs filter with
 * it, userspace filters recorded events with it.
 */
static inline __attribute__((always_inline)) bool
tdv_filter_pass(__u32 tgid, __s32 seg, __s64 kvmfd, const struct tdv_event *e)
{
	if (tgid && e->tgid != tgid)
		return false;
	if (seg >= 0 && (!(e->fields & TDV_F_SEG) || e->seg != seg))
		return false;
	if (kvmfd >= 0 && (!(e->fields & TDV_F_KVMFD) || e->kvmfd != kvmfd))
		return false;
	return true;
}

/* Shared by the BPF programs and userspace, which bins recorded events. */
static inline __attribute__((always_inline)) __u32 tdv_hist_slot(__u64 v)
{
	__u32 slot = 0;

	while (v > 1 && slot < TDV_HIST_SLOTS - 1) {
		v >>= 1;
		slot++;
	}
	return slot;
}

/* id_alloc's variant from its return: the id found, or -errno. */
static inline __attribute__((always_inline)) __u32 tdv_hist_occupancy(int ret)
{
	if (ret == -28) /* -ENOSPC: the scan passed every id */
		return TDV_H_OCC_FULL;
	if (ret < 0)
		return TDV_H_OCC_ERROR;
	return tdv_hist_slot(0xffff - ret); /* ids 0xffff .. ret + 1 were taken */
}

struct tdv_hist_key {
	__u8 func;    /* enum tdv_hist_func */
	__u8 variant; /* enum tdv_hist_outcome, occupancy class, or 0 */
	__u16 seg;
};

struct tdv_hist_val {
	__u64 slots[TDV_HIST_SLOTS]; /* calls per log2 slot of latency in units */
	__u64 count;
	__u64 sum_ns;
};

/* kvmfd numbers the discovery probes in each segment's kvmfd_xa. */
#define TDV_DISCOVER_MAX_FD 4096
#define TDV_DISCOVER_MAX_SEGS 64

#endif /* TDVTRACE_H */
