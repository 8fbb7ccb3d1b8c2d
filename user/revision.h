/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which revision of the AMD vIOMMU trans_devid series this kernel carries,
 * told from its symbols, and what to say when it is not the one tdvtrace
 * traces.
 *
 * The series went through several shapes (AMDESE/linux-iommu):
 *   - per-VM, keyed by kvmfd: amd_iommu_get_trans_devid_by_kvmfd() and
 *     amd_iommu_free_trans_devid_by_kvmfd() share one trans_devid between
 *     a VM's vIOMMUs ([PATCH v2 21/26] "iommu/amd: Map kvmfd to shared
 *     translate device ID for vIOMMU"): the one tdvtrace traces;
 *   - per-vIOMMU: each vIOMMU takes its own id with the global
 *     amd_iommu_trans_devid_alloc()/amd_iommu_trans_devid_free();
 *   - per-vIOMMU with relocation: as above, and the static
 *     trans_devid_relocate()/trans_devid_do_relocate() move a vIOMMU's id
 *     when a hot-plugged device needs it (if the compiler inlined both,
 *     this one shows as per-vIOMMU);
 *   - VMM-supplied: amd_iommufd_viommu_init() takes the trans_devid from
 *     the VMM's user data and the kernel allocates none.
 */
#ifndef TDV_REVISION_H
#define TDV_REVISION_H

#include <stdbool.h>
#include <stddef.h>

enum tdv_revision_kind {
	TDV_REV_NONE,	      /* no symbol of the series */
	TDV_REV_KVMFD,	      /* the per-VM kvmfd revision: supported */
	TDV_REV_PER_VIOMMU,   /* amd_iommu_trans_devid_alloc/_free */
	TDV_REV_RELOCATE,     /* ... and trans_devid_relocate */
	TDV_REV_VMM_SUPPLIED, /* vIOMMU init, no allocator */
	TDV_REV_UNKNOWN,      /* some symbols of the series, none of the above */
};

/* Where the AMD IOMMU driver is. */
enum tdv_driver_place {
	TDV_DRIVER_ABSENT,  /* no amd_iommu_* function at all */
	TDV_DRIVER_BUILTIN, /* in vmlinux: CONFIG_AMD_IOMMU is bool */
	TDV_DRIVER_MODULE,  /* in a module (tdvtrace's test simulators) */
};

struct tdv_revision {
	enum tdv_revision_kind kind;
	enum tdv_driver_place place;
	char module[64];    /* TDV_DRIVER_MODULE: which one */
	char evidence[256]; /* the symbols that told, comma-separated */
};

/* The markers seen in kallsyms; filled by tdv_revision_scan(). */
struct tdv_revision_marks {
	unsigned int seen;   /* bit per marker (revision.c) */
	bool builtin_driver; /* an amd_iommu_/amd_viommu_ function in vmlinux */
	char module[64];     /* module of the first marker found in one */
	bool marker_in_module;
};

/* Scan @kallsyms (a path in its format) into @marks. 0 or -errno. */
int tdv_revision_scan(const char *kallsyms, struct tdv_revision_marks *marks);

/* Decide the revision from @marks. */
void tdv_revision_classify(const struct tdv_revision_marks *marks, struct tdv_revision *rev);

/* Scan and classify: 0 or -errno when @kallsyms cannot be read. */
int tdv_revision_detect(const char *kallsyms, struct tdv_revision *rev);

const char *tdv_revision_name(enum tdv_revision_kind kind);

/*
 * The one line (no "tdvtrace: " prefix, no newline) for a kernel whose
 * required probes @missing (tdv_probes_missing_required()) are absent,
 * given what @rev found there.
 */
void tdv_revision_explain(const struct tdv_revision *rev, const char *missing, char *buf,
			  size_t len);

#endif /* TDV_REVISION_H */
