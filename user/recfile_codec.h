/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire layout of recording files (recfile.h), shared by the writer
 * (recfile_write.c) and the reader (recfile_read.c) so that both encode a
 * payload from one field list and cannot drift apart.
 */
#ifndef TDV_RECFILE_CODEC_H
#define TDV_RECFILE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "recfile.h"

#define REC_MAGIC "TDVTRACE"
#define REC_MAGIC_LEN 8
#define REC_FILE_HEAD_LEN 16 /* magic, major, minor, header length */
#define REC_HEAD_LEN 8	     /* type, flags, payload length */
#define REC_CRC_LEN 4

/*
 * Payload sizes of this minor version; their fields are the lists in
 * recfile_codec.c. LOSS: u64 ts_ns lost. END: u64 end_ns events lost.
 */
#define REC_EVENT_LEN 92
#define REC_LOSS_LEN 16
#define REC_SEED_LEN 52
#define REC_END_LEN 24
/* Largest header: fixed fields, three strings, every probe. */
#define REC_HEADER_MAX (32 + 2 + 64 + 2 + 31 + 2 + 64 + 2 + TDV_REC_MAX_PROBES * (2 + 63 + 1) + 1)

/* How one struct member goes on the wire, in the order of its list. */
enum rec_field_kind {
	REC_INT,  /* little-endian, as wide as the member */
	REC_COMM, /* char[TDV_COMM_LEN] as is; read back NUL-terminated */
	REC_STR,  /* u16 length, bytes: at most sizeof(member) - 1 of them */
};

struct rec_field {
	uint16_t offset, size;
	enum rec_field_kind kind;
};

struct rec_layout {
	const struct rec_field *fields;
	size_t nfields;
};

/*
 * The event and seed payloads; the header up to its u16 probe count, and one
 * entry of the probe list after it.
 */
extern const struct rec_layout rec_event_layout, rec_seed_layout;
extern const struct rec_layout rec_header_layout, rec_probe_layout;

static inline uint8_t *rec_put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	return p + 2;
}

static inline uint8_t *rec_put32(uint8_t *p, uint32_t v)
{
	rec_put16(p, v);
	return rec_put16(p + 2, v >> 16);
}

static inline uint8_t *rec_put64(uint8_t *p, uint64_t v)
{
	rec_put32(p, v);
	return rec_put32(p + 4, v >> 32);
}

static inline uint16_t rec_le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static inline uint32_t rec_le32(const uint8_t *p)
{
	return rec_le16(p) | (uint32_t)rec_le16(p + 2) << 16;
}

uint32_t rec_crc(const uint8_t *p, size_t n);

/* The members of @obj listed in @l, one after another from @p; returns the end. */
uint8_t *rec_encode(uint8_t *p, const void *obj, const struct rec_layout *l);

/* Reads a payload without ever passing its end. */
struct rec_cursor {
	const uint8_t *p;
	size_t len, pos;
	bool over; /* a field ran past the end: every later read gives 0 */
};

uint8_t rec_get8(struct rec_cursor *c);
uint16_t rec_get16(struct rec_cursor *c);
uint64_t rec_get64(struct rec_cursor *c);

/* Fill the members of @obj listed in @l; past the end they become 0 or "". */
void rec_decode(struct rec_cursor *c, void *obj, const struct rec_layout *l);

#endif /* TDV_RECFILE_CODEC_H */
