// SPDX-License-Identifier: GPL-2.0
/*
 * The per-vIOMMU revision with relocation: a hot-plugged device that needs
 * an id a vIOMMU holds moves that vIOMMU to a new id.
 */
#define TDVREV_RELOCATE
#include "tdvrev.h"
#include "pervi_syms.h"

/* Here the translate DTE is programmed from the vIOMMU itself. */
__rev_symbol int amd_iommu_set_translate_dte(struct iommufd_viommu *viommu)
{
	return 0;
}

__rev_symbol void amd_iommu_clear_translate_dte(struct amd_iommu *iommu, u16 trans_devid)
{
}

static __rev_symbol int trans_devid_do_relocate(struct amd_iommu_viommu *aviommu, u16 old_id,
						u16 new_id)
{
	return 0;
}

static __rev_symbol int trans_devid_relocate(struct amd_iommu_pci_seg *pci_seg, u16 from_id,
					     struct amd_iommu_viommu *aviommu)
{
	return trans_devid_do_relocate(aviommu, from_id, from_id);
}

TDVREV_MODULE("the per-vIOMMU trans_devid revision with relocation");
