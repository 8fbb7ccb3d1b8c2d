// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "kallsyms.h"
#include "revision.h"

/* The symbols that tell the revisions apart (see revision.h). */
#define REVISION_MARKERS(X)                                                                        \
	X(GET, "amd_iommu_get_trans_devid_by_kvmfd")                                               \
	X(PUT, "amd_iommu_free_trans_devid_by_kvmfd")                                              \
	X(ALLOC, "amd_iommu_trans_devid_alloc")                                                    \
	X(FREE, "amd_iommu_trans_devid_free")                                                      \
	X(RELOCATE, "trans_devid_relocate")                                                        \
	X(DO_RELOCATE, "trans_devid_do_relocate")                                                  \
	X(VIOMMU_INIT, "amd_iommufd_viommu_init")                                                  \
	X(RESERVE, "amd_iommu_trans_devid_reserve")                                                \
	X(SEG_INIT, "amd_iommu_pci_seg_trans_devid_init")                                          \
	X(SET_DTE, "amd_iommu_set_translate_dte")

#define MARKER_ENUM(NAME, sym) MARK_##NAME,
#define MARKER_NAME(NAME, sym) [MARK_##NAME] = sym,
#define MARK(NAME) (1U << MARK_##NAME)

enum { REVISION_MARKERS(MARKER_ENUM) MARK_COUNT };

static const char *const marker_symbol[MARK_COUNT] = { REVISION_MARKERS(MARKER_NAME) };

_Static_assert(MARK_COUNT <= 32, "one bit per marker in tdv_revision_marks.seen");

#define SUPPORTED_LINE                                                                             \
	"tdvtrace traces only the per-VM trans_devid keyed by kvmfd "                              \
	"(amd_iommu_get_trans_devid_by_kvmfd/amd_iommu_free_trans_devid_by_kvmfd, "                \
	"[PATCH v2 21/26] iommu/amd: Map kvmfd to shared translate device ID for vIOMMU)"

const char *tdv_revision_name(enum tdv_revision_kind kind)
{
	static const char *const names[] = {
		[TDV_REV_NONE] = "none",
		[TDV_REV_KVMFD] = "per-VM trans_devid keyed by kvmfd",
		[TDV_REV_PER_VIOMMU] = "per-vIOMMU trans_devid",
		[TDV_REV_RELOCATE] = "per-vIOMMU trans_devid with relocation",
		[TDV_REV_VMM_SUPPLIED] = "VMM-supplied trans_devid",
		[TDV_REV_UNKNOWN] = "an unrecognised revision",
	};

	return names[kind];
}

/* @name is @symbol, or a compiler clone of it (symbol.isra.0, ...). */
static bool names_symbol(const char *name, const char *symbol)
{
	size_t len = strlen(symbol);

	return !strncmp(name, symbol, len) && (!name[len] || name[len] == '.');
}

static int scan_marker(void *ctx, const struct tdv_ksym *k)
{
	struct tdv_revision_marks *marks = ctx;

	if (k->type != 't' && k->type != 'T')
		return 0;
	if (!k->module[0] &&
	    (!strncmp(k->name, "amd_iommu_", 10) || !strncmp(k->name, "amd_viommu_", 11)))
		marks->builtin_driver = true;
	for (int i = 0; i < MARK_COUNT; i++) {
		if (!names_symbol(k->name, marker_symbol[i]))
			continue;
		marks->seen |= 1U << i;
		if (k->module[0] && !marks->marker_in_module) {
			marks->marker_in_module = true;
			snprintf(marks->module, sizeof(marks->module), "%s", k->module);
		}
	}
	return 0;
}

int tdv_revision_scan(const char *kallsyms, struct tdv_revision_marks *marks)
{
	memset(marks, 0, sizeof(*marks));
	return tdv_kallsyms_each(kallsyms, scan_marker, marks);
}

