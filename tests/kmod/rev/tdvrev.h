/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the revision modules share: the driver's types as far as the
 * functions below name them, and the module boilerplate.
 *
 * Each tdvrev_*.ko carries the symbols and prototypes of one revision of the
 * trans_devid series (AMDESE/linux-iommu drivers/iommu/amd/trans_devid.c,
 * iommufd.c, viommu.c), or of the supported one with one thing changed.
 * tdvtrace must recognise each and refuse it before attaching, so the
 * bodies do nothing: nothing calls them. Every function is kept out of line
 * (__rev_symbol), so its symbol and BTF are there as in a driver build
 * where it is not inlined.
 */
#ifndef TDVREV_H
#define TDVREV_H

#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/xarray.h>

#define __rev_symbol noinline __used __attribute__((__noipa__))

struct kvm;
struct iommu_user_data; /* the kernel's own since 6.7; a pointer is all we need */

struct amd_iommu_pci_seg {
	struct list_head list;
	u16 id;
	struct mutex trans_devid_mutex;
	struct xarray trans_devid_xa;
#ifdef TDVREV_KVMFD
	struct mutex kvmfd_xa_mutex;
	struct xarray kvmfd_xa;
#endif
};

struct amd_iommu {
	struct list_head list;
	struct iommu_device iommu;
	u16 devid;
	struct amd_iommu_pci_seg *pci_seg;
};

struct protection_domain {
	struct list_head viommu_list;
	struct iommu_domain domain;
};

struct iommufd_viommu {
	struct iommu_device *iommu_dev;
};

struct amd_iommu_viommu {
	struct iommufd_viommu core;
	struct protection_domain *parent;
	u16 gid;
#ifdef TDVREV_KVMFD
	u32 kvmfd;
	struct kvm *kvm;
#endif
	u16 trans_devid;
#ifdef TDVREV_RELOCATE
	struct mutex trans_devid_lock; /* relocation's per-vIOMMU lock */
#endif
};

#define TDVREV_MODULE(what)                                                                        \
	static int __init tdvrev_init(void)                                                        \
	{                                                                                          \
		pr_info("carries " what "\n");                                                     \
		return 0;                                                                          \
	}                                                                                          \
	static void __exit tdvrev_exit(void)                                                       \
	{                                                                                          \
	}                                                                                          \
	module_init(tdvrev_init);                                                                  \
	module_exit(tdvrev_exit);                                                                  \
	MODULE_LICENSE("GPL");                                                                     \
	MODULE_DESCRIPTION("tdvtrace test: symbols of " what)

#endif /* TDVREV_H */
