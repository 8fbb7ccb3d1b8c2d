// SPDX-License-Identifier: GPL-2.0
/*
 * tdvsim: the AMD IOMMU translate-device-id logic of the patch
 * "iommu/amd: Map kvmfd to shared translate device ID for vIOMMU", reproduced
 * under the same symbol, type and field names so tdvtrace runs against it
 * unmodified on a kernel without the hardware.
 *
 * The trans_devid functions follow the patch line by line, and vIOMMU
 * init/destroy follow the driver (AMDESE/linux-iommu drivers/iommu/amd/
 * iommufd.c and viommu.c) step by step, error paths included. Around them:
 * two PCI segments of two IOMMUs each, an in-memory device table (translate
 * DTEs) and VF control registers, and fault injection. VMs are real KVM VMs:
 * the kvmfd is a /dev/kvm KVM_CREATE_VM fd of the caller, resolved as the
 * driver's get_kvm_handler does (fdget, no fdput). Code that is the
 * simulator's own and not the driver's is marked "sim:".
 *
 * Linkage and inlining as the driver is built: static stays static and
 * nothing carries noinline but __other_file functions (see below). With
 * -DTDVSIM_INLINE (make INLINE=1) the static trans_devid_alloc and
 * trans_devid_free are forced inline, as a compiler may do with them.
 */
#define pr_fmt(fmt) "tdvsim: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include "tdvsim_uapi.h"

/*
 * sim: one file stands for the driver's several (trans_devid.c, iommu.c,
 * vfctrl_mmio.c, viommu.c, iommufd.c). A function the driver calls only from
 * other files (or through an ops table) is never inlined into, nor
 * specialised for, its callers in a kernel built without LTO: __other_file
 * keeps that file boundary here. One exception: amd_viommu_init_one calls
 * amd_viommu_uninit_one within viommu.c, where a real build may inline it.
 */
#define __other_file noinline __attribute__((__noipa__))

/* The driver's static helpers of trans_devid.c; make INLINE=1 forces them inline. */
#ifdef TDVSIM_INLINE
#define __trans_devid_static static __always_inline
#else
#define __trans_devid_static static
#endif

/* struct fd as 6.1 has it; 6.12 reads it through fd_file()/fd_empty(). */
#ifndef fd_file
#define fd_file(f) ((f).file)
#define fd_empty(f) (!(f).file)
#define sim_fd_took_ref(f) ((f).flags & FDPUT_FPUT)
#else
#define sim_fd_took_ref(f) ((f).word & FDPUT_FPUT)
#endif

static bool fixed;
module_param(fixed, bool, 0444);
MODULE_PARM_DESC(fixed, "Correct the patch's hazards: clear a translate DTE only when its "
			"last ref goes, key entries by VM, not by fd number, and fdput the "
			"VM file get_kvm_handler resolved");

/* ---- types, as amd_iommu_types.h names them ---------------------------------- */

enum trans_devid_state {
	TRANS_DEVID_FREE,
	TRANS_DEVID_RESERVED,
	TRANS_DEVID_ALLOCATED,
};

struct amd_iommu_kvmfd_trans_entry {
	refcount_t refs;
	u16 trans_devid;
};

struct dev_table_entry {
	u64 data[4];
};

#define DTE_FLAG_V BIT_ULL(0)
#define DTE_FLAG_TV BIT_ULL(1)
#define DTE_TRANSLATE_MARK BIT_ULL(62)	  /* sim: "holds a GPA->SPA table" */
#define VFCTRL_TRANS_DEVID_MASK 0xffffULL /* sim: TransDevID in bits 15:0 */
#define SIM_NR_DEVIDS 65536

struct amd_iommu_pci_seg {
	struct list_head list; /* on amd_iommu_pci_seg_list */
	u16 id;
	/* Device table of this segment: the translate DTEs live here. */
	struct dev_table_entry *dev_table;
	/*
	 * Translate-device-id pool. Values are xa_mk_value(enum trans_devid_state).
	 */
	struct mutex trans_devid_mutex;
	struct xarray trans_devid_xa;

	/*
	 * Per-segment kvmfd mapping. The xarray is indexed by the kvmfd.
	 * Values are struct amd_iommu_kvmfd_trans_entry * or xa_mk_value(trans_devid).
	 */
	struct mutex kvmfd_xa_mutex;
	struct xarray kvmfd_xa;
};

struct amd_iommu {
	struct list_head list;
	struct iommu_device iommu; /* what iommufd_viommu.iommu_dev points at */
	u16 devid;
	struct amd_iommu_pci_seg *pci_seg;
	/* sim: guest ids (one per vIOMMU) and their VF control registers */
	struct mutex gid_mutex;
	unsigned long gid_bitmap[BITS_TO_LONGS(TDVSIM_NR_GIDS)];
	u64 vfctrl[TDVSIM_NR_GIDS];
};

struct protection_domain {
	spinlock_t lock;
	struct list_head viommu_list; /* amd_iommu_viommu.pdom_list */
	u64 pt_root;		      /* GPA->SPA (v1) page table */
	struct iommu_domain domain;
};

#define to_pdomain(dom) container_of(dom, struct protection_domain, domain)

/* iommufd's core object, reduced to what the driver uses. */
struct iommufd_viommu;

struct iommufd_viommu_ops {
	void (*destroy)(struct iommufd_viommu *viommu);
};

struct iommufd_viommu {
	struct iommu_device *iommu_dev;
	const struct iommufd_viommu_ops *ops;
};

struct amd_iommu_viommu {
	struct iommufd_viommu core;
	struct protection_domain *parent;
	struct list_head pdom_list;
	struct xarray gdomid_array;
	u16 gid;
	u32 kvmfd;
	struct kvm *kvm; /* KVM's VM, opaque here: the driver only keeps it */
	u64 *devid_table;
	u64 *domid_table;
	u16 trans_devid;
	/* Offset for mmap() of guest VF MMIO; set after iommufd_viommu_alloc_mmap(). */
	unsigned long vfmmio_mmap_offset;
	/* sim: get_kvm_handler's fdget took a file reference nobody drops */
	bool sim_vm_pinned;
	/* sim: SKIP_PUT fired for this destroy, decided before uninit_one */
	bool sim_put_skipped;
};

/*
 * The driver-specific vIOMMU data (uapi struct iommu_viommu_amd) and
 * iommufd's wrapper for it. sim: the ioctl has copied the data in, so
 * the wrapper carries a kernel pointer where iommufd has a user one.
 */
