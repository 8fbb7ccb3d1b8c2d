/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small hash maps from 64-bit keys, for the state model: struct u64map holds
 * pointers (NULL means absent), struct u64nummap integers (where 0 is a value
 * like any other, so a lookup says whether the key is there).
 */
#ifndef TDV_U64MAP_H
#define TDV_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map_node {
	struct u64map_node *next;
	uint64_t key;
	union {
		void *ptr;    /* struct u64map */
		uint64_t num; /* struct u64nummap */
	};
};

struct u64map {
	struct u64map_node **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
};

void u64map_init(struct u64map *m);
/* Frees the nodes, not the values. */
void u64map_destroy(struct u64map *m);
/* The value, or NULL when @key is absent. */
void *u64map_get(const struct u64map *m, uint64_t key);
/* Insert or replace a non-NULL @value; returns 0 or -ENOMEM. */
int u64map_put(struct u64map *m, uint64_t key, void *value);
/* Remove and return the value, or NULL. */
void *u64map_del(struct u64map *m, uint64_t key);

/* Visit every value; @fn may not change the map. */
void u64map_each(const struct u64map *m, void (*fn)(void *ctx, uint64_t key, void *value),
		 void *ctx);

/* A map from 64-bit keys to 64-bit integers (a distinct type: no mixing). */
struct u64nummap {
	struct u64map map;
};

void u64nummap_init(struct u64nummap *m);
void u64nummap_destroy(struct u64nummap *m);
/* Whether @key is present; *@value is set only when it is. */
bool u64nummap_get(const struct u64nummap *m, uint64_t key, uint64_t *value);
/* Insert or replace; returns 0 or -ENOMEM. */
int u64nummap_put(struct u64nummap *m, uint64_t key, uint64_t value);
/* Whether @key was present. */
bool u64nummap_del(struct u64nummap *m, uint64_t key);

#endif /* TDV_U64MAP_H */
