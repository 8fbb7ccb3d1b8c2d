/* SPDX-License-Identifier: GPL-2.0 */
/* A small hash map from 64-bit keys to pointers, for the state model. */
#ifndef TDV_U64MAP_H
#define TDV_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map_node {
	struct u64map_node *next;
	uint64_t key;
	void *value;
};

struct u64map {
	struct u64map_node **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
};

void u64map_init(struct u64map *m);
/* Frees the nodes, not the values. */
void u64map_destroy(struct u64map *m);
void *u64map_get(const struct u64map *m, uint64_t key);
/* Insert or replace; returns 0 or -ENOMEM. */
int u64map_put(struct u64map *m, uint64_t key, void *value);
/* Remove and return the value, or NULL. */
void *u64map_del(struct u64map *m, uint64_t key);

/* Visit every value; @fn may not change the map. */
void u64map_each(const struct u64map *m, void (*fn)(void *ctx, uint64_t key, void *value),
		 void *ctx);

#endif /* TDV_U64MAP_H */
