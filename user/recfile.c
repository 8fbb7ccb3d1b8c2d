// SPDX-License-Identifier: GPL-2.0
/*
 * Writing and reading recording files (format in recfile.h).
 *
 * The reader trusts nothing in the file: every length is checked against
 * what is left before it is used, and nothing is allocated by a length read
 * from the file, so any input ends in a status, never in a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "event_format.h"
#include "grow.h"
#include "recfile.h"

#define MAGIC "TDVTRACE"
#define MAGIC_LEN 8
#define HEAD_LEN 16 /* magic, major, minor, header length */
#define REC_HEAD_LEN 8
#define CRC_LEN 4
/* A tail of zeros this long, cutting a record, is taken for lost blocks. */
#define ZERO_FILL_MIN 8

/*
 * Payload sizes of this minor version. EVENT: u64 ts_ns vm lat_ns, u32 kind
 * fields cpu pid tgid kvmfd, i32 ret, u32 refs gen, u16 seg trans_devid gid
 * iommu, i32 kstack ustack, comm[16]. SEED: u16 seg, u32 kvmfd gen, u16
 * trans_devid, u32 refs, u64 vm, u32 tgid, comm[16], u64 ts_ns.
 */
#define EVENT_LEN 92
#define LOSS_LEN 16
#define SEED_LEN 52
#define END_LEN 24
/* Largest header: fixed fields, three strings, every probe. */
#define HEADER_MAX (32 + 2 + 64 + 2 + 31 + 2 + 64 + 2 + TDV_REC_MAX_PROBES * (2 + 63 + 1))

/* A field added to these structs must be added to the encoding too. */
_Static_assert(sizeof(struct tdv_event) == 96, "struct tdv_event changed: update recfile.c");
_Static_assert(sizeof(struct tdv_model_seed) == 64, "struct tdv_model_seed changed");

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	return put16(p + 2, v >> 16);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	return put32(p + 4, v >> 32);
}

static uint8_t *put_bytes(uint8_t *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* At most @size - 1 bytes, so the reader's buffer of @size holds it all. */
static uint8_t *put_str(uint8_t *p, const char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	return put_bytes(put16(p, n), s, n);
}

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint32_t crc(const uint8_t *p, size_t n)
{
	return crc32(0, p, n);
}

struct tdv_rec_writer {
	int fd;
	bool regular; /* fsync only files: a pipe or /dev/null refuses it */
	int err;      /* first failure, -errno: later calls only report it */
	uint64_t events, lost;
	size_t used;
	uint8_t buf[1 << 16];
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return -EIO; /* would loop forever */
		p += k;
		n -= k;
	}
	return 0;
}

int tdv_rec_flush(struct tdv_rec_writer *w)
{
	if (!w)
		return -EINVAL;
	if (!w->err && w->used)
		w->err = write_all(w->fd, w->buf, w->used);
	w->used = 0;
	return w->err;
}

static int append(struct tdv_rec_writer *w, uint16_t type, const uint8_t *payload, size_t len)
{
	uint8_t *start, *p;

	if (w->err)
		return w->err;
	if (w->used + REC_HEAD_LEN + len + CRC_LEN > sizeof(w->buf) && tdv_rec_flush(w))
		return w->err;
	start = w->buf + w->used;
	p = put16(start, type);
	p = put16(p, 0);
	p = put32(p, len);
	p = put_bytes(p, payload, len);
	p = put32(p, crc(start, p - start));
	w->used += p - start;
	return 0;
}

/* What is wrong with @h, or NULL: the file must not hold what no reader takes. */
static const char *bad_header(const struct tdv_rec_header *h)
{
	if (h->nprobes > TDV_REC_MAX_PROBES)
		return "more probes than TDV_REC_MAX_PROBES";
	for (unsigned int i = 0; i < h->nprobes; i++)
		if (h->probes[i].attach > TDV_REC_TRACEPOINT)
			return "a probe's attach method is not an enum tdv_rec_attach";
	return NULL;
}

