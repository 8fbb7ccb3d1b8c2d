/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/tdvsim: the control interface of the trans_devid simulator.
 *
 * IOMMU index i (0..3) is IOMMU i % 2 of PCI segment i / 2; the IOMMUs of
 * each segment have devids 0x0002 and 0x0042.
 */
#ifndef TDVSIM_UAPI_H
#define TDVSIM_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define TDVSIM_NR_SEGS 2
#define TDVSIM_IOMMUS_PER_SEG 2
#define TDVSIM_NR_IOMMUS (TDVSIM_NR_SEGS * TDVSIM_IOMMUS_PER_SEG)
#define TDVSIM_NR_GIDS 64 /* guest ids (vIOMMUs) per IOMMU */
#define TDVSIM_STATE_MAX 64

/*
 * VIOMMU_CREATE runs amd_iommufd_viommu_init on IOMMU index @iommu for the
 * caller's fd @kvmfd (a KVM_CREATE_VM fd of /dev/kvm). The ioctl fails
 * (-1/errno) only for bad input; the driver's own failure is @ret, with
 * @handle -1 and @gid, @trans_devid 0.
 */
struct tdvsim_viommu_create {
	__u32 iommu;				  /* in: IOMMU index */
	__u32 kvmfd;				  /* in: the VM's fd in the caller */
	__s32 handle;				  /* out: for VIOMMU_DESTROY, -1 on failure */
	__s32 ret;				  /* out: amd_iommufd_viommu_init's return */
	__u16 seg, iommu_devid, gid, trans_devid; /* out */
	__u32 refs;				  /* out: kvmfd_xa refcount after the call */
	__u32 fired;	 /* out: faults that fired, 1 << enum tdvsim_fault */
	__u32 vm_pinned; /* out: 1 if resolving @kvmfd took a VM file reference never dropped */
	__u64 vm;	 /* out: the struct kvm address @kvmfd resolved to, 0 if none */
};

struct tdvsim_viommu_destroy {
	__u32 handle;				  /* in */
	__u32 refs;				  /* out: refcount after the call, 0 = no entry */
	__u16 seg, trans_devid, gid, iommu_devid; /* out */
	__u32 kvmfd;				  /* out */
	__u32 fired; /* out: faults that fired, 1 << enum tdvsim_fault */
	__u32 gen;   /* out: how many times (seg, kvmfd)'s entry was made */
	__u64 vm;    /* out: the struct kvm address init resolved */
};

struct tdvsim_reserve {
	__u16 seg, id; /* in */
	__s32 ret;     /* out: amd_iommu_trans_devid_reserve's return */
};

/*
 * Each fault fires on the next operation it fits and then gives exactly one
 * report: skip_put a leak_ref (when its VM goes), double_put an
 * unbalanced_put (only after a put that released the entry), skip_dte_clear
 * a stale_dte (only as the last ref goes, the DTE still set), skip_id_free a leak_id (only on
 * release), fail_alloc_* an alloc_fail (only when a get allocates);
 * fail_init_one and fail_copy_out none of these.
 */
enum tdvsim_fault {
	TDVSIM_FAULT_SKIP_PUT,		/* destroy skips its put: leak_ref */
	TDVSIM_FAULT_DOUBLE_PUT,	/* destroy puts twice: unbalanced_put */
	TDVSIM_FAULT_FAIL_INIT_ONE,	/* amd_viommu_init_one fails: err_init path */
	TDVSIM_FAULT_FAIL_ALLOC_ENOSPC, /* trans_devid_alloc finds no free id */
	TDVSIM_FAULT_FAIL_ALLOC_ENOMEM, /* the entry's kzalloc fails */
	TDVSIM_FAULT_SKIP_DTE_CLEAR,	/* uninit leaves the DTE: stale_dte */
	TDVSIM_FAULT_SKIP_ID_FREE,	/* last put keeps the id: leak_id */
	TDVSIM_FAULT_FAIL_COPY_OUT,	/* init's copy to the user fails after init_one */
	TDVSIM_NR_FAULTS,
};

