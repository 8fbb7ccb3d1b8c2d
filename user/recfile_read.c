// SPDX-License-Identifier: GPL-2.0
/*
 * Reading recording files (format in recfile.h).
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
#include <sys/stat.h>
#include <unistd.h>
#include "event_format.h"
#include "grow.h"
#include "recfile_codec.h"
#include "safe_file.h"

/* A tail of zeros this long, cutting a record, is taken for lost blocks. */
#define ZERO_FILL_MIN 8

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
	struct rec_cursor c;
	uint16_t major, n;
	uint32_t hlen;

	if (r->len < REC_MAGIC_LEN || memcmp(r->buf, REC_MAGIC, REC_MAGIC_LEN))
		return fail(r, TDV_REC_FOREIGN, 0,
			    "not a tdvtrace recording (%s): give a file written by "
			    "`tdvtrace record`",
			    r->len ? "no TDVTRACE magic at offset 0" : "empty file");
	if (r->len < 10)
		return head_truncated(r);
	major = rec_le16(r->buf + 8);
	if (major > TDV_REC_MAJOR)
		return fail(r, TDV_REC_NEWER, 8,
			    "written by a newer tdvtrace (format version %u); this build reads "
			    "version %d: upgrade tdvtrace",
			    major, TDV_REC_MAJOR);
	if (major == 0)
		return fail(r, TDV_REC_CORRUPT, 8,
			    "corrupt at offset 8: format version 0 does not exist: the file is "
			    "damaged; nothing to show");
	if (r->len < REC_FILE_HEAD_LEN)
		return head_truncated(r);
	r->minor = rec_le16(r->buf + 10);
	hlen = rec_le32(r->buf + 12);
	if (hlen > TDV_REC_MAX_PAYLOAD)
		return head_corrupt(r, "length over the 64 KiB limit");
	if (r->len - REC_FILE_HEAD_LEN < (size_t)hlen + REC_CRC_LEN)
		return head_truncated(r);
	if (rec_crc(r->buf + REC_FILE_HEAD_LEN, hlen) !=
	    rec_le32(r->buf + REC_FILE_HEAD_LEN + hlen))
		return head_corrupt(r, "checksum mismatch");

	memset(&h, 0, sizeof(h));
	c = (struct rec_cursor){ .p = r->buf + REC_FILE_HEAD_LEN, .len = hlen };
	h.major = major;
	h.minor = r->minor;
	rec_decode(&c, &h, &rec_header_layout);
	n = rec_get16(&c);
	for (unsigned int i = 0; i < n && !c.over; i++) {
		struct tdv_rec_probe extra, *p = i < TDV_REC_MAX_PROBES ? &h.probes[i] : &extra;

		rec_decode(&c, p, &rec_probe_layout);
	}
	if (h.minor >= 1) {
		h.observed = rec_get8(&c);
		h.has_observed = true;
	}
	/* Bytes after these are fields of a newer minor version. */
	if (c.over)
		return head_corrupt(r, "fields run past its length");
	h.nprobes = n < TDV_REC_MAX_PROBES ? n : TDV_REC_MAX_PROBES;
	if (r->v->header)
		r->v->header(r->ctx, &h);
	return REC_FILE_HEAD_LEN + hlen + REC_CRC_LEN;
}

static size_t known_len(uint16_t type)
{
	switch (type) {
	case TDV_REC_T_EVENT:
		return REC_EVENT_LEN;
	case TDV_REC_T_LOSS:
		return REC_LOSS_LEN;
	case TDV_REC_T_SEED:
		return REC_SEED_LEN;
	case TDV_REC_T_END:
		return REC_END_LEN;
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
	struct rec_cursor c = { .p = payload, .len = len };
	char more[64];

	switch (type) {
	case TDV_REC_T_EVENT: {
		struct tdv_event raw, e;

		memset(&raw, 0, sizeof(raw));
		rec_decode(&c, &raw, &rec_event_layout);
		/*
		 * A newer minor version's event kinds are skipped, its field
		 * bits ignored: what this build knows of the event stands.
		 */
		if (r->minor > TDV_REC_MINOR) {
			if (raw.kind >= TDV_EV_MAX)
				return 0;
			raw.fields &= TDV_F_ALL;
		}
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
		uint64_t ts = rec_get64(&c);
		uint64_t lost = rec_get64(&c);

		if (r->v->loss)
			r->v->loss(r->ctx, ts, lost);
		break;
	}
	case TDV_REC_T_SEED: {
		struct tdv_model_seed s;

		memset(&s, 0, sizeof(s));
		rec_decode(&c, &s, &rec_seed_layout);
		if (r->v->seed)
			r->v->seed(r->ctx, &s);
		break;
	}
	case TDV_REC_T_END: {
		uint64_t end_ns = rec_get64(&c);
		uint64_t events = rec_get64(&c);
		uint64_t lost = rec_get64(&c);

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
	type = rec_le16(p);
	len = rec_le32(p + 4);
	/*
	 * Zeros from inside this record to the end: the file grew but its last
	 * blocks never reached the disk. A damaged record rarely ends so.
	 */
	zero_cut = r->zero_tail >= ZERO_FILL_MIN &&
		   r->len - r->zero_tail < off + REC_HEAD_LEN + len + REC_CRC_LEN;
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
	if (left - REC_HEAD_LEN < (size_t)len + REC_CRC_LEN)
		goto truncated;
	if (rec_crc(p, REC_HEAD_LEN + len) != rec_le32(p + REC_HEAD_LEN + len)) {
		if (zero_cut)
			return zeros(r, off);
		return fail(r, TDV_REC_CORRUPT, off,
			    "corrupt at offset %" PRIu64 " (record %" PRIu64
			    "): checksum mismatch: the file is damaged; %s",
			    off, r->index, showing(r, more, sizeof(more)));
	}
	if (deliver(r, off, type, p + REC_HEAD_LEN, len))
		return -1;
	return REC_HEAD_LEN + len + REC_CRC_LEN;

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

int tdv_rec_read_file(const char *path, const struct tdv_rec_visitor *v, void *ctx,
		      struct tdv_rec_result *res)
{
	struct tdv_rec_result local;
	char msg[sizeof(res->error)], why[192];
	uint8_t *buf = NULL;
	struct stat st;
	size_t len = 0;
	int ret;

	if (!res)
		res = &local;
	/* read(2), never mmap: a file truncated under a mapping would be SIGBUS. */
	if (tdv_read_whole(path, TDV_REC_MAX_FILE, &buf, &len, &st, why, sizeof(why))) {
		memset(res, 0, sizeof(*res));
		res->status = TDV_REC_IO;
		snprintf(res->error, sizeof(res->error), "%s: %s", path, why);
		return -1;
	}
	ret = tdv_rec_read_mem(buf, len, v, ctx, res);
	free(buf);
	if (res->error[0] && snprintf(msg, sizeof(msg), "%s: %s", path, res->error) >= 0)
		memcpy(res->error, msg, sizeof(msg));
	return ret;
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
