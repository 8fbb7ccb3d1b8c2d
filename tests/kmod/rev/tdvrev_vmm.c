// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM-supplied revision: the VMM passes the trans_devid in the vIOMMU's
 * user data; the kernel allocates none, only reserves the ids its devices
 * use, and writes VF control itself (no amd_iommu_update_vfctrl_mmio_*).
 */
#include "tdvrev.h"

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

__rev_symbol void amd_iommu_set_translate_dte(struct amd_iommu *iommu, u16 gid,
					      struct protection_domain *pdom, u16 trans_devid)
{
}

__rev_symbol int amd_iommufd_viommu_init(struct iommufd_viommu *viommu, struct iommu_domain *parent,
					 const struct iommu_user_data *user_data)
{
	return -EINVAL;
}

TDVREV_MODULE("the VMM-supplied trans_devid revision");
