// SPDX-License-Identifier: GPL-2.0
/*
 * tdvsim: the AMD IOMMU translate-device-id logic of the patch
 * "iommu/amd: Map kvmfd to shared translate device ID for vIOMMU", reproduced
 * under the same symbol, type and field names so tdvtrace runs against it
 * unmodified on a kernel without the hardware.
 *
 * The trans_devid functions follow the patch line by line. Around them: two
 * PCI segments of two IOMMUs each, an in-memory device table (translate
 * DTEs) and VF control registers, vIOMMU init/destroy with the patch's error
 * paths, VMs as anon-inode fds (kvmfd = the fd number; the last close runs
 * kvm_destroy_vm), and fault injection. Every traced function is noinline and
 * has an effect later code reads, so no call is optimised away.
 */
#define pr_fmt(fmt) "tdvsim: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include "tdvsim_uapi.h"

static bool fixed;
module_param(fixed, bool, 0444);
MODULE_PARM_DESC(fixed, "Clear a translate DTE only when its last ref goes (the patch clears it "
			"on every vIOMMU destroy)");

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
#define DTE_TRANSLATE_MARK BIT_ULL(62) /* sim: "holds a GPA->SPA table" */

struct amd_iommu_pci_seg {
	struct list_head list;
	u16 id;
	struct dev_table_entry *dev_table;
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
	struct iommu_device iommu;
	u16 devid;
	struct amd_iommu_pci_seg *pci_seg;
	struct mutex gid_mutex;
	unsigned long gid_bitmap[BITS_TO_LONGS(TDVSIM_NR_GIDS)];
	u64 vfctrl[TDVSIM_NR_GIDS]; /* VF control: TransDevID in bits 15:0 */
};

struct protection_domain {
	u64 pt_root;
	spinlock_t lock;
	struct list_head viommu_list;
};

struct iommufd_viommu {
	struct iommu_device *iommu_dev;
	const void *ops;
};

struct amd_iommu_viommu {
	struct iommufd_viommu core;
	struct protection_domain *parent;
	struct list_head pdom_list;
	struct xarray gdomid_array;
	u16 gid;
	u32 kvmfd;
	u64 *devid_table;
	u64 *domid_table;
	u16 trans_devid;
	/* Offset for mmap() of guest VF MMIO; set after iommufd_viommu_alloc_mmap(). */
	unsigned long vfmmio_mmap_offset;
};

/* The vIOMMU allocation data userspace passes (uapi iommu_viommu_amd). */
struct iommu_viommu_amd {
	u32 kvmfd;
	u32 reserved;
};

struct kvm {
	u64 id;
	refcount_t users_count;
};

LIST_HEAD(amd_iommu_pci_seg_list);
static struct amd_iommu_pci_seg sim_segs[TDVSIM_NR_SEGS];
static struct amd_iommu sim_iommus[TDVSIM_NR_IOMMUS];
static struct protection_domain sim_pdom;
static atomic_t faults[TDVSIM_NR_FAULTS];
static atomic64_t next_vm_id;

/*
 * sim: ground truth, outside the patch's own state. Who created each
 * kvmfd_xa entry (a VM id), and the counters of struct tdvsim_truth, both
 * per segment and updated under that segment's kvmfd_xa_mutex.
 */
static struct xarray sim_owner_xa[TDVSIM_NR_SEGS];
static struct tdvsim_truth sim_truth;
static const struct file_operations kvm_vm_fops;

/* The VM the caller's fd @fd is, 0 if it is not one. */
static u64 sim_vm_of_fd(u32 fd)
{
	struct file *f = fget(fd);
	u64 id = 0;

	if (!f)
		return 0;
	if (f->f_op == &kvm_vm_fops)
		id = ((struct kvm *)f->private_data)->id;
	fput(f);
	return id;
}

/*
 * A translate DTE is about to be cleared for @kvmfd's vIOMMU: do other
 * vIOMMUs still hold the entry? The patch clears it anyway (counted as
 * ground truth); with fixed=1 the clear waits for the last ref.
 */