#define IOMMU_VIOMMU_TYPE_AMD 3

struct iommu_viommu_amd {
	u32 kvmfd;
	u32 reserved;
};

/* Since 6.7 the kernel's iommu.h has it (Kbuild looks). */
#ifndef TDVSIM_HAVE_IOMMU_USER_DATA
struct iommu_user_data {
	unsigned int type;
	void *uptr;
	size_t len;
};
#endif

/* KVM's VM: the driver never looks inside it. */
struct kvm;

LIST_HEAD(amd_iommu_pci_seg_list);
static struct amd_iommu_pci_seg sim_segs[TDVSIM_NR_SEGS];
static struct amd_iommu sim_iommus[TDVSIM_NR_IOMMUS];
static struct protection_domain sim_pdom;
static atomic_t faults[TDVSIM_NR_FAULTS];

/*
 * sim: SEG_FINI tears a segment down and re-initialises its mutexes; every
 * other use of a segment holds this for reading so none runs meanwhile.
 */
static struct rw_semaphore sim_seg_rwsem[TDVSIM_NR_SEGS];

/*
 * sim: ground truth, outside the patch's own state. Who created each
 * kvmfd_xa entry (its struct kvm address >> 1), and the counters of struct tdvsim_truth, both
 * per segment and updated under that segment's kvmfd_xa_mutex.
 */
static struct xarray sim_owner_xa[TDVSIM_NR_SEGS];
static struct tdvsim_truth sim_truth;
/* Truth counted outside any mutex of the patch. */
static atomic64_t sim_viommu_inits[TDVSIM_NR_SEGS], sim_viommu_destroys[TDVSIM_NR_SEGS];
static atomic64_t sim_dte_sets[TDVSIM_NR_SEGS], sim_dte_clears[TDVSIM_NR_SEGS];
static atomic64_t sim_clear_while_shared[TDVSIM_NR_SEGS];
static atomic64_t sim_vm_resolves[TDVSIM_NR_SEGS], sim_vm_pins[TDVSIM_NR_SEGS];
/* (seg, kvmfd) -> entries made so far; faults fired in the current ioctl. */
static struct xarray sim_gen_xa[TDVSIM_NR_SEGS];
static u32 sim_fired;
/*
 * (seg, kvmfd) -> the entry's refcount, kept beside kvmfd_xa under the
 * driver's own kvmfd_xa_mutex and read without it (xa_load is RCU-safe),
 * so code the driver runs unlocked can know it without taking a lock.
 */
static struct xarray sim_refs_xa[TDVSIM_NR_SEGS];

static u32 sim_refs(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd)
{
	return xa_to_value(xa_load(&sim_refs_xa[pci_seg->id], kvmfd));
}

static void sim_refs_set(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd, u32 refs)
{
	if (refs)
		xa_store(&sim_refs_xa[pci_seg->id], kvmfd, xa_mk_value(refs), GFP_KERNEL);
	else
		xa_erase(&sim_refs_xa[pci_seg->id], kvmfd);
}

/* Is @f a VM, KVM's "kvm-vm" anon-inode file? (The driver does not check.) */
static bool sim_is_vm_file(struct file *f)
{
	return !strcmp(f->f_path.dentry->d_name.name, "kvm-vm");
}

/* The VM (struct kvm address) the caller's fd @fd is, 0 if it is not one. */
static u64 sim_vm_of_fd(u32 fd)
{
	struct file *f = fget(fd);
	u64 vm = 0;

	if (!f)
		return 0;
	if (sim_is_vm_file(f))
		vm = (u64)(unsigned long)f->private_data;
	fput(f);
	return vm;
}

/*
 * A translate DTE is about to be cleared for @kvmfd's vIOMMU: do other
 * vIOMMUs still hold the entry? The driver clears it anyway, unlocked
 * (counted as ground truth from the refs as they are at that moment); the
 * fix (fixed=1) decides under kvmfd_xa_mutex and waits for the last ref.
 */
static bool sim_clear_dte_now(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd)
{
	bool shared;

	if (!fixed) {
		if (sim_refs(pci_seg, kvmfd) > 1)
			atomic64_inc(&sim_clear_while_shared[pci_seg->id]);
		return true;
	}
	mutex_lock(&pci_seg->kvmfd_xa_mutex);
	shared = sim_refs(pci_seg, kvmfd) > 1;
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
	return !shared;
}

/*
 * fixed=1: kvmfd_xa indexes of VMs (bit 30 set: never an fd number), one
 * per struct kvm address as first seen.
 */
#define SIM_VM_KEY_BASE 0x40000000U
static DEFINE_XARRAY(sim_vm_keys);
static DEFINE_MUTEX(sim_vm_keys_mutex);
static atomic_t sim_next_vm_key;

static u32 sim_vm_key(u64 vm)
{
	void *v;
	u32 key = 0;

	if (!vm)
		return SIM_VM_KEY_BASE;
	mutex_lock(&sim_vm_keys_mutex);
	v = xa_load(&sim_vm_keys, vm);
	if (v) {
		key = xa_to_value(v);
	} else {
		key = SIM_VM_KEY_BASE | (u32)(atomic_inc_return(&sim_next_vm_key) & 0x3fffffff);
		xa_store(&sim_vm_keys, vm, xa_mk_value(key), GFP_KERNEL);
	}
	mutex_unlock(&sim_vm_keys_mutex);
	return key;
}

/* The kvmfd_xa index the caller's @kvmfd stands for. */
static u32 sim_xa_key(u32 kvmfd)
{
	return fixed ? sim_vm_key(sim_vm_of_fd(kvmfd)) : kvmfd;
}

/* Consume one pending fault of this kind, if any. */
static bool fault_hit(enum tdvsim_fault f)
{
	if (!atomic_add_unless(&faults[f], -1, 0))
		return false;
	sim_fired |= 1U << f;
	return true;
}

/* ---- trans_devid.c, as patched --------------------------------------------- */

__trans_devid_static void trans_devid_free(struct amd_iommu_pci_seg *pci_seg, u16 id);

static inline enum trans_devid_state trans_devid_xa_get_state(void *entry)
{
	if (!entry)
		return TRANS_DEVID_FREE;
	return (enum trans_devid_state)xa_to_value(entry);
}

static inline void *trans_devid_xa_mk_state(enum trans_devid_state state)
{
	return xa_mk_value(state);
}

