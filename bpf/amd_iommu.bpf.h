/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD IOMMU driver's private types that tdvtrace reads, as the
 * trans_devid patch names them. Only the fields we read are declared; CO-RE
 * finds their real offsets and sizes in the driver's (module) BTF by name.
 *
 * The "___tdv" flavour keeps these from clashing with a vmlinux.h generated
 * on a kernel that has the driver built in; libbpf ignores the suffix when it
 * matches types.
 */
#ifndef AMD_IOMMU_BPF_H
#define AMD_IOMMU_BPF_H

#include "xarray.bpf.h"

struct amd_iommu_pci_seg___tdv {
	struct list_head list; /* on amd_iommu_pci_seg_list */
	u16 id;
	struct xarray trans_devid_xa;
	struct xarray kvmfd_xa;
} __attribute__((preserve_access_index));

struct amd_iommu___tdv {
	struct iommu_device iommu; /* what iommufd_viommu.iommu_dev points at */
	u16 devid;
	struct amd_iommu_pci_seg___tdv *pci_seg;
} __attribute__((preserve_access_index));

struct amd_iommu_kvmfd_trans_entry___tdv {
	refcount_t refs;
	u16 trans_devid;
} __attribute__((preserve_access_index));

struct iommufd_viommu___tdv {
	struct iommu_device *iommu_dev;
} __attribute__((preserve_access_index));

struct amd_iommu_viommu___tdv {
	struct iommufd_viommu___tdv core;
	u16 gid;
	u32 kvmfd;
	u16 trans_devid;
} __attribute__((preserve_access_index));

static __always_inline __u16 seg_id(struct amd_iommu_pci_seg___tdv *seg)
{
	return BPF_CORE_READ_BITFIELD_PROBED(seg, id);
}

/* The IOMMU a vIOMMU sits on: container_of(viommu->iommu_dev, ...). */
static __always_inline struct amd_iommu___tdv *iommu_of_viommu(struct iommufd_viommu___tdv *viommu)
{
	void *dev = BPF_CORE_READ(viommu, iommu_dev);

	return dev - bpf_core_field_offset(struct amd_iommu___tdv, iommu);
}

/* @kvmfd's entry in the segment's kvmfd_xa, NULL if none. */
static __always_inline struct amd_iommu_kvmfd_trans_entry___tdv *
kvmfd_entry(struct amd_iommu_pci_seg___tdv *seg, __u32 kvmfd)
{
	void *e = tdv_xa_load(&seg->kvmfd_xa, kvmfd);

	/* The patch also allows xa_mk_value(trans_devid): no refcount there. */
	if (!e || tdv_xa_is_value(e))
		return NULL;
	return e;
}

static __always_inline __u32 entry_refs(struct amd_iommu_kvmfd_trans_entry___tdv *e)
{
	return e ? BPF_CORE_READ(e, refs.refs.counter) : 0;
}

/*
 * @id's state in the segment's trans_devid_xa (enum tdv_id_state): the
 * kernel's own pool, read where trans_devid_free could not be traced. An
 * entry that is not a value is no state the patch stores: ALLOCATED, so a
 * pool we cannot read is never taken for a free id.
 */
static __always_inline __s32 tdv_id_state(struct amd_iommu_pci_seg___tdv *seg, __u16 id)
{
	void *e = tdv_xa_load(&seg->trans_devid_xa, id);

	if (!e)
		return TDV_ID_FREE;
	if (!tdv_xa_is_value(e))
		return TDV_ID_ALLOCATED;
	return (unsigned long)e >> 1; /* xa_to_value() */
}

/*
 * Did a get that returned @ret create its entry, allocating a trans_devid?
 * Where trans_devid_alloc is traced (@have_id_alloc): when it succeeded
 * inside the get (@allocated). Where the compiler inlined it: when the
 * entry holds one ref (@refs_after, read once the get returned).
 *
 * The driver decides under kvmfd_xa_mutex: an existing entry gets
 * refcount_inc() (so 2 or more), a fresh one refcount_set(1). Reading after
 * the return leaves only the short window from mutex_unlock() to the return
 * probe, where the get cannot sleep: an existing entry reads 1 only if its
 * other holders all put in that window. Looking for the entry at the get's
 * entry instead reads before mutex_lock(), and waiting for the mutex is
 * exactly when the other gets and puts of the segment run: a put holding it
 * erases the entry we saw (our get then makes a fresh one, counted shared,
 * and the new life would continue the old one's generation), a get holding
 * it creates the entry we missed (two "new" for one entry).
 */
static __always_inline bool tdv_get_created(int ret, bool have_id_alloc, bool allocated,
					    __u32 refs_after)
{
	if (ret)
		return false;
	return have_id_alloc ? allocated : refs_after == 1;
}

#endif /* AMD_IOMMU_BPF_H */
