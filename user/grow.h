/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Growable arrays: one rule for every array that grows by appending (double
 * the capacity, start at a given size, refuse on overflow).
 */
#ifndef TDV_GROW_H
#define TDV_GROW_H

#include <stddef.h>

/*
 * Make room for at least @need elements of @size bytes at *@arr, whose
 * capacity is *@cap (0 when *@arr is NULL): doubles from @first. On failure
 * *@arr and *@cap are unchanged. Returns 0 or -ENOMEM.
 */
int tdv_grow(void **arr, size_t *cap, size_t need, size_t size, size_t first);

/* TDV_GROW(p, cap, need, first): tdv_grow for a typed pointer @p. */
#define TDV_GROW(p, cap, need, first) tdv_grow((void **)&(p), &(cap), (need), sizeof(*(p)), (first))

#endif /* TDV_GROW_H */