__other_file void amd_iommu_pci_seg_trans_devid_init(struct amd_iommu_pci_seg *pci_seg)
{
	mutex_init(&pci_seg->trans_devid_mutex);
	xa_init(&pci_seg->trans_devid_xa);
	mutex_init(&pci_seg->kvmfd_xa_mutex);
	xa_init(&pci_seg->kvmfd_xa);
}

__other_file void amd_iommu_pci_seg_trans_devid_fini(struct amd_iommu_pci_seg *pci_seg)
{
	unsigned long index = 0;
	void *e;

	while ((e = xa_find(&pci_seg->kvmfd_xa, &index, ULONG_MAX, XA_PRESENT))) {
		unsigned long cur = index;

		if (xa_is_value(e))
			trans_devid_free(pci_seg, (u16)xa_to_value(e));
		else {
			struct amd_iommu_kvmfd_trans_entry *entry = e;

			trans_devid_free(pci_seg, entry->trans_devid);
			kfree(entry);
		}
		xa_erase(&pci_seg->kvmfd_xa, cur);
		sim_refs_set(pci_seg, cur, 0);
		if (cur == ULONG_MAX)
			break;
		index = cur + 1;
	}
	xa_destroy(&pci_seg->kvmfd_xa);
	xa_destroy(&pci_seg->trans_devid_xa);
}

/* A device's own id: keep it out of the pool, unless it is already a trans_devid. */
__other_file int amd_iommu_trans_devid_reserve(struct amd_iommu_pci_seg *pci_seg, u16 id)
{
	void *old;
	int ret = 0;

	mutex_lock(&pci_seg->trans_devid_mutex);
	old = xa_load(&pci_seg->trans_devid_xa, id);
	if (trans_devid_xa_get_state(old) == TRANS_DEVID_ALLOCATED) {
		pr_debug("%s: trans_devid %#x already allocated (seg %#x)\n", __func__, id,
			 pci_seg->id);
		ret = -EBUSY;
		goto out;
	}
	old = xa_store(&pci_seg->trans_devid_xa, id, trans_devid_xa_mk_state(TRANS_DEVID_RESERVED),
		       GFP_KERNEL);
	if (xa_is_err(old))
		ret = xa_err(old);
out:
	mutex_unlock(&pci_seg->trans_devid_mutex);
	return ret;
}

/**
 * trans_devid_alloc - allocate a translate-device-id for @pci_seg
 *
 * The trans_devid is allocated from the highest id to the lowest id.
 * Generally, the PCI devices enumerated from the beginning of the bus range.
 * Therefore, ids in the high range are likely to not be used.
 *
 * Return: allocated id on success, negative errno on failure.
 */
__trans_devid_static int trans_devid_alloc(struct amd_iommu_pci_seg *pci_seg)
{
	bool sim_full;
	int id;

	mutex_lock(&pci_seg->trans_devid_mutex);
	sim_truth.id_allocs[pci_seg->id]++; /* sim: callers hold kvmfd_xa_mutex */
	/* sim: FAIL_ALLOC_ENOSPC: the whole scan runs and finds every id taken */
	sim_full = fault_hit(TDVSIM_FAULT_FAIL_ALLOC_ENOSPC);
	for (id = U16_MAX; id >= 0; id--) {
		void *entry, *old;

		entry = xa_load(&pci_seg->trans_devid_xa, id);
		if (entry || sim_full)
			continue;

		old = xa_store(&pci_seg->trans_devid_xa, id,
			       trans_devid_xa_mk_state(TRANS_DEVID_ALLOCATED), GFP_KERNEL);
		if (xa_is_err(old)) {
			int err = xa_err(old);

			mutex_unlock(&pci_seg->trans_devid_mutex);
			return err;
		}
		WARN_ON_ONCE(old);
		mutex_unlock(&pci_seg->trans_devid_mutex);
		pr_debug("%s: Allocated trans_devid %#x (seg %#x)\n", __func__, id, pci_seg->id);
		return id;
	}
	pr_err("%s: No free trans_devid found (seg %#x)\n", __func__, pci_seg->id);
	mutex_unlock(&pci_seg->trans_devid_mutex);
	return -ENOSPC;
}

__trans_devid_static void trans_devid_free(struct amd_iommu_pci_seg *pci_seg, u16 id)
{
	void *old;

	mutex_lock(&pci_seg->trans_devid_mutex);
	old = xa_erase(&pci_seg->trans_devid_xa, id);
	if (WARN_ON_ONCE(!old || trans_devid_xa_get_state(old) == TRANS_DEVID_FREE))
		goto out;
	pr_debug("%s: Freed trans_devid %#x (seg %#x)\n", __func__, id, pci_seg->id);
out:
	mutex_unlock(&pci_seg->trans_devid_mutex);
}

/**
 * amd_iommu_get_trans_devid_by_kvmfd - look up or allocate trans_devid for @kvmfd
 *
 * If an entry already exists for @kvmfd, bumps its refcount and returns the same
 * @trans_devid. Otherwise allocates a new translate devid, inserts an entry with
 * refcount 1, and returns it.
 *
 * Return: 0 on success, %-ENOMEM on allocation failure, %-EIO if the map holds an
 * unexpected entry type.
 */
