/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The supported revision's symbols ([PATCH v2 21/26] "iommu/amd: Map kvmfd
 * to shared translate device ID for vIOMMU"), each with the prototype
 * tdvtrace expects unless the including file changes one:
 *   TDVREV_GET_KEY  the get's second parameter (default: u32 kvmfd)
 *   TDVREV_REFS     the entry's refcount field name (default: refs)
 */
#ifndef TDVREV_KVMFD_SYMS_H
#define TDVREV_KVMFD_SYMS_H

#ifndef TDVREV_GET_KEY
#define TDVREV_GET_KEY u32 kvmfd
#endif
#ifndef TDVREV_REFS
#define TDVREV_REFS refs
#endif

struct amd_iommu_kvmfd_trans_entry {
	refcount_t TDVREV_REFS;
	u16 trans_devid;
};

/* Puts the entry type in the module's BTF, as the driver's uses of it do. */
static __rev_symbol void kvmfd_entry_free(struct amd_iommu_kvmfd_trans_entry *entry)
{
}

__rev_symbol void amd_iommu_pci_seg_trans_devid_init(struct amd_iommu_pci_seg *pci_seg)
{
}

__rev_symbol void amd_iommu_pci_seg_trans_devid_fini(struct amd_iommu_pci_seg *pci_seg)
{
	kvmfd_entry_free(NULL);
}

__rev_symbol int amd_iommu_trans_devid_reserve(struct amd_iommu_pci_seg *pci_seg, u16 id)
{
	return 0;
}

static __rev_symbol int trans_devid_alloc(struct amd_iommu_pci_seg *pci_seg)
{
	return -ENOSPC;
}

static __rev_symbol void trans_devid_free(struct amd_iommu_pci_seg *pci_seg, u16 id)
{
}

__rev_symbol int amd_iommu_get_trans_devid_by_kvmfd(struct amd_iommu_pci_seg *pci_seg,
						    TDVREV_GET_KEY, u16 *trans_devid)
{
	return trans_devid_alloc(pci_seg);
}

__rev_symbol void amd_iommu_free_trans_devid_by_kvmfd(struct amd_iommu_pci_seg *pci_seg, u32 kvmfd)
{
	trans_devid_free(pci_seg, 0);
}

__rev_symbol void amd_iommu_set_translate_dte(struct amd_iommu *iommu, u16 gid,
					      struct protection_domain *pdom, u16 devid)
{
}

__rev_symbol void amd_iommu_clear_translate_dte(struct amd_iommu *iommu, u16 gid, u16 devid)
{
}

__rev_symbol void amd_iommu_update_vfctrl_mmio_translate_devid(struct amd_iommu *iommu, u16 gid,
							       u16 devid)
{
}

__rev_symbol void amd_viommu_uninit_one(struct amd_iommu *iommu, struct amd_iommu_viommu *aviommu)
{
}

__rev_symbol int amd_iommufd_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent,
					 const struct iommu_user_data *user_data)
{
	return -EINVAL;
}

static __rev_symbol void amd_iommufd_viommu_destroy(struct iommufd_viommu *viommu)
{
}

#endif /* TDVREV_KVMFD_SYMS_H */
