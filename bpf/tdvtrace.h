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

/* What a probe point is to the loader (the flags column of TDV_PROBES). */
#define TDV_P_REQUIRED 1 /* tdvtrace is useless without it: get/put */
#define TDV_P_STATIC 2	 /* static in the driver: the compiler may inline it */

/*
 * The probe points of SPEC.md, one row each. The event kinds, their names,
 * the loader's probe table, the BPF programs and the loader's table of
 * them are all generated from this list, so a new event is one row here
 * plus its handlers.
 *
 * X(KIND, name, symbol, flags, events, hist, ret, params, args)
 *   KIND     enum tdv_event_kind TDV_EV_KIND, numbered from 1 in row order.
 *	      Recordings store the number: add rows at the end, never
 *	      reorder or remove one.
 *   name     the event's name, and the prefix of its BPF programs and
 *	      handlers
 *   symbol   the kernel function, or "category:name" of a tracepoint
 *   flags    TDV_P_* above, or 0
 *   events   programs of tdvtrace.bpf.c: ENTRY (fentry and kprobe calling
 *	      name_entry()), CALL (ENTRY, and fexit and kretprobe calling
 *	      name_exit()) or TRACEPOINT (its own program, name_tp)
 *   hist     programs of hist.bpf.c: NONE or CALL
 *   ret, params, args
 *	      the function's return type and parameters, and the parameters'
 *	      names: name_entry(ctx, args), name_exit(ctx, ret) or, when ret
 *	      is void, name_exit(ctx); unused for a tracepoint
 */
/* clang-format off */
#define TDV_PROBES(X)									\
	X(GET, get, "amd_iommu_get_trans_devid_by_kvmfd", TDV_P_REQUIRED,		\
	  CALL, CALL, int, (void *seg, u32 kvmfd, u16 *out), (seg, kvmfd, out))		\
	X(PUT, put, "amd_iommu_free_trans_devid_by_kvmfd", TDV_P_REQUIRED,		\
	  CALL, CALL, void, (void *seg, u32 kvmfd), (seg, kvmfd))			\
	X(ID_ALLOC, id_alloc, "trans_devid_alloc", TDV_P_STATIC,			\
	  CALL, CALL, int, (void *seg), (seg))						\
	X(ID_FREE, id_free, "trans_devid_free", TDV_P_STATIC,				\
	  ENTRY, NONE, void, (void *seg, u16 id), (seg, id))				\
	X(RESERVE, reserve, "amd_iommu_trans_devid_reserve", 0,				\
	  CALL, NONE, int, (void *seg, u16 id), (seg, id))				\
	X(DTE_SET, dte_set, "amd_iommu_set_translate_dte", 0,				\
	  ENTRY, CALL, void, (void *iommu, u16 gid, void *pdom, u16 devid),		\
	  (iommu, gid, pdom, devid))							\
	X(DTE_CLEAR, dte_clear, "amd_iommu_clear_translate_dte", 0,			\
	  ENTRY, CALL, void, (void *iommu, u16 gid, u16 devid), (iommu, gid, devid))	\
	X(VFCTRL, vfctrl, "amd_iommu_update_vfctrl_mmio_translate_devid", 0,		\
	  ENTRY, NONE, void, (void *iommu, u16 gid, u16 devid), (iommu, gid, devid))	\
	X(VIOMMU_INIT, viommu_init, "amd_iommufd_viommu_init", 0,			\
	  CALL, CALL, int, (void *viommu, void *parent, void *data),			\
	  (viommu, parent, data))							\
	X(VIOMMU_DESTROY, viommu_destroy, "amd_iommufd_viommu_destroy", TDV_P_STATIC,	\
	  CALL, CALL, void, (void *viommu), (viommu))					\
	X(VIOMMU_UNINIT, viommu_uninit, "amd_viommu_uninit_one", 0,			\
	  ENTRY, NONE, void, (void *iommu, void *aviommu), (iommu, aviommu))		\
	X(SEG_FINI, seg_fini, "amd_iommu_pci_seg_trans_devid_fini", 0,			\
	  ENTRY, NONE, void, (void *seg), (seg))					\
	X(VM_DESTROY, vm_destroy, "kvm_destroy_vm", TDV_P_STATIC,			\
	  ENTRY, NONE, void, (void *kvm), (kvm))					\
	/* a VMM that took a ref exits (its last thread, once) */			\
	X(PROC_EXIT, proc_exit, "sched:sched_process_exit", 0,				\
	  TRACEPOINT, NONE, void, (), ())