__other_file int amd_iommu_get_trans_devid_by_kvmfd(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd,
						    u16 *trans_devid)
{
	struct amd_iommu_kvmfd_trans_entry *entry;
	void *prev;
	int id, ret = 0;

	mutex_lock(&pci_seg->kvmfd_xa_mutex);
	sim_truth.gets[pci_seg->id]++;
	entry = xa_load(&pci_seg->kvmfd_xa, kvmfd);
	if (entry) {
		if (WARN_ON_ONCE(xa_is_value(entry))) {
			ret = -EIO;
			goto out_unlock;
		}
		/* sim: another VM's entry, found by fd number alone */
		if (xa_to_value(xa_load(&sim_owner_xa[pci_seg->id], kvmfd)) !=
		    sim_vm_of_fd(kvmfd) >> 1)
			sim_truth.alias[pci_seg->id]++;
		refcount_inc(&entry->refs);
		sim_refs_set(pci_seg, kvmfd, refcount_read(&entry->refs));
		*trans_devid = entry->trans_devid;
		pr_debug("%s: Got trans_devid %#x for kvmfd %#x (seg %#x)\n", __func__,
			 *trans_devid, kvmfd, pci_seg->id);
		goto out_unlock;
	}

	id = trans_devid_alloc(pci_seg);
	if (id < 0) {
		pr_err("%s: Failed to allocate trans_devid (kvmfd=%#x seg=%#x err=%d)\n", __func__,
		       kvmfd, pci_seg->id, id);
		ret = id;
		goto out_unlock;
	}

	/* sim: FAIL_ALLOC_ENOMEM stands for kzalloc failing */
	entry = fault_hit(TDVSIM_FAULT_FAIL_ALLOC_ENOMEM) ? NULL
							  : kzalloc(sizeof(*entry), GFP_KERNEL);
	if (!entry) {
		trans_devid_free(pci_seg, id);
		ret = -ENOMEM;
		goto out_unlock;
	}

	refcount_set(&entry->refs, 1);
	entry->trans_devid = id;

	prev = xa_store(&pci_seg->kvmfd_xa, kvmfd, entry, GFP_KERNEL);
	if (xa_is_err(prev)) {
		ret = xa_err(prev);
		kfree(entry);
		trans_devid_free(pci_seg, id);
		goto out_unlock;
	}
	WARN_ON_ONCE(prev);
	sim_refs_set(pci_seg, kvmfd, 1);
	/* a struct kvm address is aligned: >> 1 keeps it whole in a value entry */
	xa_store(&sim_owner_xa[pci_seg->id], kvmfd, xa_mk_value(sim_vm_of_fd(kvmfd) >> 1),
		 GFP_KERNEL);
	xa_store(&sim_gen_xa[pci_seg->id], kvmfd,
		 xa_mk_value(xa_to_value(xa_load(&sim_gen_xa[pci_seg->id], kvmfd)) + 1),
		 GFP_KERNEL);

	sim_truth.gets_new[pci_seg->id]++;
	*trans_devid = id;
	pr_debug("%s: Allocated trans_devid %#x for kvmfd %#x (seg %#x)\n", __func__, id, kvmfd,
		 pci_seg->id);

out_unlock:
	if (ret)
		sim_truth.gets_failed[pci_seg->id]++;
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
	return ret;
}

/**
 * amd_iommu_free_trans_devid_by_kvmfd - drop one reference for @kvmfd
 *
 * Decrements the per-kvmfd refcount. The translate devid is returned to the
 * segment pool and the map entry is removed only when the refcount reaches zero.
 */
__other_file void amd_iommu_free_trans_devid_by_kvmfd(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd)
{
	struct amd_iommu_kvmfd_trans_entry *entry;
	u16 tid;

	mutex_lock(&pci_seg->kvmfd_xa_mutex);
	sim_truth.puts[pci_seg->id]++;
	entry = xa_load(&pci_seg->kvmfd_xa, kvmfd);
	if (!entry) {
		mutex_unlock(&pci_seg->kvmfd_xa_mutex);
		return;
	}

	if (WARN_ON_ONCE(xa_is_value(entry))) {
		mutex_unlock(&pci_seg->kvmfd_xa_mutex);
		return;
	}

	if (!refcount_dec_and_test(&entry->refs)) {
		sim_refs_set(pci_seg, kvmfd, refcount_read(&entry->refs));
		pr_debug("%s: kvmfd %#x, trans_devid %#x (seg %#x)\n", __func__, kvmfd,
			 entry->trans_devid, pci_seg->id);
		mutex_unlock(&pci_seg->kvmfd_xa_mutex);
		return;
	}

	tid = entry->trans_devid;
	/* sim: SKIP_ID_FREE leaves the id allocated with no owner */
	if (!fault_hit(TDVSIM_FAULT_SKIP_ID_FREE))
		trans_devid_free(pci_seg, tid);
	xa_erase(&pci_seg->kvmfd_xa, kvmfd);
	sim_refs_set(pci_seg, kvmfd, 0);
	xa_erase(&sim_owner_xa[pci_seg->id], kvmfd);
	kfree(entry);
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
	pr_debug("%s: Freed trans_devid %#x for kvmfd %#x (seg %#x)\n", __func__, tid, kvmfd,
		 pci_seg->id);
}

/* ---- DTE and VF control (iommu.c / viommu.c) ---------------------------------------- */

/* Point the segment's DTE @devid at @pdom's GPA->SPA table. */
__other_file void amd_iommu_set_translate_dte(struct amd_iommu *iommu, u16 gid,
					      struct protection_domain *pdom, u16 devid)
{
	struct dev_table_entry *dte = &iommu->pci_seg->dev_table[devid];

	atomic64_inc(&sim_dte_sets[iommu->pci_seg->id]);
	WRITE_ONCE(dte->data[0], (pdom->pt_root & PAGE_MASK) | DTE_FLAG_TV | DTE_FLAG_V);
	WRITE_ONCE(dte->data[1], DTE_TRANSLATE_MARK | gid);
}

/* Zero the segment's DTE @devid, whoever else still uses it. */
__other_file void amd_iommu_clear_translate_dte(struct amd_iommu *iommu, u16 gid, u16 devid)
{
	struct dev_table_entry *dte = &iommu->pci_seg->dev_table[devid];

	atomic64_inc(&sim_dte_clears[iommu->pci_seg->id]);
	WRITE_ONCE(dte->data[0], 0);
	WRITE_ONCE(dte->data[1], 0);
}

/* The TransDevID field of guest @gid's VF control register; 0 = none. */
__other_file void amd_iommu_update_vfctrl_mmio_translate_devid(struct amd_iommu *iommu, u16 gid,
							       u16 devid)
{
	u64 v = READ_ONCE(iommu->vfctrl[gid]);

	WRITE_ONCE(iommu->vfctrl[gid], (v & ~VFCTRL_TRANS_DEVID_MASK) | devid);
}

static void iommu_reset_vmmio(struct amd_iommu *iommu, u16 gid)
{
	WRITE_ONCE(iommu->vfctrl[gid], 0);
}

/* sim: free_private_vm_region() */
static void sim_free_vm_region(u64 **table)
{
	kfree(*table);
	*table = NULL;
}

/* sim: alloc_private_vm_region(); FAIL_INIT_ONE makes it fail. */
static int sim_alloc_vm_region(u64 **table)
{
	if (fault_hit(TDVSIM_FAULT_FAIL_INIT_ONE))
		return -ENOMEM;
	*table = kcalloc(4, sizeof(u64), GFP_KERNEL);
	return *table ? 0 : -ENOMEM;
}

/* The guest's device id and domain id mappings back to their defaults. */
static void viommu_clear_mapping(struct amd_iommu *iommu, struct amd_iommu_viommu *aviommu)
{
	if (aviommu->devid_table)
		memset(aviommu->devid_table, 0, 4 * sizeof(u64));
	if (aviommu->domid_table)
		memset(aviommu->domid_table, 0, 4 * sizeof(u64));
}

