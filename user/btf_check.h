/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Before anything loads: do the traced functions still take what the BPF
 * programs read, and do the driver's structs still have the fields they
 * read? A kernel whose driver changed gets one line naming the function or
 * field, never a verifier dump or values read from the wrong place.
 *
 * Types are compared by shape: typedefs resolved, const/volatile dropped,
 * integers as u8..u64/s8..s64/bool, structs by name, pointers as "T *".
 */
#ifndef TDV_BTF_CHECK_H
#define TDV_BTF_CHECK_H

#include <stddef.h>
#include "probes.h"

struct btf;

#define TDV_PROTO_MAX_PARAMS 6

/* What a traced function must look like (shapes, as above). */
struct tdv_proto {
	const char *ret; /* NULL: not read (the programs ignore it) */
	int nparams;
	const char *param[TDV_PROTO_MAX_PARAMS];
};

/* The prototype the programs expect of @kind's function; NULL for a tracepoint. */
const struct tdv_proto *tdv_probe_proto(enum tdv_event_kind kind);

/* The shape of type @id of @btf into @buf ("struct amd_iommu_pci_seg *"). */
void tdv_btf_shape(const struct btf *btf, __u32 id, char *buf, size_t len);

/*
 * Compare the FUNC @symbol of @btf with @want. 0 when it matches, 1 with
 * what differs in @why ("takes (...); tdvtrace expects (...)"), -ENOENT
 * when @btf has no such FUNC.
 */
int tdv_btf_check_func(const struct btf *btf, const char *symbol, const struct tdv_proto *want,
		       char *why, size_t len);

/*
 * Check every struct field the programs read (struct amd_iommu_pci_seg,
 * amd_iommu, amd_iommu_kvmfd_trans_entry, iommufd_viommu,
 * amd_iommu_viommu) in @btf: 0, or 1 with the first missing or changed one
 * in @why.
 */
int tdv_btf_check_fields(const struct btf *btf, char *why, size_t len);

/*
 * Both checks on this kernel: each found probe's function against its
 * module's (or vmlinux's) BTF, and the fields against the BTF of the module
 * holding the get probe. 0, or 1 with one line (no "tdvtrace: " prefix) in
 * @why ("module M: what differs: ..."). Functions without BTF cannot be
 * checked and pass.
 */
int tdv_btf_check_probes(const struct tdv_probe_set *set, char *why, size_t len);

#endif /* TDV_BTF_CHECK_H */
