/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live attach: what the allocator held before tdvtrace started. The
 * discovery iterator reads every segment's kvmfd_xa and every process's VM
 * files; tdv_seed() then tells the BPF maps and the model, so entries that
 * predate tdvtrace carry their true refcounts and owners (where the fd
 * number names one VM) and raise no false reports.
 */
#ifndef TDV_DISCOVER_H
#define TDV_DISCOVER_H

#include <stddef.h>
#include <linux/types.h>
#include "tdvtrace.h"

#include "model.h"

struct tdv_session;

struct tdv_discovery {
	struct tdv_found *found;
	size_t n;
	char blind[256]; /* why it could not look (tdv_discover: -ENOENT), "" if it did */
};

/*
 * Run the iterator. 0 or -errno (then @d is empty); -ENOENT with @d->blind
 * set when kallsyms cannot say where the segments are.
 */
int tdv_discover(struct tdv_discovery *d);
void tdv_discovery_free(struct tdv_discovery *d);

/*
 * Seed @s's BPF maps with the entries of @d and pass each, stamped @now_ns,
 * to @fn (if not NULL). Returns how many entries were seeded.
 */
size_t tdv_seed(const struct tdv_discovery *d, struct tdv_session *s, tdv_seed_fn fn, void *ctx,
		__u64 now_ns);

#endif /* TDV_DISCOVER_H */