/* clang-format on */

#define TDV_EV_ENUM(KIND, ...) TDV_EV_##KIND,

/* Event kinds, one per row of TDV_PROBES. */
enum tdv_event_kind {
	TDV_EV_NONE, /* 0 is no event */
	TDV_PROBES(TDV_EV_ENUM) TDV_EV_MAX,
};

/* Recordings and the fuzz corpus hold these numbers. */
_Static_assert(TDV_EV_GET == 1 && TDV_EV_PROC_EXIT == 14, "event kinds were renumbered");

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
	TDV_F_STACKS = 1 << 10,	  /* kstack, ustack (get, with --stacks) */
	TDV_F_NEW = 1 << 11,	  /* get: made a fresh entry, allocating its id */
	TDV_F_ID_STATE = 1 << 12, /* put: id_state, read at its return (below) */
};

#define TDV_F_ALL ((TDV_F_ID_STATE << 1) - 1)

/*
 * A trans_devid's state in the segment's trans_devid_xa: the driver's enum
 * trans_devid_state (FREE, RESERVED, ALLOCATED), stored as xa_mk_value().
 * A put that released its entry while trans_devid_free was not traced inside
 * it (inlined, cloned, or skipped) reads its id's state at its return: FREE
 * means the id went back to the pool, ALLOCATED that it leaked.
 */
enum tdv_id_state {
	TDV_ID_FREE,
	TDV_ID_RESERVED,
	TDV_ID_ALLOCATED,
};

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
	union {
		__s32 ret;	/* return value; for ID_ALLOC the id or -errno */
		__s32 id_state; /* PUT with TDV_F_ID_STATE: enum tdv_id_state */
	};
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

/* BPF map "ustack_copies" (--stacks): a get's user stack, for DWARF unwinding. */
#define TDV_USTACK_COPY_BYTES 8192 /* a power of two */
#define TDV_USTACK_REGS 17	   /* x86-64 DWARF registers 0-16, 16 the ip */

struct tdv_ustack_copy {
	__u64 regs[TDV_USTACK_REGS]; /* at the syscall, in DWARF order */
	__u64 len;		     /* bytes of stack copied from regs[7] (sp) */
	__u8 stack[TDV_USTACK_COPY_BYTES];
};

/*
 * Every way the BPF side loses evidence, X(field, what was lost): counted
 * per event kind (the slot of the "counters" per-CPU array) and reported
 * live, by kind, like ring-buffer drops; each makes reports lossy.
 */
/* clang-format off */
#define TDV_LOSSES(X)									\
	X(drops, "ring buffer full")							\
	X(calls_full, "calls map full: a call not kept for its return")		\
	X(no_entry, "a return without its entry (evicted from calls, or missed)")	\
	X(gens_full, "gens map full: a generation not saved")				\
	X(owners_full, "owners map full: an owner not saved")				\
	X(tgids_full, "vmm_tgids map full: a VMM not noted for its exit")		\
	X(inflight_full, "puts_inflight map full: a put not noted")			\
	X(stacks_lost, "stacks map full: a stack not saved")
/* clang-format on */

#define TDV_LOSS_FIELD(name, what) __u64 name;

/* Loss counters, one slot per event kind (percpu array). */
struct tdv_counters {
	TDV_LOSSES(TDV_LOSS_FIELD)
};

#define TDV_LOSS_ONE(name, what) +1
enum { TDV_LOSS_KINDS = 0 TDV_LOSSES(TDV_LOSS_ONE) };
_Static_assert(sizeof(struct tdv_counters) == TDV_LOSS_KINDS * sizeof(__u64),
	       "struct tdv_counters is TDV_LOSSES");

/* BPF map "gens": generation of each (seg, kvmfd), +1 per fresh entry. */
struct tdv_entry_key {
	__u32 seg;
	__u32 kvmfd;
};

struct tdv_entry_val {
	__u32 gen;
	__u16 trans_devid;
	__u16 pad;
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
