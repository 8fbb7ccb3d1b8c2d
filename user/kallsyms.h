/* SPDX-License-Identifier: GPL-2.0 */
/* Reading /proc/kallsyms, one symbol at a time. */
#ifndef TDV_KALLSYMS_H
#define TDV_KALLSYMS_H

#include <stdint.h>
#include "kernel_caps.h"

#define TDV_KALLSYMS tdv_root_path("/proc/kallsyms")

struct tdv_ksym {
	uint64_t addr; /* 0 where kptr_restrict hides addresses */
	char type;     /* 't'/'T' text, 'd'/'D' data, 'b'/'B' bss, ... */
	const char *name;
	const char *module; /* "" for vmlinux */
};

/* Return 0 to go on, anything else to stop the walk with that value. */
typedef int (*tdv_ksym_fn)(void *ctx, const struct tdv_ksym *sym);

/*
 * Call @fn with each symbol of @path (kallsyms format: "ADDR TYPE NAME
 * [MODULE]"), in file order; lines of another shape are skipped. Returns 0
 * at the end, what @fn returned to stop, or -errno when @path is unreadable.
 */
int tdv_kallsyms_each(const char *path, tdv_ksym_fn fn, void *ctx);

#endif /* TDV_KALLSYMS_H */