/*
 * viommu.c. On init_one's failure this runs before the vIOMMU has a
 * trans_devid (aviommu->trans_devid is still 0, aviommu->kvmfd too): the
 * driver then clears the VF control and the translate DTE of devid 0.
 */
__other_file void amd_viommu_uninit_one(struct amd_iommu *iommu, struct amd_iommu_viommu *aviommu)
{
	sim_free_vm_region(&aviommu->devid_table);
	sim_free_vm_region(&aviommu->domid_table);

	amd_iommu_update_vfctrl_mmio_translate_devid(iommu, aviommu->gid, 0);
	/*
	 * sim: SKIP_DTE_CLEAR leaves a still-set translate DTE behind its last
	 * ref, so only where the put that follows will release the entry: not
	 * when SKIP_PUT keeps the ref (the DTE then sits on a live id).
	 */
	if (!aviommu->sim_put_skipped && sim_refs(iommu->pci_seg, aviommu->kvmfd) <= 1 &&
	    READ_ONCE(iommu->pci_seg->dev_table[aviommu->trans_devid].data[0]) &&
	    fault_hit(TDVSIM_FAULT_SKIP_DTE_CLEAR))
		;
	else if (sim_clear_dte_now(iommu->pci_seg, aviommu->kvmfd))
		amd_iommu_clear_translate_dte(iommu, aviommu->gid, aviommu->trans_devid);
	viommu_clear_mapping(iommu, aviommu);
}

__other_file int amd_viommu_init_one(struct amd_iommu *iommu, struct amd_iommu_viommu *aviommu)
{
	int ret;

	ret = sim_alloc_vm_region(&aviommu->devid_table);
	if (ret)
		goto err_out;

	ret = sim_alloc_vm_region(&aviommu->domid_table);
	if (ret)
		goto err_out;

	viommu_clear_mapping(iommu, aviommu);

	return 0;
err_out:
	amd_viommu_uninit_one(iommu, aviommu);
	return -ENOMEM;
}

static int amd_iommu_gid_alloc(struct amd_iommu *iommu)
{
	int gid;

	mutex_lock(&iommu->gid_mutex);
	/* gid 0 is the host's */
	gid = find_next_zero_bit(iommu->gid_bitmap, TDVSIM_NR_GIDS, 1);
	if (gid < TDVSIM_NR_GIDS)
		set_bit(gid, iommu->gid_bitmap);
	else
		gid = -ENOSPC;
	mutex_unlock(&iommu->gid_mutex);
	return gid;
}

static void amd_iommu_gid_free(struct amd_iommu *iommu, u16 gid)
{
	mutex_lock(&iommu->gid_mutex);
	clear_bit(gid, iommu->gid_bitmap);
	mutex_unlock(&iommu->gid_mutex);
}

/* sim: iommu_copy_struct_from_user, the data being in the kernel already. */
static int sim_copy_viommu_data(struct iommu_viommu_amd *data,
				const struct iommu_user_data *user_data)
{
	if (user_data->type != IOMMU_VIOMMU_TYPE_AMD ||
	    user_data->len < offsetofend(struct iommu_viommu_amd, reserved))
		return -EINVAL;
	memcpy(data, user_data->uptr, min(user_data->len, sizeof(*data)));
	return 0;
}

/* sim: iommu_copy_struct_to_user; FAIL_COPY_OUT makes it fail (-EFAULT). */
static int sim_copy_viommu_data_out(const struct iommu_user_data *user_data,
				    const struct iommu_viommu_amd *data)
{
	if (fault_hit(TDVSIM_FAULT_FAIL_COPY_OUT))
		return -EFAULT;
	memcpy(user_data->uptr, data, min(user_data->len, sizeof(*data)));
	return 0;
}

/* ---- iommufd.c, as patched ---------------------------------------------------- */

static const struct iommufd_viommu_ops amd_viommu_ops;

static void *get_kvm_handler(u32 kvmfd, bool *sim_pinned)
{
	struct fd f;
	void *sim_kvm;

	f = fdget(kvmfd);

	if (fd_empty(f)) {
		pr_warn("%s: fdget failed\n", __func__);
		return NULL;
	}

	sim_kvm = fd_file(f)->private_data;
	/*
	 * sim: the driver returns fd_file(f)->private_data here and never
	 * fdputs: when the caller's fd table is shared (a second thread),
	 * fdget took a file reference, and the VM file is never released.
	 * fixed=1 drops it.
	 */
	if (fixed)
		fdput(f);
	else
		*sim_pinned = sim_fd_took_ref(f);
	return sim_kvm;
}

__other_file int amd_iommufd_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent,
					 const struct iommu_user_data *user_data)
{
	int ret;
	unsigned long flags;
	u16 trans_devid;
	struct iommu_viommu_amd data = {};
	struct protection_domain *pdom = to_pdomain(parent);
	struct amd_iommu *iommu = container_of(viommu->iommu_dev, struct amd_iommu, iommu);
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);

	atomic64_inc(&sim_viommu_inits[iommu->pci_seg->id]);
	xa_init_flags(&aviommu->gdomid_array, XA_FLAGS_ALLOC1);
	aviommu->parent = pdom;

	if (!user_data)
		return -EINVAL;

	ret = sim_copy_viommu_data(&data, user_data);
	if (ret)
		return ret;

	ret = amd_iommu_gid_alloc(iommu);
	if (ret < 0)
		goto err_gid;
	aviommu->gid = ret;

	/* sim: iommufd_viommu_alloc_mmap(), which cannot fail here (err_mmap) */
	aviommu->vfmmio_mmap_offset = (unsigned long)aviommu->gid << PAGE_SHIFT;

	aviommu->kvm = get_kvm_handler(data.kvmfd, &aviommu->sim_vm_pinned);
	if (aviommu->kvm == NULL) {
		pr_err("%s: Failed to get KVM handler (kvmfd=%#x)\n", __func__, data.kvmfd);
		ret = -EINVAL;
		goto err_kvmfd;
	}
	atomic64_inc(&sim_vm_resolves[iommu->pci_seg->id]);
	if (aviommu->sim_vm_pinned)
		atomic64_inc(&sim_vm_pins[iommu->pci_seg->id]);
	/*
	 * sim: fixed=1 keys kvmfd_xa by the VM, not by the fd number that
	 * names it in one process: the "kvmfd" passed on is a VM key, above any
	 * fd number, so two VMMs' VMs never share an entry.
	 */
	if (fixed)
		data.kvmfd = sim_vm_key((u64)(unsigned long)aviommu->kvm);

	ret = amd_iommu_get_trans_devid_by_kvmfd(iommu->pci_seg, data.kvmfd, &trans_devid);
	if (ret)
		goto err_kvmfd;

	/* Reset vIOMMU MMIOs to initialize the vIOMMU */
	iommu_reset_vmmio(iommu, aviommu->gid);

	amd_iommu_set_translate_dte(iommu, aviommu->gid, pdom, trans_devid);
	amd_iommu_update_vfctrl_mmio_translate_devid(iommu, aviommu->gid, trans_devid);

	ret = amd_viommu_init_one(iommu, aviommu);
	if (ret)
		goto err_init;

	ret = sim_copy_viommu_data_out(user_data, &data);
	if (ret)
		goto err_init;

	aviommu->trans_devid = trans_devid;
	aviommu->kvmfd = data.kvmfd;
	viommu->ops = &amd_viommu_ops;

	spin_lock_irqsave(&pdom->lock, flags);
	list_add(&aviommu->pdom_list, &pdom->viommu_list);
	spin_unlock_irqrestore(&pdom->lock, flags);

	return 0;