/* The head goes to the start of w->buf. */
static void put_head(struct tdv_rec_writer *w, const struct tdv_rec_header *h)
{
	uint8_t *payload = w->buf + HEAD_LEN, *p = payload;

	p = put64(p, h->start_ns);
	p = put64(p, h->boot_offset_ns);
	p = put32(p, h->filter_tgid);
	p = put32(p, h->filter_seg);
	p = put64(p, h->filter_kvmfd);
	p = put_str(p, h->krelease, sizeof(h->krelease));
	p = put_str(p, h->version, sizeof(h->version));
	p = put_str(p, h->hostname, sizeof(h->hostname));
	p = put16(p, h->nprobes);
	for (unsigned int i = 0; i < h->nprobes; i++) {
		p = put_str(p, h->probes[i].name, sizeof(h->probes[i].name));
		*p++ = h->probes[i].attach;
	}

	memcpy(w->buf, MAGIC, MAGIC_LEN);
	put16(w->buf + 8, TDV_REC_MAJOR);
	put16(w->buf + 10, TDV_REC_MINOR);
	put32(w->buf + 12, p - payload);
	p = put32(p, crc(payload, p - payload));
	w->used = p - w->buf;
}

_Static_assert(HEAD_LEN + HEADER_MAX + CRC_LEN <= sizeof(((struct tdv_rec_writer *)0)->buf),
	       "the head must fit the write buffer");

struct tdv_rec_writer *tdv_rec_create(const char *path, const struct tdv_rec_header *h, char *err,
				      size_t errlen)
{
	struct tdv_rec_writer *w;
	struct stat st;
	const char *what = "cannot create", *bad = bad_header(h);
	int e;

	if (bad) {
		if (err && errlen)
			snprintf(err, errlen, "%s: bad recording header: %s", path, bad);
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		e = errno;
		goto fail;
	}
	w->fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		e = errno;
		goto fail;
	}
	if (fstat(w->fd, &st)) {
		e = errno;
		goto fail_close;
	}
	w->regular = S_ISREG(st.st_mode);
	/* An existing file keeps its mode through O_TRUNC: events are private. */
	if (w->regular && (st.st_mode & 07777) != 0600 && fchmod(w->fd, 0600)) {
		e = errno;
		goto fail_close;
	}
	put_head(w, h);
	/* On disk at once: even a recording killed at start is recognisable. */
	what = "cannot write";
	e = -tdv_rec_flush(w);
	if (e)
		goto fail_close;
	return w;

fail_close:
	close(w->fd);
	if (w->regular)
		unlink(path);
fail:
	free(w);
	if (err && errlen)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	errno = e;
	return NULL;
}

int tdv_rec_event(struct tdv_rec_writer *w, const struct tdv_event *ev)
{
	uint8_t b[EVENT_LEN], *p = b;
	struct tdv_event e;
	int ret;

	if (!w || !ev || tdv_event_decode(ev, sizeof(*ev), &e))
		return -EINVAL;
	p = put64(p, e.ts_ns);
	p = put64(p, e.vm);
	p = put64(p, e.lat_ns);
	p = put32(p, e.kind);
	p = put32(p, e.fields & ~TDV_F_STACKS);
	p = put32(p, e.cpu);
	p = put32(p, e.pid);
	p = put32(p, e.tgid);
	p = put32(p, e.kvmfd);
	p = put32(p, e.ret);
	p = put32(p, e.refs);
	p = put32(p, e.gen);
	p = put16(p, e.seg);
	p = put16(p, e.trans_devid);
	p = put16(p, e.gid);
	p = put16(p, e.iommu);
	p = put32(p, 0); /* kstack, ustack: ids in a map that is gone */
	p = put32(p, 0);
	put_bytes(p, e.comm, TDV_COMM_LEN);
	ret = append(w, TDV_REC_T_EVENT, b, sizeof(b));
	if (!ret)
		w->events++;
	return ret;
}

int tdv_rec_loss(struct tdv_rec_writer *w, uint64_t ts_ns, uint64_t lost)
{
	uint8_t b[LOSS_LEN];
	int ret;

	if (!w)
		return -EINVAL;
	put64(put64(b, ts_ns), lost);
	ret = append(w, TDV_REC_T_LOSS, b, sizeof(b));
	if (!ret)
		w->lost += lost;
	return ret;
}