/* Each fault is a one-shot counter: setting it replaces what is pending. */
struct tdvsim_fault_req {
	__u32 fault; /* enum tdvsim_fault */
	__u32 count; /* how many next matching operations fail */
};

struct tdvsim_state_entry {
	__u32 kvmfd, refs;
	__u16 trans_devid, pad;
};

struct tdvsim_state {
	__u32 seg;	 /* in */
	__u32 nentries;	 /* out: entries in kvmfd_xa (first 64 listed) */
	__u32 allocated; /* out: ids in trans_devid_xa allocated */
	__u32 reserved;	 /* out: ids reserved */
	struct tdvsim_state_entry entries[TDVSIM_STATE_MAX];
};

/*
 * What the driver itself saw, per segment: the ground truth tests compare
 * tdvtrace with. alias: a get found an entry another VM created;
 * clear_while_shared: a translate DTE was cleared while its entry held
 * more than the clearing vIOMMU's ref (read as the driver clears, unlocked);
 * vm_resolves: viommu inits whose get_kvm_handler resolved a VM; vm_pins:
 * those whose fdget took a file reference that is never dropped (the VM
 * file then outlives every close: KVM never destroys that VM).
 */
struct tdvsim_truth {
	__u64 gets[TDVSIM_NR_SEGS];
	__u64 puts[TDVSIM_NR_SEGS];
	__u64 alias[TDVSIM_NR_SEGS];
	__u64 clear_while_shared[TDVSIM_NR_SEGS];
	__u64 gets_new[TDVSIM_NR_SEGS];	   /* gets that made a fresh entry */
	__u64 gets_failed[TDVSIM_NR_SEGS]; /* gets that returned an error */
	__u64 id_allocs[TDVSIM_NR_SEGS];   /* trans_devid_alloc calls */
	__u64 viommu_inits[TDVSIM_NR_SEGS];
	__u64 viommu_destroys[TDVSIM_NR_SEGS];
	__u64 dte_sets[TDVSIM_NR_SEGS];
	__u64 dte_clears[TDVSIM_NR_SEGS];
	__u64 vm_resolves[TDVSIM_NR_SEGS];
	__u64 vm_pins[TDVSIM_NR_SEGS];
};

/*
 * BENCH: @pairs get/put pairs on (@seg, @kvmfd) in a kernel loop, timed.
 * FRESH: no entry exists, so each pair allocates an id and frees it (refs
 * 0->1->0); HOLD: one ref is held around the loop (refs 1->2->1).
 */
enum tdvsim_bench_mode {
	TDVSIM_BENCH_FRESH,
	TDVSIM_BENCH_HOLD,
};

struct tdvsim_bench {
	__u32 seg;   /* in */
	__u32 kvmfd; /* in: a VM fd of the caller (KVM_CREATE_VM) */
	__u32 mode;  /* in: enum tdvsim_bench_mode */
	__u32 pad;
	__u64 pairs; /* in */
	__u64 ns;    /* out: the loop's duration */
};

#define TDVSIM_IOC 'T'
/* 0x01 was CREATE_VM: VMs are real KVM VMs now. */
#define TDVSIM_VIOMMU_CREATE _IOWR(TDVSIM_IOC, 0x02, struct tdvsim_viommu_create)
#define TDVSIM_VIOMMU_DESTROY _IOWR(TDVSIM_IOC, 0x03, struct tdvsim_viommu_destroy)
#define TDVSIM_RESERVE _IOWR(TDVSIM_IOC, 0x04, struct tdvsim_reserve)
#define TDVSIM_SEG_FINI _IOW(TDVSIM_IOC, 0x05, __u32)
#define TDVSIM_SET_FAULT _IOW(TDVSIM_IOC, 0x06, struct tdvsim_fault_req)
#define TDVSIM_STATE _IOWR(TDVSIM_IOC, 0x07, struct tdvsim_state)
#define TDVSIM_TRUTH _IOR(TDVSIM_IOC, 0x08, struct tdvsim_truth)
#define TDVSIM_BENCH _IOWR(TDVSIM_IOC, 0x09, struct tdvsim_bench)

#endif /* TDVSIM_UAPI_H */
