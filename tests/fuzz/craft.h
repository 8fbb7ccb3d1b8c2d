/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sample recordings and byte-level surgery on them, shared by the unit test
 * (tests/unit/test_recfile.c) and the corpus generator (gen_corpus.c), so
 * the checked-in bad inputs are what the test reasons about.
 */
#ifndef TDV_CRAFT_H
#define TDV_CRAFT_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "recfile.h"

#define CRAFT_HEAD 16 /* magic, major, minor, header length */
#define CRAFT_REC_HEAD 8
#define CRAFT_MAX_RECS 64

static inline void craft_put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void craft_put32(uint8_t *p, uint32_t v)
{
	craft_put16(p, v);
	craft_put16(p + 2, v >> 16);
}

static inline uint32_t craft_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* End of the head: where the first record starts. */
static inline size_t craft_head_end(const uint8_t *buf)
{
	return CRAFT_HEAD + craft_le32(buf + 12) + 4;
}

/* Offsets of the records of a well-formed @buf; how many. */
static inline size_t craft_records(const uint8_t *buf, size_t len, size_t *offs)
{
	size_t n = 0;

	for (size_t off = craft_head_end(buf); off < len && n < CRAFT_MAX_RECS;
	     off += CRAFT_REC_HEAD + craft_le32(buf + off + 4) + 4)
		offs[n++] = off;
	return n;
}

/* After editing the record at @off: its checksum again. */
static inline void craft_fix_record(uint8_t *buf, size_t off)
{
	uint32_t n = CRAFT_REC_HEAD + craft_le32(buf + off + 4);

	craft_put32(buf + off + n, crc32(0, buf + off, n));
}

/* After editing the header payload: its checksum again. */
static inline void craft_fix_header(uint8_t *buf)
{
	uint32_t n = craft_le32(buf + 12);

	craft_put32(buf + CRAFT_HEAD + n, crc32(0, buf + CRAFT_HEAD, n));
}

/* Insert @n bytes at @off of the malloc'ed *@buf. */
static inline void craft_insert(uint8_t **buf, size_t *len, size_t off, const void *src, size_t n)
{
	uint8_t *b = realloc(*buf, *len + n);

	if (!b)
		abort();
	memmove(b + off + n, b + off, *len - off);
	memcpy(b + off, src, n);
	*buf = b;
	*len += n;
}

/* A record of @type around @payload at @out (room for @n + 12); its size. */
static inline size_t craft_record(uint8_t *out, uint16_t type, const void *payload, uint32_t n)
{
	craft_put16(out, type);
	craft_put16(out + 2, 0);
	craft_put32(out + 4, n);
	memcpy(out + CRAFT_REC_HEAD, payload, n);
	craft_fix_record(out, 0);
	return CRAFT_REC_HEAD + n + 4;
}

/* Grow the record at @off by @extra bytes of @fill (a newer minor version). */
static inline void craft_grow_record(uint8_t **buf, size_t *len, size_t off, size_t extra,
				     uint8_t fill)
{
	uint32_t n = craft_le32(*buf + off + 4);
	uint8_t pad[256];

	memset(pad, fill, sizeof(pad));
	craft_insert(buf, len, off + CRAFT_REC_HEAD + n, pad, extra);
	craft_put32(*buf + off + 4, n + extra);
	craft_fix_record(*buf, off);
}

static inline uint8_t *craft_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(n ? n : 1);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = n;
	}
	fclose(f);
	return buf;
}

static inline int craft_spill(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f)
		return -1;
	if (fwrite(buf, 1, len, f) != len)
		ret = -1;
	if (fclose(f))
		ret = -1;
	return ret;
}

static inline void craft_header(struct tdv_rec_header *h, unsigned int nprobes)
{
	static const char *const names[] = { "amd_iommu_get_trans_devid_by_kvmfd",
					     "amd_iommu_free_trans_devid_by_kvmfd",
					     "trans_devid_alloc", "sched_process_exit" };

	memset(h, 0, sizeof(*h));
	h->start_ns = 1234567890123ULL;
	h->boot_offset_ns = 1700000000000000000ULL;
	h->filter_tgid = 4242;
	h->filter_seg = -1;
	h->filter_kvmfd = -1;
	strcpy(h->krelease, "6.1.0-28-cloud-amd64");
	strcpy(h->version, "0.1.0");
	strcpy(h->hostname, "guest");
	h->nprobes = nprobes;
	for (unsigned int i = 0; i < nprobes; i++) {
		snprintf(h->probes[i].name, sizeof(h->probes[i].name), "%s",
			 names[i % (sizeof(names) / sizeof(names[0]))]);
		h->probes[i].attach = i % (TDV_REC_TRACEPOINT + 1);
	}
	h->has_observed = true; /* written by every writer since minor 1 */
	h->observed = TDV_OBSERVE_ID_FREE;
}

/* Event of @kind with every field set to a value of its own. */
static inline struct tdv_event craft_event(uint32_t kind)
{
	struct tdv_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = 1234567890123ULL + kind * 1000;
	e.vm = 0xffff888012345600ULL + kind;
	e.lat_ns = 1000 + kind;
	e.kind = kind;
	e.fields = TDV_F_ALL;
	e.cpu = kind % 4;
	e.pid = 1000 + kind;
	e.tgid = 900 + kind;
	e.kvmfd = 10 + kind;
	e.ret = -(int32_t)kind;
	e.refs = 2 * kind;
	e.gen = 3 * kind;
	e.seg = kind % 2;
	e.trans_devid = 0xff00 + kind;
	e.gid = 40 + kind;
	e.iommu = 0x42;
	e.kstack = 7; /* dropped on write */
	e.ustack = -14;
	snprintf(e.comm, sizeof(e.comm), "qemu-vm%u", kind);
	return e;
}

static inline struct tdv_model_seed craft_seed(void)
{
	struct tdv_model_seed s;

	memset(&s, 0, sizeof(s));
	s.seg = 1;
	s.kvmfd = 12;
	s.gen = 1;
	s.trans_devid = 0x0101;
	s.refs = 3;
	s.vm = 0xffff888000abc000ULL;
	s.tgid = 777;
	strcpy(s.comm, "cloud-hyperviso"); /* 15: comm is cut there */
	s.ts_ns = 1234567890000ULL;
	return s;
}

/*
 * The small sample: header with 4 probes, records SEED, EVENT get, EVENT
 * put, LOSS, END. @path gets it; 0 or -errno.
 */
/* A writer on @path, created or truncated: for tests, in their own folders. */
static inline struct tdv_rec_writer *craft_create(const char *path, const struct tdv_rec_header *h,
						  char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	struct tdv_rec_writer *w;
	int e;

	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s", path);
		return NULL;
	}
	w = tdv_rec_create(fd, h, err, errlen);
	if (!w) {
		e = errno;
		close(fd);
		errno = e;
	}
	return w;
}

static inline int craft_small(const char *path)
{
	struct tdv_rec_header h;
	struct tdv_rec_writer *w;
	struct tdv_model_seed s = craft_seed();
	struct tdv_event get = craft_event(TDV_EV_GET), put = craft_event(TDV_EV_PUT);
	char err[256];

	craft_header(&h, 4);
	w = craft_create(path, &h, err, sizeof(err));
	if (!w)
		return -1;
	tdv_rec_seed(w, &s);
	tdv_rec_event(w, &get);
	tdv_rec_event(w, &put);
	tdv_rec_loss(w, 1234567899999ULL, 5);
	return tdv_rec_close(w, 1234567999999ULL);
}

#endif /* TDV_CRAFT_H */