int tdv_rec_seed(struct tdv_rec_writer *w, const struct tdv_model_seed *s)
{
	uint8_t b[SEED_LEN], *p = b;
	char comm[TDV_COMM_LEN];

	if (!w || !s)
		return -EINVAL;
	/* Bytes after the NUL would leak stack garbage into the file. */
	memset(comm, 0, sizeof(comm));
	memcpy(comm, s->comm, strnlen(s->comm, TDV_COMM_LEN - 1));
	p = put16(p, s->seg);
	p = put32(p, s->kvmfd);
	p = put32(p, s->gen);
	p = put16(p, s->trans_devid);
	p = put32(p, s->refs);
	p = put64(p, s->vm);
	p = put32(p, s->tgid);
	p = put_bytes(p, comm, TDV_COMM_LEN);
	put64(p, s->ts_ns);
	return append(w, TDV_REC_T_SEED, b, sizeof(b));
}

int tdv_rec_close(struct tdv_rec_writer *w, uint64_t end_ns)
{
	uint8_t b[END_LEN];
	int ret;

	if (!w)
		return -EINVAL;
	put64(put64(put64(b, end_ns), w->events), w->lost);
	append(w, TDV_REC_T_END, b, sizeof(b));
	tdv_rec_flush(w);
	if (!w->err && w->regular && fsync(w->fd))
		w->err = -errno;
	if (close(w->fd) && !w->err && errno != EINTR)
		w->err = -errno;
	ret = w->err;
	free(w);
	return ret;
}

/* Reader */

struct cursor {
	const uint8_t *p;
	size_t len, pos;
	bool over; /* a field ran past the end: every later read gives 0 */
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	const uint8_t *p = c->p + c->pos;

	if (c->over || c->len - c->pos < n) {
		c->over = true;
		return NULL;
	}
	c->pos += n;
	return p;
}

static uint8_t get8(struct cursor *c)
{
	const uint8_t *p = take(c, 1);

	return p ? *p : 0;
}

static uint16_t get16(struct cursor *c)
{
	const uint8_t *p = take(c, 2);

	return p ? le16(p) : 0;
}

static uint32_t get32(struct cursor *c)
{
	const uint8_t *p = take(c, 4);

	return p ? le32(p) : 0;
}