err_init:
	/*
	 * sim: after a failed copy-out the driver leaks the tables init_one
	 * allocated (nothing uninits them); the sim frees them, unseen by probes.
	 */
	sim_free_vm_region(&aviommu->devid_table);
	sim_free_vm_region(&aviommu->domid_table);
	amd_iommu_update_vfctrl_mmio_translate_devid(iommu, aviommu->gid, 0);
	if (sim_clear_dte_now(iommu->pci_seg, data.kvmfd))
		amd_iommu_clear_translate_dte(iommu, aviommu->gid, trans_devid);
	amd_iommu_free_trans_devid_by_kvmfd(iommu->pci_seg, data.kvmfd);
err_kvmfd:
	/* sim: iommufd_viommu_destroy_mmap() */
	aviommu->vfmmio_mmap_offset = 0;
	amd_iommu_gid_free(iommu, aviommu->gid);
err_gid:
	return ret;
}

/* Static, reached through amd_viommu_ops as iommufd's core calls it. */
static void amd_iommufd_viommu_destroy(struct iommufd_viommu *viommu)
{
	unsigned long flags;
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);
	struct protection_domain *pdom = aviommu->parent;
	struct amd_iommu *iommu = container_of(viommu->iommu_dev, struct amd_iommu, iommu);

	atomic64_inc(&sim_viommu_destroys[iommu->pci_seg->id]);
	spin_lock_irqsave(&pdom->lock, flags);
	list_del(&aviommu->pdom_list);
	spin_unlock_irqrestore(&pdom->lock, flags);
	xa_destroy(&aviommu->gdomid_array);
	amd_iommu_gid_free(iommu, aviommu->gid);
	/* sim: SKIP_PUT leaks the ref; DOUBLE_PUT drops it twice */
	aviommu->sim_put_skipped = fault_hit(TDVSIM_FAULT_SKIP_PUT);
	amd_viommu_uninit_one(iommu, aviommu);
	/* sim: iommufd_viommu_destroy_mmap() */
	aviommu->vfmmio_mmap_offset = 0;
	if (aviommu->sim_put_skipped)
		return;
	amd_iommu_free_trans_devid_by_kvmfd(iommu->pci_seg, aviommu->kvmfd);
	/* ... and only once the first put released the entry */
	if (!sim_refs(iommu->pci_seg, aviommu->kvmfd) && fault_hit(TDVSIM_FAULT_DOUBLE_PUT))
		amd_iommu_free_trans_devid_by_kvmfd(iommu->pci_seg, aviommu->kvmfd);
}

static const struct iommufd_viommu_ops amd_viommu_ops = {
	.destroy = amd_iommufd_viommu_destroy,
};

/* ---- /dev/tdvsim ------------------------------------------------------------------ */

#define SIM_MAX_VIOMMUS 1024

/* What one open of /dev/tdvsim created, as an iommufd owns its objects. */
struct sim_ctx {
	struct mutex lock;
	struct amd_iommu_viommu *viommus[SIM_MAX_VIOMMUS];
};

static struct amd_iommu *sim_iommu_of(struct amd_iommu_viommu *aviommu)
{
	return container_of(aviommu->core.iommu_dev, struct amd_iommu, iommu);
}

static u32 kvmfd_refs(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd)
{
	struct amd_iommu_kvmfd_trans_entry *entry;
	u32 refs = 0;

	mutex_lock(&pci_seg->kvmfd_xa_mutex);
	entry = xa_load(&pci_seg->kvmfd_xa, kvmfd);
	if (entry && !xa_is_value(entry))
		refs = refcount_read(&entry->refs);
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
	return refs;
}

static int sim_viommu_create(struct sim_ctx *ctx, struct tdvsim_viommu_create *req)
{
	struct iommu_viommu_amd data = { .kvmfd = req->kvmfd };
	struct iommu_user_data user_data = {
		.type = IOMMU_VIOMMU_TYPE_AMD,
		.uptr = &data,
		.len = sizeof(data),
	};
	struct amd_iommu_viommu *aviommu;
	struct amd_iommu *iommu;
	int slot;

	if (req->iommu >= TDVSIM_NR_IOMMUS)
		return -EINVAL;
	iommu = &sim_iommus[req->iommu];
	req->handle = -1;
	req->seg = iommu->pci_seg->id;
	req->iommu_devid = iommu->devid;
	req->gid = 0;
	req->trans_devid = 0;
	aviommu = kzalloc(sizeof(*aviommu), GFP_KERNEL);
	if (!aviommu)
		return -ENOMEM;
	aviommu->core.iommu_dev = &iommu->iommu;

	mutex_lock(&ctx->lock);
	for (slot = 0; slot < SIM_MAX_VIOMMUS && ctx->viommus[slot]; slot++)
		;
	if (slot == SIM_MAX_VIOMMUS) {
		mutex_unlock(&ctx->lock);
		kfree(aviommu);
		return -ENOSPC;
	}
	down_read(&sim_seg_rwsem[req->seg]);
	sim_fired = 0;
	req->ret = amd_iommufd_viommu_init(&aviommu->core, &sim_pdom.domain, &user_data);
	req->fired = sim_fired;
	if (!req->ret) {
		ctx->viommus[slot] = aviommu;
		req->handle = slot;
		req->gid = aviommu->gid;
		req->trans_devid = aviommu->trans_devid;
	}
	req->vm = (u64)(unsigned long)aviommu->kvm;
	req->vm_pinned = aviommu->sim_vm_pinned;
	if (req->ret)
		kfree(aviommu);
	req->refs = kvmfd_refs(iommu->pci_seg, sim_xa_key(req->kvmfd));
	up_read(&sim_seg_rwsem[req->seg]);
	mutex_unlock(&ctx->lock);
	return 0;
}