/* "a, b, c": the symbols of @mask that were seen. */
static void list_marks(unsigned int seen, unsigned int mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < MARK_COUNT && used < len; i++)
		if (seen & mask & (1U << i))
			used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
					 marker_symbol[i]);
}

void tdv_revision_classify(const struct tdv_revision_marks *marks, struct tdv_revision *rev)
{
	unsigned int seen = marks->seen, evidence;

	memset(rev, 0, sizeof(*rev));
	if ((seen & MARK(GET)) && (seen & MARK(PUT))) {
		rev->kind = TDV_REV_KVMFD;
		evidence = MARK(GET) | MARK(PUT);
	} else if (seen & (MARK(RELOCATE) | MARK(DO_RELOCATE))) {
		rev->kind = TDV_REV_RELOCATE;
		evidence = MARK(RELOCATE) | MARK(DO_RELOCATE) | MARK(ALLOC) | MARK(FREE);
	} else if (seen & (MARK(ALLOC) | MARK(FREE))) {
		rev->kind = TDV_REV_PER_VIOMMU;
		evidence = MARK(ALLOC) | MARK(FREE);
	} else if ((seen & MARK(VIOMMU_INIT)) && !(seen & (MARK(GET) | MARK(PUT)))) {
		rev->kind = TDV_REV_VMM_SUPPLIED;
		evidence = MARK(VIOMMU_INIT) | MARK(SET_DTE);
	} else if (seen) {
		rev->kind = TDV_REV_UNKNOWN;
		evidence = ~0U;
	} else {
		rev->kind = TDV_REV_NONE;
		evidence = 0;
	}
	list_marks(seen, evidence, rev->evidence, sizeof(rev->evidence));
	if (marks->marker_in_module) {
		rev->place = TDV_DRIVER_MODULE;
		snprintf(rev->module, sizeof(rev->module), "%s", marks->module);
	} else if (seen || marks->builtin_driver) {
		rev->place = TDV_DRIVER_BUILTIN;
	} else {
		rev->place = TDV_DRIVER_ABSENT;
	}
}

int tdv_revision_detect(const char *kallsyms, struct tdv_revision *rev)
{
	struct tdv_revision_marks marks;
	int err = tdv_revision_scan(kallsyms, &marks);

	if (err)
		return err;
	tdv_revision_classify(&marks, rev);
	return 0;
}

void tdv_revision_explain(const struct tdv_revision *rev, const char *missing, char *buf,
			  size_t len)
{
	char where[96];

	if (rev->place == TDV_DRIVER_MODULE)
		snprintf(where, sizeof(where), "in module %s", rev->module);
	else
		snprintf(where, sizeof(where), "built into the kernel");

	switch (rev->kind) {
	case TDV_REV_KVMFD:
		/* The patch is there; how to attach to it is not. */
		snprintf(buf, len, "cannot attach the required probes: missing %s", missing);
		break;
	case TDV_REV_NONE:
		if (rev->place == TDV_DRIVER_ABSENT)
			snprintf(buf, len,
				 "this kernel lacks the trans_devid patch: missing %s; it has no "
				 "AMD IOMMU driver (CONFIG_AMD_IOMMU is off): tdvtrace needs a "
				 "kernel built with the driver and the patch (its own tests load "
				 "the tdvsim simulator module instead)",
				 missing);
		else
			snprintf(buf, len,
				 "this kernel lacks the trans_devid patch: missing %s; its AMD "
				 "IOMMU driver is built in without it: boot a kernel built with "
				 "the patch",
				 missing);
		break;
	case TDV_REV_PER_VIOMMU:
	case TDV_REV_RELOCATE:
	case TDV_REV_VMM_SUPPLIED:
	case TDV_REV_UNKNOWN:
		snprintf(buf, len,
			 "this kernel carries another revision of the trans_devid series, %s "
			 "(%s, %s), which tdvtrace does not support; " SUPPORTED_LINE,
			 tdv_revision_name(rev->kind), rev->evidence, where);
		break;
	}
}
