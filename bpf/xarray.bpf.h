/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xa_load() for BPF: walk a kernel xarray read-only with CO-RE reads.
 *
 * Mirrors lib/xarray.c: an entry with low bits 10 (and above 4096) is an
 * internal node pointer; each node level consumes XA_CHUNK_SHIFT bits of the
 * index. tdvtrace reads after the driver dropped its mutex, so a concurrent
 * update can make the walk see an old or new entry, never fault: every read
 * is a probe read.
 */
#ifndef XARRAY_BPF_H
#define XARRAY_BPF_H

#define TDV_XA_CHUNK_SHIFT 6
#define TDV_XA_CHUNK_MASK ((1UL << TDV_XA_CHUNK_SHIFT) - 1)
/* 32-bit indexes need at most 6 levels of 6 bits. */
#define TDV_XA_MAX_DEPTH 6

static __always_inline bool tdv_xa_is_node(const void *entry)
{
	unsigned long v = (unsigned long)entry;

	return (v & 3) == 2 && v > 4096;
}

static __always_inline void *tdv_xa_load(struct xarray *xa, unsigned long index)
{
	void *entry = BPF_CORE_READ(xa, xa_head);
	struct xa_node *node;
	unsigned int shift;
	int depth;

	if (!tdv_xa_is_node(entry))
		return index ? NULL : entry;

	node = (struct xa_node *)((unsigned long)entry - 2);
	shift = BPF_CORE_READ(node, shift);
	if (shift < 64 - TDV_XA_CHUNK_SHIFT && (index >> shift) > TDV_XA_CHUNK_MASK)
		return NULL;

#pragma unroll
	for (depth = 0; depth < TDV_XA_MAX_DEPTH; depth++) {
		unsigned long offset = (index >> (shift & 63)) & TDV_XA_CHUNK_MASK;

		entry = BPF_CORE_READ(node, slots[offset]);
		if (!tdv_xa_is_node(entry))
			return entry;
		node = (struct xa_node *)((unsigned long)entry - 2);
		shift = BPF_CORE_READ(node, shift);
	}
	return NULL;
}

/* xa_is_value(): integer entries (xa_mk_value) have the low bit set. */
static __always_inline bool tdv_xa_is_value(const void *entry)
{
	return (unsigned long)entry & 1;
}

#endif /* XARRAY_BPF_H */