/* Under ctx->lock. */
static void sim_viommu_destroy_slot(struct sim_ctx *ctx, int slot,
				    struct tdvsim_viommu_destroy *out)
{
	struct amd_iommu_viommu *aviommu = ctx->viommus[slot];
	struct amd_iommu *iommu = sim_iommu_of(aviommu);
	u16 seg = iommu->pci_seg->id;

	down_read(&sim_seg_rwsem[seg]);
	if (out)
		out->gen = xa_to_value(xa_load(&sim_gen_xa[seg], aviommu->kvmfd));
	sim_fired = 0;
	/* as iommufd's core: through the ops table init set */
	aviommu->core.ops->destroy(&aviommu->core);
	if (out)
		out->fired = sim_fired;
	ctx->viommus[slot] = NULL;
	if (out) {
		out->seg = seg;
		out->iommu_devid = iommu->devid;
		out->gid = aviommu->gid;
		out->kvmfd = aviommu->kvmfd;
		out->trans_devid = aviommu->trans_devid;
		out->vm = (u64)(unsigned long)aviommu->kvm;
		out->refs = kvmfd_refs(iommu->pci_seg, aviommu->kvmfd);
	}
	up_read(&sim_seg_rwsem[seg]);
	kfree(aviommu);
}

static int sim_state(struct tdvsim_state *st)
{
	struct amd_iommu_pci_seg *pci_seg;
	unsigned long index;
	void *entry;

	if (st->seg >= TDVSIM_NR_SEGS)
		return -EINVAL;
	pci_seg = &sim_segs[st->seg];
	st->nentries = st->allocated = st->reserved = 0;
	down_read(&sim_seg_rwsem[st->seg]);
	mutex_lock(&pci_seg->kvmfd_xa_mutex);
	xa_for_each(&pci_seg->kvmfd_xa, index, entry)
	{
		if (st->nentries < TDVSIM_STATE_MAX) {
			struct tdvsim_state_entry *out = &st->entries[st->nentries];

			out->kvmfd = index;
			if (xa_is_value(entry)) {
				/* a bare id: no refcount */
				out->refs = 0;
				out->trans_devid = xa_to_value(entry);
			} else {
				struct amd_iommu_kvmfd_trans_entry *e = entry;

				out->refs = refcount_read(&e->refs);
				out->trans_devid = e->trans_devid;
			}
		}
		st->nentries++;
	}
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
	mutex_lock(&pci_seg->trans_devid_mutex);
	xa_for_each(&pci_seg->trans_devid_xa, index, entry)
	{
		if (trans_devid_xa_get_state(entry) == TRANS_DEVID_ALLOCATED)
			st->allocated++;
		else
			st->reserved++;
	}
	mutex_unlock(&pci_seg->trans_devid_mutex);
	up_read(&sim_seg_rwsem[st->seg]);
	return 0;
}

/*
 * The overhead benchmark: get/put pairs straight into the patch's
 * functions, so the loop costs the allocator and whatever probes sit on it.
 */
static int sim_bench(struct tdvsim_bench *req)
{
	struct amd_iommu_pci_seg *pci_seg;
	u16 id;
	u64 i, start;
	u32 key;
	int ret = 0;

	if (req->seg >= TDVSIM_NR_SEGS || req->mode > TDVSIM_BENCH_HOLD || !req->pairs)
		return -EINVAL;
	if (!sim_vm_of_fd(req->kvmfd))
		return -EBADF;
	pci_seg = &sim_segs[req->seg];
	key = sim_xa_key(req->kvmfd);
	down_read(&sim_seg_rwsem[req->seg]);
	if (kvmfd_refs(pci_seg, key)) {
		ret = -EBUSY; /* fresh pairs need the entry absent, hold its count known */
		goto out;
	}
	if (req->mode == TDVSIM_BENCH_HOLD) {
		ret = amd_iommu_get_trans_devid_by_kvmfd(pci_seg, key, &id);
		if (ret)
			goto out;
	}
	start = ktime_get_ns();
	for (i = 0; i < req->pairs; i++) {
		ret = amd_iommu_get_trans_devid_by_kvmfd(pci_seg, key, &id);
		if (ret)
			break;
		amd_iommu_free_trans_devid_by_kvmfd(pci_seg, key);
		if (!(i & 1023))
			cond_resched(); /* TCG is slow: keep the soft-lockup watchdog quiet */
	}
	req->ns = ktime_get_ns() - start;
	if (req->mode == TDVSIM_BENCH_HOLD)
		amd_iommu_free_trans_devid_by_kvmfd(pci_seg, key);
out:
	up_read(&sim_seg_rwsem[req->seg]);
	return ret;
}

