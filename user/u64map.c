// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "u64map.h"

#define U64MAP_MIN_BUCKETS 64

static size_t bucket_of(uint64_t key, size_t nbuckets)
{
	/* Fibonacci hashing spreads the dense small keys we use. */
	return (key * 0x9e3779b97f4a7c15ULL) >> 32 & (nbuckets - 1);
}

void u64map_init(struct u64map *m)
{
	m->buckets = NULL;
	m->nbuckets = 0;
	m->count = 0;
}

void u64map_destroy(struct u64map *m)
{
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct u64map_node *n = m->buckets[i];

		while (n) {
			struct u64map_node *next = n->next;

			free(n);
			n = next;
		}
	}
	free(m->buckets);
	u64map_init(m);
}

static struct u64map_node **find(const struct u64map *m, uint64_t key)
{
	struct u64map_node **pp;

	if (!m->nbuckets)
		return NULL;
	for (pp = &m->buckets[bucket_of(key, m->nbuckets)]; *pp; pp = &(*pp)->next)
		if ((*pp)->key == key)
			return pp;
	return NULL;
}

static int grow(struct u64map *m)
{
	size_t n = m->nbuckets ? m->nbuckets * 2 : U64MAP_MIN_BUCKETS;
	struct u64map_node **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct u64map_node *node = m->buckets[i];

		while (node) {
			struct u64map_node *next = node->next;
			size_t j = bucket_of(node->key, n);

			node->next = b[j];
			b[j] = node;
			node = next;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = n;
	return 0;
}

/* The node of @key, added (its value unset) when absent; NULL: no memory. */
static struct u64map_node *node_of(struct u64map *m, uint64_t key)
{
	struct u64map_node **pp = find(m, key), *node;
	size_t b;

	if (pp)
		return *pp;
	if (m->count >= m->nbuckets && grow(m))
		return NULL;
	node = malloc(sizeof(*node));
	if (!node)
		return NULL;
	b = bucket_of(key, m->nbuckets);
	node->key = key;
	node->next = m->buckets[b];
	m->buckets[b] = node;
	m->count++;
	return node;
}

/* Unlink the node of @key and return it (the caller frees it), or NULL. */
static struct u64map_node *unlink_node(struct u64map *m, uint64_t key)
{
	struct u64map_node **pp = find(m, key), *node;

	if (!pp)
		return NULL;
	node = *pp;
	*pp = node->next;
	m->count--;
	return node;
}

void *u64map_get(const struct u64map *m, uint64_t key)
{
	struct u64map_node **pp = find(m, key);

	return pp ? (*pp)->ptr : NULL;
}

int u64map_put(struct u64map *m, uint64_t key, void *value)
{
	struct u64map_node *node = node_of(m, key);

	if (!node)
		return -ENOMEM;
	node->ptr = value;
	return 0;
}

void *u64map_del(struct u64map *m, uint64_t key)
{
	struct u64map_node *node = unlink_node(m, key);
	void *value;

	if (!node)
		return NULL;
	value = node->ptr;
	free(node);
	return value;
}

void u64map_each(const struct u64map *m, void (*fn)(void *ctx, uint64_t key, void *value),
		 void *ctx)
{
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct u64map_node *n = m->buckets[i]; n; n = n->next)
			fn(ctx, n->key, n->ptr);
}

void u64nummap_init(struct u64nummap *m)
{
	u64map_init(&m->map);
}

void u64nummap_destroy(struct u64nummap *m)
{
	u64map_destroy(&m->map);
}

bool u64nummap_get(const struct u64nummap *m, uint64_t key, uint64_t *value)
{
	struct u64map_node **pp = find(&m->map, key);

	if (!pp)
		return false;
	*value = (*pp)->num;
	return true;
}

int u64nummap_put(struct u64nummap *m, uint64_t key, uint64_t value)
{
	struct u64map_node *node = node_of(&m->map, key);

	if (!node)
		return -ENOMEM;
	node->num = value;
	return 0;
}

bool u64nummap_del(struct u64nummap *m, uint64_t key)
{
	struct u64map_node *node = unlink_node(&m->map, key);
	bool found = node;

	free(node);
	return found;
}