static bool sim_clear_dte_now(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd)
{
	struct amd_iommu_kvmfd_trans_entry *entry;
	bool shared;

	mutex_lock(&pci_seg->kvmfd_xa_mutex);
	entry = xa_load(&pci_seg->kvmfd_xa, kvmfd);
	shared = entry && !xa_is_value(entry) && refcount_read(&entry->refs) > 1;
	if (shared && !fixed)
		sim_truth.clear_while_shared[pci_seg->id]++;
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
	return !(shared && fixed);
}

/* Consume one pending fault of this kind, if any. */
static bool fault_hit(enum tdvsim_fault f)
{
	return atomic_add_unless(&faults[f], -1, 0);
}

/* ---- trans_devid.c, as patched --------------------------------------------- */

static noinline __attribute__((__noipa__)) void trans_devid_free(struct amd_iommu_pci_seg *pci_seg,
								 u16 id);

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

noinline void amd_iommu_pci_seg_trans_devid_init(struct amd_iommu_pci_seg *pci_seg)
{
	mutex_init(&pci_seg->trans_devid_mutex);
	xa_init(&pci_seg->trans_devid_xa);
	mutex_init(&pci_seg->kvmfd_xa_mutex);
	xa_init(&pci_seg->kvmfd_xa);
}

noinline void amd_iommu_pci_seg_trans_devid_fini(struct amd_iommu_pci_seg *pci_seg)
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
		if (cur == ULONG_MAX)
			break;
		index = cur + 1;
	}
	xa_destroy(&pci_seg->kvmfd_xa);
	xa_destroy(&pci_seg->trans_devid_xa);
}

