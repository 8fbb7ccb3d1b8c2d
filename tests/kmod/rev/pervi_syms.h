/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-vIOMMU revision's pool: each vIOMMU takes its own id, the xarray
 * slot records its owner (AMDESE/linux-iommu trans_devid.c, per-vIOMMU
 * revisions). Shared by tdvrev_pervi.c and tdvrev_reloc.c.
 */
#ifndef TDVREV_PERVI_SYMS_H
#define TDVREV_PERVI_SYMS_H

__rev_symbol void amd_iommu_pci_seg_trans_devid_init(struct amd_iommu_pci_seg *pci_seg)
{
}

__rev_symbol void amd_iommu_pci_seg_trans_devid_fini(struct amd_iommu_pci_seg *pci_seg)
{
}

__rev_symbol int amd_iommu_trans_devid_reserve(struct amd_iommu_pci_seg *pci_seg, u16 id)
{
	return 0;
}

__rev_symbol int amd_iommu_trans_devid_alloc(struct amd_iommu_pci_seg *pci_seg,
					     struct amd_iommu_viommu *aviommu)
{
	return -ENOSPC;
}

__rev_symbol void amd_iommu_trans_devid_free(struct amd_iommu_pci_seg *pci_seg, u16 id,
					     struct amd_iommu_viommu *aviommu)
{
}

__rev_symbol void amd_iommu_update_vfctrl_mmio_translate_devid(struct amd_iommu *iommu, u16 gid,
							       u16 devid)
{
}

__rev_symbol int amd_iommufd_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent,
					 const struct iommu_user_data *user_data)
{
	return -EINVAL;
}

#endif /* TDVREV_PERVI_SYMS_H */
