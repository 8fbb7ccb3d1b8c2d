// SPDX-License-Identifier: GPL-2.0
/* The per-vIOMMU revision: amd_iommu_trans_devid_alloc/_free, one id per vIOMMU. */
#include "tdvrev.h"
#include "pervi_syms.h"

/* This revision programs the translate DTE by (pdom, gid) and clears it by id. */
__rev_symbol int amd_iommu_set_translate_dte(struct amd_iommu *iommu,
					     struct protection_domain *pdom, u16 gid,
					     u16 trans_devid)
{
	return 0;
}

__rev_symbol void amd_iommu_clear_translate_dte(struct amd_iommu *iommu, u16 trans_devid)
{
}

TDVREV_MODULE("the per-vIOMMU trans_devid revision");