static long sim_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct sim_ctx *ctx = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case TDVSIM_VIOMMU_CREATE: {
		struct tdvsim_viommu_create req;
		int ret;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		ret = sim_viommu_create(ctx, &req);
		if (ret)
			return ret;
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
	}
	case TDVSIM_VIOMMU_DESTROY: {
		struct tdvsim_viommu_destroy req;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		mutex_lock(&ctx->lock);
		if (req.handle >= SIM_MAX_VIOMMUS || !ctx->viommus[req.handle]) {
			mutex_unlock(&ctx->lock);
			return -ENOENT;
		}
		sim_viommu_destroy_slot(ctx, req.handle, &req);
		mutex_unlock(&ctx->lock);
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
	}
	case TDVSIM_RESERVE: {
		struct tdvsim_reserve req;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		if (req.seg >= TDVSIM_NR_SEGS)
			return -EINVAL;
		down_read(&sim_seg_rwsem[req.seg]);
		req.ret = amd_iommu_trans_devid_reserve(&sim_segs[req.seg], req.id);
		up_read(&sim_seg_rwsem[req.seg]);
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
	}
	case TDVSIM_SEG_FINI: {
		u32 seg;

		if (get_user(seg, (u32 __user *)uarg))
			return -EFAULT;
		if (seg >= TDVSIM_NR_SEGS)
			return -EINVAL;
		down_write(&sim_seg_rwsem[seg]);
		amd_iommu_pci_seg_trans_devid_fini(&sim_segs[seg]);
		xa_destroy(&sim_owner_xa[seg]);
		/* The driver would be gone; the sim keeps the segment usable. */
		amd_iommu_pci_seg_trans_devid_init(&sim_segs[seg]);
		up_write(&sim_seg_rwsem[seg]);
		return 0;
	}
	case TDVSIM_SET_FAULT: {
		struct tdvsim_fault_req req;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		if (req.fault >= TDVSIM_NR_FAULTS || req.count > INT_MAX)
			return -EINVAL;
		atomic_set(&faults[req.fault], req.count);
		return 0;
	}
	case TDVSIM_TRUTH: {
		struct tdvsim_truth t;
		int s;

		/* Each segment's counters are consistent under its mutex. */
		for (s = 0; s < TDVSIM_NR_SEGS; s++) {
			down_read(&sim_seg_rwsem[s]);
			mutex_lock(&sim_segs[s].kvmfd_xa_mutex);
			t.gets[s] = sim_truth.gets[s];
			t.puts[s] = sim_truth.puts[s];
			t.alias[s] = sim_truth.alias[s];
			t.clear_while_shared[s] = atomic64_read(&sim_clear_while_shared[s]);
			t.vm_resolves[s] = atomic64_read(&sim_vm_resolves[s]);
			t.vm_pins[s] = atomic64_read(&sim_vm_pins[s]);
			t.gets_new[s] = sim_truth.gets_new[s];
			t.gets_failed[s] = sim_truth.gets_failed[s];
			t.id_allocs[s] = sim_truth.id_allocs[s];
			t.viommu_inits[s] = atomic64_read(&sim_viommu_inits[s]);
			t.viommu_destroys[s] = atomic64_read(&sim_viommu_destroys[s]);
			t.dte_sets[s] = atomic64_read(&sim_dte_sets[s]);
			t.dte_clears[s] = atomic64_read(&sim_dte_clears[s]);
			mutex_unlock(&sim_segs[s].kvmfd_xa_mutex);
			up_read(&sim_seg_rwsem[s]);
		}
		return copy_to_user(uarg, &t, sizeof(t)) ? -EFAULT : 0;
	}
	case TDVSIM_BENCH: {
		struct tdvsim_bench req;
		int ret;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		ret = sim_bench(&req);
		if (ret)
			return ret;
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
	}
	case TDVSIM_STATE: {
		struct tdvsim_state *st = kzalloc(sizeof(*st), GFP_KERNEL);
		int ret;

		if (!st)
			return -ENOMEM;
		ret = copy_from_user(st, uarg, sizeof(*st)) ? -EFAULT : sim_state(st);
		if (!ret && copy_to_user(uarg, st, sizeof(*st)))
			ret = -EFAULT;
		kfree(st);
		return ret;
	}
	}
	return -ENOTTY;
}

static int sim_open(struct inode *inode, struct file *filp)
{
	struct sim_ctx *ctx = kvzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->lock);
	filp->private_data = ctx;
	return 0;
}

/* Closing it destroys what it created, as closing an iommufd would. */
static int sim_release(struct inode *inode, struct file *filp)
{
	struct sim_ctx *ctx = filp->private_data;
	int slot;

	mutex_lock(&ctx->lock);
	for (slot = 0; slot < SIM_MAX_VIOMMUS; slot++)
		if (ctx->viommus[slot])
			sim_viommu_destroy_slot(ctx, slot, NULL);
	mutex_unlock(&ctx->lock);
	kvfree(ctx);
	return 0;
}

static const struct file_operations sim_fops = {
	.owner = THIS_MODULE,
	.open = sim_open,
	.release = sim_release,
	.unlocked_ioctl = sim_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice sim_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "tdvsim",
	.fops = &sim_fops,
	.mode = 0666,
};

static void sim_teardown(int nsegs)
{
	int s;

	for (s = 0; s < nsegs; s++) {
		list_del(&sim_segs[s].list);
		amd_iommu_pci_seg_trans_devid_fini(&sim_segs[s]);
		xa_destroy(&sim_owner_xa[s]);
		xa_destroy(&sim_gen_xa[s]);
		xa_destroy(&sim_refs_xa[s]);
		vfree(sim_segs[s].dev_table);
	}
}

static int __init tdvsim_init(void)
{
	int s, i, ret;

	spin_lock_init(&sim_pdom.lock);
	INIT_LIST_HEAD(&sim_pdom.viommu_list);
	sim_pdom.pt_root = 0x100000;
	sim_pdom.domain.type = IOMMU_DOMAIN_UNMANAGED;
	for (s = 0; s < TDVSIM_NR_SEGS; s++) {
		struct amd_iommu_pci_seg *pci_seg = &sim_segs[s];

		pci_seg->id = s;
		pci_seg->dev_table =
			vzalloc(array_size(SIM_NR_DEVIDS, sizeof(*pci_seg->dev_table)));
		if (!pci_seg->dev_table) {
			sim_teardown(s);
			return -ENOMEM;
		}
		init_rwsem(&sim_seg_rwsem[s]);
		amd_iommu_pci_seg_trans_devid_init(pci_seg);
		xa_init(&sim_owner_xa[s]);
		xa_init(&sim_gen_xa[s]);
		xa_init(&sim_refs_xa[s]);
		list_add_tail(&pci_seg->list, &amd_iommu_pci_seg_list);
	}
	for (i = 0; i < TDVSIM_NR_IOMMUS; i++) {
		sim_iommus[i].pci_seg = &sim_segs[i / TDVSIM_IOMMUS_PER_SEG];
		sim_iommus[i].devid = (i % TDVSIM_IOMMUS_PER_SEG) ? 0x0042 : 0x0002;
		mutex_init(&sim_iommus[i].gid_mutex);
	}
	ret = misc_register(&sim_dev);
	if (ret)
		sim_teardown(TDVSIM_NR_SEGS);
	return ret;
}

static void __exit tdvsim_exit(void)
{
	misc_deregister(&sim_dev);
	sim_teardown(TDVSIM_NR_SEGS);
	xa_destroy(&sim_vm_keys);
}

module_init(tdvsim_init);
module_exit(tdvsim_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Simulator of the AMD IOMMU trans_devid allocator, for tdvtrace's tests");