noinline int amd_iommu_trans_devid_reserve(struct amd_iommu_pci_seg *pci_seg, u16 id)
{
	void *old;
	int ret = 0;

	mutex_lock(&pci_seg->trans_devid_mutex);
	old = xa_load(&pci_seg->trans_devid_xa, id);
	if (trans_devid_xa_get_state(old) == TRANS_DEVID_ALLOCATED) {
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

/*
 * trans_devid_alloc - allocate a translate-device-id for @pci_seg
 *
 * The trans_devid is allocated from the highest id to the lowest id.
 */
static noinline __attribute__((__noipa__)) int trans_devid_alloc(struct amd_iommu_pci_seg *pci_seg)
{
	int id;

	mutex_lock(&pci_seg->trans_devid_mutex);
	for (id = U16_MAX; id >= 0; id--) {
		void *entry, *old;

		/* sim: FAIL_ALLOC_ENOSPC makes every id look taken */
		if (id == U16_MAX && fault_hit(TDVSIM_FAULT_FAIL_ALLOC_ENOSPC))
			break;
		entry = xa_load(&pci_seg->trans_devid_xa, id);
		if (entry)
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

static noinline __attribute__((__noipa__)) void trans_devid_free(struct amd_iommu_pci_seg *pci_seg,
								 u16 id)
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

noinline int amd_iommu_get_trans_devid_by_kvmfd(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd,
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
		if (xa_to_value(xa_load(&sim_owner_xa[pci_seg->id], kvmfd)) != sim_vm_of_fd(kvmfd))
			sim_truth.alias[pci_seg->id]++;
		refcount_inc(&entry->refs);
		*trans_devid = entry->trans_devid;
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
	xa_store(&sim_owner_xa[pci_seg->id], kvmfd, xa_mk_value(sim_vm_of_fd(kvmfd)), GFP_KERNEL);

	*trans_devid = id;
out_unlock:
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
	return ret;
}

noinline void amd_iommu_free_trans_devid_by_kvmfd(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd)
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
		mutex_unlock(&pci_seg->kvmfd_xa_mutex);
		return;
	}

	tid = entry->trans_devid;
	/* sim: SKIP_ID_FREE leaves the id allocated with no owner */
	if (!fault_hit(TDVSIM_FAULT_SKIP_ID_FREE))
		trans_devid_free(pci_seg, tid);
	xa_erase(&pci_seg->kvmfd_xa, kvmfd);
	xa_erase(&sim_owner_xa[pci_seg->id], kvmfd);
	kfree(entry);
	mutex_unlock(&pci_seg->kvmfd_xa_mutex);
}

/* ---- DTE and VF control (iommu.c / viommu.c) ---------------------------------------- */

noinline void amd_iommu_set_translate_dte(struct amd_iommu *iommu, u16 gid,
					  struct protection_domain *pdom, u16 devid)
{
	struct dev_table_entry *dte = &iommu->pci_seg->dev_table[devid];

	WRITE_ONCE(dte->data[0], (pdom->pt_root & PAGE_MASK) | DTE_FLAG_TV | DTE_FLAG_V);
	WRITE_ONCE(dte->data[1], DTE_TRANSLATE_MARK | gid);
}

noinline void amd_iommu_clear_translate_dte(struct amd_iommu *iommu, u16 gid, u16 devid)
{
	struct dev_table_entry *dte = &iommu->pci_seg->dev_table[devid];

	WRITE_ONCE(dte->data[0], 0);
	WRITE_ONCE(dte->data[1], 0);
}

noinline void amd_iommu_update_vfctrl_mmio_translate_devid(struct amd_iommu *iommu, u16 gid,
							   u16 devid)
{
	u64 v = READ_ONCE(iommu->vfctrl[gid]);

	WRITE_ONCE(iommu->vfctrl[gid], (v & ~0xffffULL) | devid);
}

static void iommu_reset_vmmio(struct amd_iommu *iommu, u16 gid)
{
	WRITE_ONCE(iommu->vfctrl[gid], 0);
}

noinline int amd_viommu_init_one(struct amd_iommu *iommu, struct amd_iommu_viommu *aviommu)
{
	if (fault_hit(TDVSIM_FAULT_FAIL_INIT_ONE))
		return -EIO;
	aviommu->devid_table = kcalloc(4, sizeof(u64), GFP_KERNEL);
	aviommu->domid_table = kcalloc(4, sizeof(u64), GFP_KERNEL);
	if (!aviommu->devid_table || !aviommu->domid_table) {
		kfree(aviommu->devid_table);
		kfree(aviommu->domid_table);
		return -ENOMEM;
	}
	return 0;
}

noinline void amd_viommu_uninit_one(struct amd_iommu *iommu, struct amd_iommu_viommu *aviommu)
{
	kfree(aviommu->devid_table);
	kfree(aviommu->domid_table);
	aviommu->devid_table = NULL;
	aviommu->domid_table = NULL;

	amd_iommu_update_vfctrl_mmio_translate_devid(iommu, aviommu->gid, 0);
	/* sim: SKIP_DTE_CLEAR leaves the translate DTE behind */
	if (!fault_hit(TDVSIM_FAULT_SKIP_DTE_CLEAR) &&
	    sim_clear_dte_now(iommu->pci_seg, aviommu->kvmfd))
		amd_iommu_clear_translate_dte(iommu, aviommu->gid, aviommu->trans_devid);
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

/* ---- iommufd.c, as patched ---------------------------------------------------- */

noinline int amd_iommufd_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent,
				     const struct iommu_viommu_amd *user_data)
{
	int ret;
	unsigned long flags;
	u16 trans_devid;
	struct iommu_viommu_amd data = {};
	struct protection_domain *pdom = &sim_pdom;
	struct amd_iommu *iommu = container_of(viommu->iommu_dev, struct amd_iommu, iommu);
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);

	ret = amd_iommu_gid_alloc(iommu);
	if (ret < 0)
		return ret;
	aviommu->gid = ret;
	aviommu->parent = pdom;
	xa_init(&aviommu->gdomid_array);
	spin_lock_irqsave(&pdom->lock, flags);
	list_add(&aviommu->pdom_list, &pdom->viommu_list);
	spin_unlock_irqrestore(&pdom->lock, flags);
	aviommu->vfmmio_mmap_offset = 0x1000ULL * aviommu->gid;

	data = *user_data;

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

	aviommu->trans_devid = trans_devid;
	aviommu->kvmfd = data.kvmfd;
	return 0;

err_init:
	amd_iommu_update_vfctrl_mmio_translate_devid(iommu, aviommu->gid, 0);
	if (sim_clear_dte_now(iommu->pci_seg, data.kvmfd))
		amd_iommu_clear_translate_dte(iommu, aviommu->gid, trans_devid);
	amd_iommu_free_trans_devid_by_kvmfd(iommu->pci_seg, data.kvmfd);
err_kvmfd:
	aviommu->vfmmio_mmap_offset = 0;
	spin_lock_irqsave(&pdom->lock, flags);
	list_del(&aviommu->pdom_list);
	spin_unlock_irqrestore(&pdom->lock, flags);
	amd_iommu_gid_free(iommu, aviommu->gid);
	return ret;
}

noinline void amd_iommufd_viommu_destroy(struct iommufd_viommu *viommu)
{
	unsigned long flags;
	struct amd_iommu *iommu = container_of(viommu->iommu_dev, struct amd_iommu, iommu);
	struct amd_iommu_viommu *aviommu = container_of(viommu, struct amd_iommu_viommu, core);
	struct protection_domain *pdom = aviommu->parent;

	spin_lock_irqsave(&pdom->lock, flags);
	list_del(&aviommu->pdom_list);
	spin_unlock_irqrestore(&pdom->lock, flags);
	xa_destroy(&aviommu->gdomid_array);
	amd_iommu_gid_free(iommu, aviommu->gid);
	amd_viommu_uninit_one(iommu, aviommu);
	aviommu->vfmmio_mmap_offset = 0;
	/* sim: SKIP_PUT leaks the ref; DOUBLE_PUT drops it twice */
	if (fault_hit(TDVSIM_FAULT_SKIP_PUT))
		return;
	amd_iommu_free_trans_devid_by_kvmfd(iommu->pci_seg, aviommu->kvmfd);
	if (fault_hit(TDVSIM_FAULT_DOUBLE_PUT))
		amd_iommu_free_trans_devid_by_kvmfd(iommu->pci_seg, aviommu->kvmfd);
}

/* ---- VMs: kvm_destroy_vm on the last close ------------------------------------ */

noinline void kvm_destroy_vm(struct kvm *kvm)
{
	pr_debug("VM %llu destroyed\n", kvm->id);
	kfree(kvm);
}

static int kvm_vm_release(struct inode *inode, struct file *filp)
{
	struct kvm *kvm = filp->private_data;

	if (refcount_dec_and_test(&kvm->users_count))
		kvm_destroy_vm(kvm);
	return 0;
}

static const struct file_operations kvm_vm_fops = {
	.owner = THIS_MODULE,
	.release = kvm_vm_release,
	.llseek = noop_llseek,
};

static int sim_create_vm(void)
{
	struct kvm *kvm = kzalloc(sizeof(*kvm), GFP_KERNEL);
	int fd;

	if (!kvm)
		return -ENOMEM;
	kvm->id = atomic64_inc_return(&next_vm_id);
	refcount_set(&kvm->users_count, 1);
	fd = anon_inode_getfd("kvm-vm", &kvm_vm_fops, kvm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		kfree(kvm);
	return fd;
}

/* ---- /dev/tdvsim ------------------------------------------------------------------ */

#define SIM_MAX_VIOMMUS 1024

/* What one open of /dev/tdvsim created, as an iommufd owns its objects. */
struct sim_ctx {
	struct mutex lock;
	struct amd_iommu_viommu *viommus[SIM_MAX_VIOMMUS];
};

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
	struct amd_iommu_viommu *aviommu;
	struct amd_iommu *iommu;
	int slot;

	if (req->iommu >= TDVSIM_NR_IOMMUS)
		return -EINVAL;
	iommu = &sim_iommus[req->iommu];
	req->handle = -1;
	req->seg = iommu->pci_seg->id;
	req->iommu_devid = iommu->devid;
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
	req->ret = amd_iommufd_viommu_init(&aviommu->core, NULL, &data);
	if (!req->ret) {
		ctx->viommus[slot] = aviommu;
		req->handle = slot;
		req->gid = aviommu->gid;
		req->trans_devid = aviommu->trans_devid;
	} else {
		kfree(aviommu);
	}
	mutex_unlock(&ctx->lock);
	req->refs = kvmfd_refs(iommu->pci_seg, req->kvmfd);
	return 0;
}

static void sim_viommu_destroy_slot(struct sim_ctx *ctx, int slot,
				    struct tdvsim_viommu_destroy *out)
{
	struct amd_iommu_viommu *aviommu = ctx->viommus[slot];
	struct amd_iommu *iommu = container_of(aviommu->core.iommu_dev, struct amd_iommu, iommu);

	amd_iommufd_viommu_destroy(&aviommu->core);
	ctx->viommus[slot] = NULL;
	if (out) {
		out->seg = iommu->pci_seg->id;
		out->iommu_devid = iommu->devid;
		out->gid = aviommu->gid;
		out->kvmfd = aviommu->kvmfd;
		out->trans_devid = aviommu->trans_devid;
		out->refs = kvmfd_refs(iommu->pci_seg, aviommu->kvmfd);
	}
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
	mutex_lock(&pci_seg->kvmfd_xa_mutex);
	xa_for_each(&pci_seg->kvmfd_xa, index, entry)
	{
		struct amd_iommu_kvmfd_trans_entry *e = entry;

		if (st->nentries < TDVSIM_STATE_MAX && !xa_is_value(entry)) {
			st->entries[st->nentries].kvmfd = index;
			st->entries[st->nentries].refs = refcount_read(&e->refs);
			st->entries[st->nentries].trans_devid = e->trans_devid;
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
	return 0;
}

static long sim_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct sim_ctx *ctx = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case TDVSIM_CREATE_VM:
		return sim_create_vm();
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
		req.ret = amd_iommu_trans_devid_reserve(&sim_segs[req.seg], req.id);
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
	}
	case TDVSIM_SEG_FINI: {
		u32 seg;

		if (get_user(seg, (u32 __user *)uarg))
			return -EFAULT;
		if (seg >= TDVSIM_NR_SEGS)
			return -EINVAL;
		amd_iommu_pci_seg_trans_devid_fini(&sim_segs[seg]);
		xa_destroy(&sim_owner_xa[seg]);
		/* The driver would be gone; the sim keeps the segment usable. */
		amd_iommu_pci_seg_trans_devid_init(&sim_segs[seg]);
		return 0;
	}
	case TDVSIM_SET_FAULT: {
		struct tdvsim_fault_req req;

		if (copy_from_user(&req, uarg, sizeof(req)))
			return -EFAULT;
		if (req.fault >= TDVSIM_NR_FAULTS)
			return -EINVAL;
		atomic_set(&faults[req.fault], req.count);
		return 0;
	}
	case TDVSIM_TRUTH:
		return copy_to_user(uarg, &sim_truth, sizeof(sim_truth)) ? -EFAULT : 0;
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

	mutex_lock(&ctx->lock);
	for (int slot = 0; slot < SIM_MAX_VIOMMUS; slot++)
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
	for (int s = 0; s < nsegs; s++) {
		list_del(&sim_segs[s].list);
		amd_iommu_pci_seg_trans_devid_fini(&sim_segs[s]);
		xa_destroy(&sim_owner_xa[s]);
		vfree(sim_segs[s].dev_table);
	}
}

static int __init tdvsim_init(void)
{
	int s, i, ret;

	spin_lock_init(&sim_pdom.lock);
	INIT_LIST_HEAD(&sim_pdom.viommu_list);
	sim_pdom.pt_root = 0x100000;
	for (s = 0; s < TDVSIM_NR_SEGS; s++) {
		struct amd_iommu_pci_seg *pci_seg = &sim_segs[s];

		pci_seg->id = s;
		pci_seg->dev_table = vzalloc(sizeof(*pci_seg->dev_table) * 65536);
		if (!pci_seg->dev_table) {
			sim_teardown(s);
			return -ENOMEM;
		}
		amd_iommu_pci_seg_trans_devid_init(pci_seg);
		xa_init(&sim_owner_xa[s]);
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
}

module_init(tdvsim_init);
module_exit(tdvsim_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Simulator of the AMD IOMMU trans_devid allocator, for tdvtrace's tests");
