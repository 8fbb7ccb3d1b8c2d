// SPDX-License-Identifier: GPL-2.0
/*
 * Field-by-field little-endian encoding of recording payloads: each payload
 * is a list of struct members, encoded by the writer and decoded by the
 * reader from the same list. A field added to a struct must be appended to
 * its list (and its payload length in recfile_codec.h) in a new minor
 * version: readers take the prefix they know.
 */
#include <string.h>
#include <zlib.h>
#include "recfile_codec.h"

#define MEMBER_SIZE(type, m) sizeof(((type *)0)->m)
#define FIELD(type, m, kind)                                                                       \
	{                                                                                          \
		offsetof(type, m), MEMBER_SIZE(type, m), kind                                      \
	}
#define LAYOUT(list)                                                                               \
	{                                                                                          \
		list, sizeof(list) / sizeof(list[0])                                               \
	}

/* A member added to these structs must be added to the encoding too. */
_Static_assert(sizeof(struct tdv_event) == 96, "struct tdv_event changed: update recfile_codec.c");
_Static_assert(sizeof(struct tdv_model_seed) == 64, "struct tdv_model_seed changed");

/* One per line, in wire order: clang-format would pack them in columns. */
/* clang-format off */
static const struct rec_field event_fields[] = {
	FIELD(struct tdv_event, ts_ns, REC_INT),
	FIELD(struct tdv_event, vm, REC_INT),
	FIELD(struct tdv_event, lat_ns, REC_INT),
	FIELD(struct tdv_event, kind, REC_INT),
	FIELD(struct tdv_event, fields, REC_INT),
	FIELD(struct tdv_event, cpu, REC_INT),
	FIELD(struct tdv_event, pid, REC_INT),
	FIELD(struct tdv_event, tgid, REC_INT),
	FIELD(struct tdv_event, kvmfd, REC_INT),
	FIELD(struct tdv_event, ret, REC_INT),
	FIELD(struct tdv_event, refs, REC_INT),
	FIELD(struct tdv_event, gen, REC_INT),
	FIELD(struct tdv_event, seg, REC_INT),
	FIELD(struct tdv_event, trans_devid, REC_INT),
	FIELD(struct tdv_event, gid, REC_INT),
	FIELD(struct tdv_event, iommu, REC_INT),
	FIELD(struct tdv_event, kstack, REC_INT),
	FIELD(struct tdv_event, ustack, REC_INT),
	FIELD(struct tdv_event, comm, REC_COMM),
};
/* clang-format on */

static const struct rec_field seed_fields[] = {
	FIELD(struct tdv_model_seed, seg, REC_INT),
	FIELD(struct tdv_model_seed, kvmfd, REC_INT),
	FIELD(struct tdv_model_seed, gen, REC_INT),
	FIELD(struct tdv_model_seed, trans_devid, REC_INT),
	FIELD(struct tdv_model_seed, refs, REC_INT),
	FIELD(struct tdv_model_seed, vm, REC_INT),
	FIELD(struct tdv_model_seed, tgid, REC_INT),
	FIELD(struct tdv_model_seed, comm, REC_COMM),
	FIELD(struct tdv_model_seed, ts_ns, REC_INT),
};

static const struct rec_field header_fields[] = {
	FIELD(struct tdv_rec_header, start_ns, REC_INT),
	FIELD(struct tdv_rec_header, boot_offset_ns, REC_INT),
	FIELD(struct tdv_rec_header, filter_tgid, REC_INT),
	FIELD(struct tdv_rec_header, filter_seg, REC_INT),
	FIELD(struct tdv_rec_header, filter_kvmfd, REC_INT),
	FIELD(struct tdv_rec_header, krelease, REC_STR),
	FIELD(struct tdv_rec_header, version, REC_STR),
	FIELD(struct tdv_rec_header, hostname, REC_STR),
};

static const struct rec_field probe_fields[] = {
	FIELD(struct tdv_rec_probe, name, REC_STR),
	FIELD(struct tdv_rec_probe, attach, REC_INT),
};

const struct rec_layout rec_event_layout = LAYOUT(event_fields);
const struct rec_layout rec_seed_layout = LAYOUT(seed_fields);
const struct rec_layout rec_header_layout = LAYOUT(header_fields);
const struct rec_layout rec_probe_layout = LAYOUT(probe_fields);