static uint64_t get64(struct cursor *c)
{
	const uint8_t *p = take(c, 8);

	return p ? le64(p) : 0;
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
static void get_str(struct cursor *c, char *dst, size_t size)
{
	uint16_t n = get16(c);
	const uint8_t *p = take(c, n);

	copy_clean(dst, size, p ? p : (const uint8_t *)"", p ? n : 0);
}

/* A fixed char[TDV_COMM_LEN]: bytes as they are, NUL-terminated. */
static void get_comm(struct cursor *c, char *dst)
{
	const uint8_t *p = take(c, TDV_COMM_LEN);

	memset(dst, 0, TDV_COMM_LEN);
	if (p)
		memcpy(dst, p, TDV_COMM_LEN - 1);
}

struct reader {
	const uint8_t *buf;
	size_t len;
	const struct tdv_rec_visitor *v;
	void *ctx;
	struct tdv_rec_result *res;
	uint16_t minor;
	uint64_t index;	  /* 1-based number of the record being read */
	size_t zero_tail; /* zero bytes the file ends with */
	bool end_seen;
};

static int fail(struct reader *r, enum tdv_rec_status status, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct reader *r, enum tdv_rec_status status, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	r->res->status = status;
	r->res->offset = offset;
	va_start(ap, fmt);
	vsnprintf(r->res->error, sizeof(r->res->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* What a partial report holds, for the end of an error message. */
static const char *showing(struct reader *r, char *buf, size_t size)
{
	uint64_t n = r->res->records;

	if (!n)
		return "nothing to show";
	snprintf(buf, size, "showing the %" PRIu64 " record%s before it", n, n == 1 ? "" : "s");
	return buf;
}

static int head_truncated(struct reader *r)
{
	return fail(r, TDV_REC_TRUNCATED, 0,
		    "truncated at offset 0 (file header incomplete): the recording was cut short "
		    "as it started (tdvtrace killed?); nothing to show");
}

static int head_corrupt(struct reader *r, const char *what)
{
	return fail(r, TDV_REC_CORRUPT, 0,
		    "corrupt at offset 0: file header %s: the file is damaged; nothing to show",
		    what);
}

static int read_head(struct reader *r)
{
	struct tdv_rec_header h;
	struct cursor c;
	uint16_t major, n;
	uint32_t hlen;

	if (r->len < MAGIC_LEN || memcmp(r->buf, MAGIC, MAGIC_LEN))
		return fail(r, TDV_REC_FOREIGN, 0,
			    "not a tdvtrace recording (%s): give a file written by "
			    "`tdvtrace record`",
			    r->len ? "no TDVTRACE magic at offset 0" : "empty file");
	if (r->len < 10)
		return head_truncated(r);
	major = le16(r->buf + 8);
	if (major > TDV_REC_MAJOR)
		return fail(r, TDV_REC_NEWER, 8,
			    "written by a newer tdvtrace (format version %u); this build reads "
			    "version %d: upgrade tdvtrace",
			    major, TDV_REC_MAJOR);
	if (major == 0)
		return fail(r, TDV_REC_CORRUPT, 8,
			    "corrupt at offset 8: format version 0 does not exist: the file is "
			    "damaged; nothing to show");
	if (r->len < HEAD_LEN)
		return head_truncated(r);
	r->minor = le16(r->buf + 10);
	hlen = le32(r->buf + 12);
	if (hlen > TDV_REC_MAX_PAYLOAD)
		return head_corrupt(r, "length over the 64 KiB limit");
	if (r->len - HEAD_LEN < (size_t)hlen + CRC_LEN)
		return head_truncated(r);
	if (crc(r->buf + HEAD_LEN, hlen) != le32(r->buf + HEAD_LEN + hlen))
		return head_corrupt(r, "checksum mismatch");

	memset(&h, 0, sizeof(h));
	c = (struct cursor){ .p = r->buf + HEAD_LEN, .len = hlen };
	h.major = major;
	h.minor = r->minor;
	h.start_ns = get64(&c);
	h.boot_offset_ns = get64(&c);
	h.filter_tgid = get32(&c);
	h.filter_seg = (int32_t)get32(&c);
	h.filter_kvmfd = (int64_t)get64(&c);
	get_str(&c, h.krelease, sizeof(h.krelease));
	get_str(&c, h.version, sizeof(h.version));
	get_str(&c, h.hostname, sizeof(h.hostname));
	n = get16(&c);
	for (unsigned int i = 0; i < n && !c.over; i++) {
		struct tdv_rec_probe extra, *p = i < TDV_REC_MAX_PROBES ? &h.probes[i] : &extra;

		get_str(&c, p->name, sizeof(p->name));
		p->attach = get8(&c);
	}
	/* Bytes after the probes are fields of a newer minor version. */
	if (c.over)
		return head_corrupt(r, "fields run past its length");
	h.nprobes = n < TDV_REC_MAX_PROBES ? n : TDV_REC_MAX_PROBES;
	if (r->v->header)
		r->v->header(r->ctx, &h);
	return HEAD_LEN + hlen + CRC_LEN;
}

static size_t known_len(uint16_t type)
{
	switch (type) {
	case TDV_REC_T_EVENT:
		return EVENT_LEN;
	case TDV_REC_T_LOSS:
		return LOSS_LEN;
	case TDV_REC_T_SEED:
		return SEED_LEN;
	case TDV_REC_T_END:
		return END_LEN;
	}
	return 0;
}

static const char *type_name(uint16_t type)
{
	switch (type) {
	case TDV_REC_T_EVENT:
		return "EVENT";
	case TDV_REC_T_LOSS:
		return "LOSS";
	case TDV_REC_T_SEED:
		return "SEED";
	case TDV_REC_T_END:
		return "END";
	}
	return "unknown";
}

/* Decode and deliver one record whose length and checksum are good. */
static int deliver(struct reader *r, uint64_t off, uint16_t type, const uint8_t *payload,
		   uint32_t len)
{
	struct cursor c = { .p = payload, .len = len };
	char more[64];

	switch (type) {
	case TDV_REC_T_EVENT: {
		struct tdv_event raw, e;

		memset(&raw, 0, sizeof(raw));
		raw.ts_ns = get64(&c);
		raw.vm = get64(&c);
		raw.lat_ns = get64(&c);
		raw.kind = get32(&c);
		raw.fields = get32(&c);
		raw.cpu = get32(&c);
		raw.pid = get32(&c);
		raw.tgid = get32(&c);
		raw.kvmfd = get32(&c);
		raw.ret = (int32_t)get32(&c);
		raw.refs = get32(&c);
		raw.gen = get32(&c);
		raw.seg = get16(&c);
		raw.trans_devid = get16(&c);
		raw.gid = get16(&c);
		raw.iommu = get16(&c);
		raw.kstack = (int32_t)get32(&c);
		raw.ustack = (int32_t)get32(&c);
		get_comm(&c, raw.comm);
		if (tdv_event_decode(&raw, sizeof(raw), &e))
			return fail(r, TDV_REC_CORRUPT, off,
				    "corrupt at offset %" PRIu64 " (record %" PRIu64
				    "): event of unknown kind %u or fields 0x%x: the file is "
				    "damaged or from a newer tdvtrace; %s",
				    off, r->index, raw.kind, raw.fields,
				    showing(r, more, sizeof(more)));
		/* Stack ids point into a BPF map that no longer exists. */
		e.fields &= ~TDV_F_STACKS;
		e.kstack = e.ustack = 0;
		if (r->v->event)
			r->v->event(r->ctx, &e);
		r->res->events++;
		break;
	}
	case TDV_REC_T_LOSS: {
		uint64_t ts = get64(&c);
		uint64_t lost = get64(&c);

		if (r->v->loss)
			r->v->loss(r->ctx, ts, lost);
		break;
	}
	case TDV_REC_T_SEED: {
		struct tdv_model_seed s;

		memset(&s, 0, sizeof(s));
		s.seg = get16(&c);
		s.kvmfd = get32(&c);
		s.gen = get32(&c);
		s.trans_devid = get16(&c);
		s.refs = get32(&c);
		s.vm = get64(&c);
		s.tgid = get32(&c);
		get_comm(&c, s.comm);
		s.ts_ns = get64(&c);
		if (r->v->seed)
			r->v->seed(r->ctx, &s);
		break;
	}
	case TDV_REC_T_END: {
		uint64_t end_ns = get64(&c);
		uint64_t events = get64(&c);
		uint64_t lost = get64(&c);

		r->end_seen = true;
		if (r->v->end)
			r->v->end(r->ctx, end_ns, events, lost);
		break;
	}
	default:
		return 0; /* a newer minor version's record: skipped */
	}
	r->res->records++;
	return 0;
}

static int zeros(struct reader *r, uint64_t off)
{
	char more[64];

	return fail(r, TDV_REC_TRUNCATED, off,
		    "truncated at offset %" PRIu64 " (record %" PRIu64
		    " incomplete): the file ends in %zu zero bytes (the system went down before "
		    "they reached the disk?); %s",
		    off, r->index, r->zero_tail, showing(r, more, sizeof(more)));
}

static int read_record(struct reader *r, uint64_t off)
{
	const uint8_t *p = r->buf + off;
	size_t left = r->len - off, known;
	uint16_t type;
	uint32_t len;
	bool zero_cut;
	char more[64];

	if (left <= r->zero_tail)
		return zeros(r, off);
	if (left < REC_HEAD_LEN)
		goto truncated;
	type = le16(p);
	len = le32(p + 4);
	/*
	 * Zeros from inside this record to the end: the file grew but its last
	 * blocks never reached the disk. A damaged record rarely ends so.
	 */
	zero_cut = r->zero_tail >= ZERO_FILL_MIN &&
		   r->len - r->zero_tail < off + REC_HEAD_LEN + len + CRC_LEN;
	if (len > TDV_REC_MAX_PAYLOAD) {
		if (zero_cut)
			return zeros(r, off);
		return fail(r, TDV_REC_CORRUPT, off,
			    "corrupt at offset %" PRIu64 " (record %" PRIu64 "): length %" PRIu32
			    " over the 64 KiB limit: the file is damaged; %s",
			    off, r->index, len, showing(r, more, sizeof(more)));
	}
	/* Only a newer minor version appends fields: a damaged length shows here. */
	known = known_len(type);
	if (known && (len < known || (r->minor <= TDV_REC_MINOR && len != known))) {
		if (zero_cut)
			return zeros(r, off);
		return fail(
			r, TDV_REC_CORRUPT, off,
			"corrupt at offset %" PRIu64 " (record %" PRIu64 "): %s record of %" PRIu32
			" bytes, expected %zu: the file is damaged; %s",
			off, r->index, type_name(type), len, known, showing(r, more, sizeof(more)));
	}
	if (left - REC_HEAD_LEN < (size_t)len + CRC_LEN)
		goto truncated;
	if (crc(p, REC_HEAD_LEN + len) != le32(p + REC_HEAD_LEN + len)) {
		if (zero_cut)
			return zeros(r, off);
		return fail(r, TDV_REC_CORRUPT, off,
			    "corrupt at offset %" PRIu64 " (record %" PRIu64
			    "): checksum mismatch: the file is damaged; %s",
			    off, r->index, showing(r, more, sizeof(more)));
	}
	if (deliver(r, off, type, p + REC_HEAD_LEN, len))
		return -1;
	return REC_HEAD_LEN + len + CRC_LEN;

truncated:
	return fail(r, TDV_REC_TRUNCATED, off,
		    "truncated at offset %" PRIu64 " (record %" PRIu64
		    " incomplete): the recording was cut short (tdvtrace killed?); %s",
		    off, r->index, showing(r, more, sizeof(more)));
}

int tdv_rec_read_mem(const void *buf, size_t len, const struct tdv_rec_visitor *v, void *ctx,
		     struct tdv_rec_result *res)
{
	static const struct tdv_rec_visitor none;
	struct tdv_rec_result local;
	struct reader r = {
		.buf = buf,
		.len = len,
		.v = v ? v : &none,
		.ctx = ctx,
		.res = res ? res : &local,
	};
	uint64_t off;
	char more[64];
	int n;

	memset(r.res, 0, sizeof(*r.res));
	if (!buf)
		r.len = 0;
	n = read_head(&r);
	if (n < 0)
		return -1;
	while (r.zero_tail < r.len && !r.buf[r.len - 1 - r.zero_tail])
		r.zero_tail++;
	for (off = n; off < r.len; off += n) {
		r.index++;
		n = read_record(&r, off);
		if (n < 0)
			return -1;
	}
	if (!r.end_seen)
		return fail(&r, TDV_REC_TRUNCATED, off,
			    "truncated at offset %" PRIu64
			    " (no END record): the recording was not stopped cleanly "
			    "(tdvtrace killed?); %s",
			    off, showing(&r, more, sizeof(more)));
	r.res->offset = off;
	r.res->complete = true;
	return 0;
}

/* A pipe or other file that cannot be mapped: read it whole. */
static int slurp(int fd, uint8_t **out, size_t *outlen)
{
	size_t cap = 0, len = 0;
	uint8_t *buf = NULL;

	for (;;) {
		ssize_t k;

		if (TDV_GROW(buf, cap, len + 1, 1 << 16)) {
			free(buf);
			return -ENOMEM;
		}
		k = read(fd, buf + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			k = -errno;
			free(buf);
			return k;
		}
		if (k == 0)
			break;
		len += k;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int tdv_rec_read_file(const char *path, const struct tdv_rec_visitor *v, void *ctx,
		      struct tdv_rec_result *res)
{
	struct tdv_rec_result local;
	uint8_t *buf = NULL;
	void *map = MAP_FAILED;
	size_t len = 0;
	struct stat st;
	char msg[sizeof(res->error)];
	int fd, ret;

	if (!res)
		res = &local;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		goto io;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		len = st.st_size;
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	if (map == MAP_FAILED) {
		ret = slurp(fd, &buf, &len);
		if (ret)
			goto io;
	}
	close(fd);
	ret = tdv_rec_read_mem(map != MAP_FAILED ? map : buf, len, v, ctx, res);
	if (map != MAP_FAILED)
		munmap(map, len);
	free(buf);
	if (res->error[0] && snprintf(msg, sizeof(msg), "%s: %s", path, res->error) >= 0)
		memcpy(res->error, msg, sizeof(msg));
	return ret;

io:
	if (fd >= 0)
		close(fd);
	memset(res, 0, sizeof(*res));
	res->status = TDV_REC_IO;
	snprintf(res->error, sizeof(res->error), "%s: cannot read: %s", path, strerror(-ret));
	return -1;
}

const char *tdv_rec_status_name(enum tdv_rec_status s)
{
	static const char *const names[] = {
		[TDV_REC_OK] = "ok",	       [TDV_REC_TRUNCATED] = "truncated",
		[TDV_REC_CORRUPT] = "corrupt", [TDV_REC_FOREIGN] = "foreign",
		[TDV_REC_NEWER] = "newer",     [TDV_REC_IO] = "io",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

const char *tdv_rec_attach_name(uint8_t attach)
{
	static const char *const names[] = { "missing", "fentry", "kprobe", "tracepoint" };

	return attach < sizeof(names) / sizeof(names[0]) ? names[attach] : "unknown";
}
