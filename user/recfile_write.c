// SPDX-License-Identifier: GPL-2.0
/*
 * Writing recording files (format in recfile.h): records are encoded into
 * one buffer and written with write(2) when it fills or on a flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "event_format.h"
#include "recfile_codec.h"

struct tdv_rec_writer {
	int fd;
	bool regular; /* fsync only files: a pipe or /dev/null refuses it */
	int err;      /* first failure, -errno: later calls only report it */
	uint64_t events, lost;
	size_t used;
	uint8_t buf[1 << 16];
};

_Static_assert(REC_FILE_HEAD_LEN + REC_HEADER_MAX + REC_CRC_LEN <=
		       sizeof(((struct tdv_rec_writer *)0)->buf),
	       "the head must fit the write buffer");

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
	if (w->used + REC_HEAD_LEN + len + REC_CRC_LEN > sizeof(w->buf) && tdv_rec_flush(w))
		return w->err;
	start = w->buf + w->used;
	p = rec_put16(start, type);
	p = rec_put16(p, 0);
	p = rec_put32(p, len);
	memcpy(p, payload, len);
	p += len;
	p = rec_put32(p, rec_crc(start, p - start));
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
	if (h->observed & ~TDV_OBSERVE_ALL)
		return "observed is not a set of TDV_OBSERVE_* bits";
	return NULL;
}

/* The head goes to the start of w->buf. */
static void put_head(struct tdv_rec_writer *w, const struct tdv_rec_header *h)
{
	uint8_t *payload = w->buf + REC_FILE_HEAD_LEN, *p = payload;

	p = rec_encode(p, h, &rec_header_layout);
	p = rec_put16(p, h->nprobes);
	for (unsigned int i = 0; i < h->nprobes; i++)
		p = rec_encode(p, &h->probes[i], &rec_probe_layout);
	*p++ = h->observed;

	memcpy(w->buf, REC_MAGIC, REC_MAGIC_LEN);
	rec_put16(w->buf + 8, TDV_REC_MAJOR);
	rec_put16(w->buf + 10, TDV_REC_MINOR);
	rec_put32(w->buf + 12, p - payload);
	p = rec_put32(p, rec_crc(payload, p - payload));
	w->used = p - w->buf;
}

struct tdv_rec_writer *tdv_rec_create(int fd, const struct tdv_rec_header *h, char *err,
				      size_t errlen)
{
	struct tdv_rec_writer *w;
	struct stat st;
	const char *what = "cannot create the recording", *bad = bad_header(h);
	int e;

	if (bad) {
		if (err && errlen)
			snprintf(err, errlen, "bad recording header: %s", bad);
		errno = EINVAL;
		return NULL;
	}
	if (fstat(fd, &st)) {
		e = errno;
		goto fail;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		e = errno;
		goto fail;
	}
	w->fd = fd;
	w->regular = S_ISREG(st.st_mode);
	put_head(w, h);
	/* On disk at once: even a recording killed at start is recognisable. */
	what = "cannot write the recording";
	e = -tdv_rec_flush(w);
	if (e) {
		free(w);
		goto fail;
	}
	return w;

fail:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, strerror(e));
	errno = e;
	return NULL;
}

int tdv_rec_event(struct tdv_rec_writer *w, const struct tdv_event *ev)
{
	uint8_t b[REC_EVENT_LEN];
	struct tdv_event e;
	int ret;

	if (!w || !ev || tdv_event_decode(ev, sizeof(*ev), &e))
		return -EINVAL;
	/* Stack ids point into a BPF map that is gone once recording ends. */
	e.fields &= ~TDV_F_STACKS;
	e.kstack = e.ustack = 0;
	rec_encode(b, &e, &rec_event_layout);
	ret = append(w, TDV_REC_T_EVENT, b, sizeof(b));
	if (!ret)
		w->events++;
	return ret;
}

int tdv_rec_loss(struct tdv_rec_writer *w, uint64_t ts_ns, uint64_t lost)
{
	uint8_t b[REC_LOSS_LEN];
	int ret;

	if (!w)
		return -EINVAL;
	rec_put64(rec_put64(b, ts_ns), lost);
	ret = append(w, TDV_REC_T_LOSS, b, sizeof(b));
	if (!ret)
		w->lost += lost;
	return ret;
}

int tdv_rec_seed(struct tdv_rec_writer *w, const struct tdv_model_seed *s)
{
	uint8_t b[REC_SEED_LEN];
	struct tdv_model_seed clean;

	if (!w || !s)
		return -EINVAL;
	clean = *s;
	/* Bytes after the NUL would leak stack garbage into the file. */
	memset(clean.comm, 0, sizeof(clean.comm));
	memcpy(clean.comm, s->comm, strnlen(s->comm, TDV_COMM_LEN - 1));
	rec_encode(b, &clean, &rec_seed_layout);
	return append(w, TDV_REC_T_SEED, b, sizeof(b));
}

int tdv_rec_close(struct tdv_rec_writer *w, uint64_t end_ns)
{
	uint8_t b[REC_END_LEN];
	int ret;

	if (!w)
		return -EINVAL;
	rec_put64(rec_put64(rec_put64(b, end_ns), w->events), w->lost);
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