uint32_t rec_crc(const uint8_t *p, size_t n)
{
	return crc32(0, p, n);
}

/* At most @size - 1 bytes, so the reader's buffer of @size holds it all. */
static uint8_t *put_str(uint8_t *p, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	p = rec_put16(p, n);
	memcpy(p, s, n);
	return p + n;
}

/* A member's bits, whatever its signedness: the wire keeps them as they are. */
union member_int {
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
};

static uint64_t load_int(const uint8_t *src, size_t size)
{
	union member_int m;

	memcpy(&m, src, size);
	return size == 1 ? m.u8 : size == 2 ? m.u16 : size == 4 ? m.u32 : m.u64;
}

static void store_int(uint8_t *dst, uint64_t v, size_t size)
{
	union member_int m;

	if (size == 1)
		m.u8 = v;
	else if (size == 2)
		m.u16 = v;
	else if (size == 4)
		m.u32 = v;
	else
		m.u64 = v;
	memcpy(dst, &m, size);
}

static uint8_t *put_le(uint8_t *p, uint64_t v, size_t size)
{
	for (size_t i = 0; i < size; i++)
		p[i] = v >> 8 * i;
	return p + size;
}

uint8_t *rec_encode(uint8_t *p, const void *obj, const struct rec_layout *l)
{
	for (size_t i = 0; i < l->nfields; i++) {
		const struct rec_field *f = &l->fields[i];
		const uint8_t *src = (const uint8_t *)obj + f->offset;

		switch (f->kind) {
		case REC_INT:
			p = put_le(p, load_int(src, f->size), f->size);
			break;
		case REC_COMM:
			memcpy(p, src, f->size);
			p += f->size;
			break;
		case REC_STR:
			p = put_str(p, (const char *)src, f->size);
			break;
		}
	}
	return p;
}

static const uint8_t *take(struct rec_cursor *c, size_t n)
{
	const uint8_t *p = c->p + c->pos;

	if (c->over || c->len - c->pos < n) {
		c->over = true;
		return NULL;
	}
	c->pos += n;
	return p;
}

static uint64_t get_le(struct rec_cursor *c, size_t size)
{
	const uint8_t *p = take(c, size);
	uint64_t v = 0;

	for (size_t i = 0; p && i < size; i++)
		v |= (uint64_t)p[i] << 8 * i;
	return v;
}

uint8_t rec_get8(struct rec_cursor *c)
{
	return get_le(c, 1);
}

uint16_t rec_get16(struct rec_cursor *c)
{
	return get_le(c, 2);
}

uint64_t rec_get64(struct rec_cursor *c)
{
	return get_le(c, 8);
}

/* A string printed later to a terminal: no control characters. */
static void copy_clean(char *dst, size_t size, const uint8_t *src, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] < 0x20 || src[i] == 0x7f ? '?' : (char)src[i];
	dst[n] = '\0';
}

/* A length-prefixed string, kept to @size - 1 bytes. */
static void get_str(struct rec_cursor *c, char *dst, size_t size)
{
	uint16_t n = rec_get16(c);
	const uint8_t *p = take(c, n);

	copy_clean(dst, size, p ? p : (const uint8_t *)"", p ? n : 0);
}

/* A fixed char[@size]: bytes as they are, NUL-terminated. */
static void get_comm(struct rec_cursor *c, char *dst, size_t size)
{
	const uint8_t *p = take(c, size);

	memset(dst, 0, size);
	if (p)
		memcpy(dst, p, size - 1);
}

void rec_decode(struct rec_cursor *c, void *obj, const struct rec_layout *l)
{
	for (size_t i = 0; i < l->nfields; i++) {
		const struct rec_field *f = &l->fields[i];
		uint8_t *dst = (uint8_t *)obj + f->offset;

		switch (f->kind) {
		case REC_INT:
			store_int(dst, get_le(c, f->size), f->size);
			break;
		case REC_COMM:
			get_comm(c, (char *)dst, f->size);
			break;
		case REC_STR:
			get_str(c, (char *)dst, f->size);
			break;
		}
	}
}
