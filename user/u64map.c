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

void *u64map_get(const struct u64map *m, uint64_t key)
{
	struct u64map_node **pp = find(m, key);

	return pp ? (*pp)->value : NULL;
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

int u64map_put(struct u64map *m, uint64_t key, void *value)
{
	struct u64map_node **pp = find(m, key), *node;
	size_t b;

	if (pp) {
		(*pp)->value = value;
		return 0;
	}
	if (m->count >= m->nbuckets && grow(m))
		return -ENOMEM;
	node = malloc(sizeof(*node));
	if (!node)
		return -ENOMEM;
	b = bucket_of(key, m->nbuckets);
	node->key = key;
	node->value = value;
	node->next = m->buckets[b];
	m->buckets[b] = node;
	m->count++;
	return 0;
}

void *u64map_del(struct u64map *m, uint64_t key)
{
	struct u64map_node **pp = find(m, key), *node;
	void *value;

	if (!pp)
		return NULL;
	node = *pp;
	value = node->value;
	*pp = node->next;
	free(node);
	m->count--;
	return value;
}

void u64map_each(const struct u64map *m, void (*fn)(void *ctx, uint64_t key, void *value),
		 void *ctx)
{
	for (size_t i = 0; i < m->nbuckets; i++)
		for (struct u64map_node *n = m->buckets[i]; n; n = n->next)
			fn(ctx, n->key, n->value);
}
