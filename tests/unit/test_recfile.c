// SPDX-License-Identifier: GPL-2.0
/* Recording files: round trip, and every way a file can be cut or damaged. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "recfile.h"
#include "recfile_codec.h"
#include "../fuzz/craft.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[64];

struct seen {
	unsigned int headers;
	struct tdv_rec_header h;
	unsigned int nevents, nloss, nseeds, nends;
	struct tdv_event ev[32];
	uint64_t loss_ts[8], loss_n[8];
	struct tdv_model_seed seeds[8];
	uint64_t end_ns, end_events, end_lost;
	char order[64]; /* H, E, L, S, N per callback */
	unsigned int norder;
};

static void note(struct seen *s, char c)
{
	if (s->norder < sizeof(s->order) - 1)
		s->order[s->norder++] = c;
}

static void on_header(void *ctx, const struct tdv_rec_header *h)
{
	struct seen *s = ctx;

	s->headers++;
	s->h = *h;
	note(s, 'H');
}

static void on_event(void *ctx, const struct tdv_event *e)
{
	struct seen *s = ctx;

	if (s->nevents < ARRAY_SIZE(s->ev))
		s->ev[s->nevents] = *e;
	s->nevents++;
	note(s, 'E');
}

static void on_loss(void *ctx, uint64_t ts_ns, uint64_t lost)
{
	struct seen *s = ctx;

	if (s->nloss < ARRAY_SIZE(s->loss_ts)) {
		s->loss_ts[s->nloss] = ts_ns;
		s->loss_n[s->nloss] = lost;
	}
	s->nloss++;
	note(s, 'L');
}

static void on_seed(void *ctx, const struct tdv_model_seed *seed)
{
	struct seen *s = ctx;

	if (s->nseeds < ARRAY_SIZE(s->seeds))
		s->seeds[s->nseeds] = *seed;
	s->nseeds++;
	note(s, 'S');
}

static void on_end(void *ctx, uint64_t end_ns, uint64_t events, uint64_t lost)
{
	struct seen *s = ctx;

	s->nends++;
	s->end_ns = end_ns;
	s->end_events = events;
	s->end_lost = lost;
	note(s, 'N');
}

static const struct tdv_rec_visitor visitor = {
	.header = on_header,
	.event = on_event,
	.loss = on_loss,
	.seed = on_seed,
	.end = on_end,
};

/* Allocations by the reader, counted through ASan's hooks. */
extern int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
						     void (*f)(const volatile void *))
	__attribute__((weak));
static volatile bool counting;
static volatile size_t allocs;

static void malloc_hook(const volatile void *p, size_t n)
{
	if (counting)
		allocs++;
}

static void free_hook(const volatile void *p)
{
}

/* Read @len bytes from an exact-size copy, so ASan sees any overread. */
static int rd(const uint8_t *buf, size_t len, struct seen *s, struct tdv_rec_result *res)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, buf, len);
	memset(s, 0, sizeof(*s));
	allocs = 0;
	counting = true;
	ret = tdv_rec_read_mem(copy, len, &visitor, s, res);
	counting = false;
	assert_int_equal(allocs, 0);
	free(copy);
	assert_int_equal(ret, res->status == TDV_REC_OK ? 0 : -1);
	assert_int_equal(res->records, s->nevents + s->nloss + s->nseeds + s->nends);
	assert_int_equal(res->events, s->nevents);
	assert_int_equal(res->complete, res->status == TDV_REC_OK);
	assert_int_equal(res->error[0] == '\0', res->status == TDV_REC_OK);
	return ret;
}

static int rf(const char *path, struct seen *s, struct tdv_rec_result *res)
{
	memset(s, 0, sizeof(*s));
	return tdv_rec_read_file(path, &visitor, s, res);
}

static void path_of(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

/* The small sample (SEED, get, put, LOSS, END) in memory, with its record offsets. */
static uint8_t *small(size_t *len, size_t *offs)
{
	char path[128];
	uint8_t *buf;

	path_of(path, sizeof(path), "small.rec");
	assert_int_equal(craft_small(path), 0);
	buf = craft_slurp(path, len);
	assert_non_null(buf);
	assert_int_equal(craft_records(buf, *len, offs), 5);
	return buf;
}

static void assert_event_equal(const struct tdv_event *a, const struct tdv_event *b)
{
	assert_int_equal(a->ts_ns, b->ts_ns);
	assert_int_equal(a->vm, b->vm);
	assert_int_equal(a->lat_ns, b->lat_ns);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->fields, b->fields);
	assert_int_equal(a->cpu, b->cpu);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tgid, b->tgid);
	assert_int_equal(a->kvmfd, b->kvmfd);
	assert_int_equal(a->ret, b->ret);
	assert_int_equal(a->refs, b->refs);
	assert_int_equal(a->gen, b->gen);
	assert_int_equal(a->seg, b->seg);
	assert_int_equal(a->trans_devid, b->trans_devid);
	assert_int_equal(a->gid, b->gid);
	assert_int_equal(a->iommu, b->iommu);
	assert_int_equal(a->kstack, b->kstack);
	assert_int_equal(a->ustack, b->ustack);
	assert_memory_equal(a->comm, b->comm, TDV_COMM_LEN);
}

/* What the reader gives back for craft_event(@kind): no stacks. */
static struct tdv_event offline(uint32_t kind)
{
	struct tdv_event e = craft_event(kind);

	e.fields &= ~TDV_F_STACKS;
	e.kstack = e.ustack = 0;
	return e;
}

static void assert_seed_equal(const struct tdv_model_seed *a, const struct tdv_model_seed *b)
{
	assert_int_equal(a->seg, b->seg);
	assert_int_equal(a->kvmfd, b->kvmfd);
	assert_int_equal(a->gen, b->gen);
	assert_int_equal(a->trans_devid, b->trans_devid);
	assert_int_equal(a->refs, b->refs);
	assert_int_equal(a->vm, b->vm);
	assert_int_equal(a->tgid, b->tgid);
	assert_string_equal(a->comm, b->comm);
	assert_int_equal(a->ts_ns, b->ts_ns);
}

static void assert_header_equal(const struct tdv_rec_header *a, const struct tdv_rec_header *b)
{
	assert_int_equal(a->start_ns, b->start_ns);
	assert_int_equal(a->boot_offset_ns, b->boot_offset_ns);
	assert_int_equal(a->filter_tgid, b->filter_tgid);
	assert_int_equal(a->filter_seg, b->filter_seg);
	assert_int_equal(a->filter_kvmfd, b->filter_kvmfd);
	assert_string_equal(a->krelease, b->krelease);
	assert_string_equal(a->version, b->version);
	assert_string_equal(a->hostname, b->hostname);
	assert_int_equal(a->nprobes, b->nprobes);
	for (unsigned int i = 0; i < a->nprobes; i++) {
		assert_string_equal(a->probes[i].name, b->probes[i].name);
		assert_int_equal(a->probes[i].attach, b->probes[i].attach);
	}
	assert_int_equal(a->has_observed, b->has_observed);
	assert_int_equal(a->observed, b->observed);
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void test_roundtrip_every_kind(void **state)
{
	struct tdv_model_seed seed = craft_seed();
	struct tdv_rec_header h;
	struct tdv_rec_result res;
	struct tdv_rec_writer *w;
	struct seen s;
	char path[128], err[256];

	path_of(path, sizeof(path), "all.rec");
	craft_header(&h, 4);
	h.filter_tgid = 0xfffffffe;
	h.filter_seg = -2147483647 - 1;
	h.filter_kvmfd = INT64_MIN;
	w = craft_create(path, &h, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(tdv_rec_seed(w, &seed), 0);
	for (uint32_t k = 1; k < TDV_EV_MAX; k++) {
		struct tdv_event e = craft_event(k);

		assert_int_equal(tdv_rec_event(w, &e), 0);
	}
	assert_int_equal(tdv_rec_loss(w, 1234567899999ULL, 3), 0);
	assert_int_equal(tdv_rec_loss(w, UINT64_MAX, 4), 0);
	assert_int_equal(tdv_rec_close(w, 1234567999999ULL), 0);

	assert_int_equal(rf(path, &s, &res), 0);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_true(res.complete);
	assert_string_equal(res.error, "");
	assert_int_equal(res.offset, file_size(path));
	assert_int_equal(res.records, 1 + (TDV_EV_MAX - 1) + 2 + 1);
	assert_int_equal(res.events, TDV_EV_MAX - 1);
	assert_string_equal(s.order, "HSEEEEEEEEEEEEEELLN");

	assert_int_equal(s.headers, 1);
	assert_int_equal(s.h.major, 1);
	assert_int_equal(s.h.minor, TDV_REC_MINOR);
	assert_header_equal(&s.h, &h);
	assert_int_equal(s.h.probes[3].attach, TDV_REC_TRACEPOINT);

	assert_int_equal(s.nseeds, 1);
	assert_seed_equal(&s.seeds[0], &seed);
	assert_int_equal(s.nevents, TDV_EV_MAX - 1);
	for (uint32_t k = 1; k < TDV_EV_MAX; k++) {
		struct tdv_event want = offline(k);

		assert_event_equal(&s.ev[k - 1], &want);
	}
	assert_int_equal(s.nloss, 2);
	assert_int_equal(s.loss_ts[0], 1234567899999ULL);
	assert_int_equal(s.loss_n[0], 3);
	assert_int_equal(s.loss_ts[1], UINT64_MAX);
	assert_int_equal(s.loss_n[1], 4);
	assert_int_equal(s.nends, 1);
	assert_int_equal(s.end_ns, 1234567999999ULL);
	assert_int_equal(s.end_events, TDV_EV_MAX - 1);
	assert_int_equal(s.end_lost, 7);
}

static void test_header_limits(void **state)
{
	struct tdv_rec_header h, want;
	struct tdv_rec_result res;
	struct tdv_rec_writer *w;
	struct seen s;
	char path[128], err[256];

	path_of(path, sizeof(path), "limits.rec");
	craft_header(&h, 0);
	/* Full arrays without a NUL: written as size - 1 bytes. */
	memset(h.krelease, 'k', sizeof(h.krelease));
	memset(h.version, 'v', sizeof(h.version));
	memset(h.hostname, 'h', sizeof(h.hostname));
	h.nprobes = TDV_REC_MAX_PROBES;
	for (unsigned int i = 0; i < TDV_REC_MAX_PROBES; i++) {
		memset(h.probes[i].name, 'a' + i % 26, sizeof(h.probes[i].name));
		h.probes[i].attach = TDV_REC_KPROBE;
	}
	w = craft_create(path, &h, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(tdv_rec_close(w, 1), 0);

	assert_int_equal(rf(path, &s, &res), 0);
	want = h;
	want.krelease[64] = want.version[31] = want.hostname[64] = '\0';
	for (unsigned int i = 0; i < TDV_REC_MAX_PROBES; i++)
		want.probes[i].name[63] = '\0';
	assert_int_equal(strlen(s.h.krelease), 64);
	assert_int_equal(strlen(s.h.version), 31);
	assert_int_equal(strlen(s.h.probes[63].name), 63);
	assert_header_equal(&s.h, &want);

	/* Control characters never reach a terminal. */
	craft_header(&h, 1);
	strcpy(h.hostname, "a\tb\x1b[2J\x7f");
	w = craft_create(path, &h, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(tdv_rec_close(w, 1), 0);
	assert_int_equal(rf(path, &s, &res), 0);
	assert_string_equal(s.h.hostname, "a?b?[2J?");

	h.nprobes = TDV_REC_MAX_PROBES + 1;
	errno = 0;
	assert_null(craft_create(path, &h, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	h.nprobes = 1;
	h.probes[0].attach = TDV_REC_TRACEPOINT + 1;
	assert_null(craft_create(path, &h, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
}

static void test_write_errors(void **state)
{
	struct tdv_event bad = craft_event(TDV_EV_GET), good = craft_event(TDV_EV_GET);
	struct tdv_rec_header h;
	struct tdv_rec_result res;
	struct tdv_rec_writer *w;
	struct seen s;
	char path[128], err[256], want[300];
	int fd;

	craft_header(&h, 0);
	/* The head is written at once, so a full disk shows at create; the fd stays ours. */
	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		errno = 0;
		assert_null(tdv_rec_create(fd, &h, err, sizeof(err)));
		assert_int_equal(errno, ENOSPC);
		snprintf(want, sizeof(want), "cannot write the recording: %s", strerror(ENOSPC));
		assert_string_equal(err, want);
		assert_int_equal(close(fd), 0);
	}
	errno = 0;
	assert_null(tdv_rec_create(-1, &h, err, sizeof(err)));
	assert_int_equal(errno, EBADF);

	/* An event the reader would call corrupt is refused, and the file stays good. */
	path_of(path, sizeof(path), "refuse.rec");
	w = craft_create(path, &h, err, sizeof(err));
	assert_non_null(w);
	bad.kind = 0;
	assert_int_equal(tdv_rec_event(w, &bad), -EINVAL);
	bad.kind = TDV_EV_MAX;
	assert_int_equal(tdv_rec_event(w, &bad), -EINVAL);
	bad.kind = TDV_EV_GET;
	bad.fields = TDV_F_ALL + 1;
	assert_int_equal(tdv_rec_event(w, &bad), -EINVAL);
	assert_int_equal(tdv_rec_event(w, &good), 0);
	assert_int_equal(tdv_rec_close(w, 9), 0);
	assert_int_equal(rf(path, &s, &res), 0);
	assert_int_equal(res.events, 1);
	assert_int_equal(s.end_events, 1);

	assert_int_equal(tdv_rec_event(NULL, &good), -EINVAL);
	assert_int_equal(tdv_rec_close(NULL, 0), -EINVAL);
}

/*
 * Not a regular file: no fsync. The reader takes a pipe only as standard
 * input ("-"), whole by read(2); by its name it is refused.
 */
static void test_pipe(void **state)
{
	struct tdv_event e = craft_event(TDV_EV_DTE_SET);
	struct tdv_rec_header h;
	struct tdv_rec_result res;
	struct tdv_rec_writer *w;
	struct seen s;
	char rpath[64], err[256], want[300];
	int p[2], saved;

	assert_int_equal(pipe(p), 0);
	snprintf(rpath, sizeof(rpath), "/proc/self/fd/%d", p[0]);
	craft_header(&h, 2);
	w = tdv_rec_create(p[1], &h, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(tdv_rec_event(w, &e), 0);
	assert_int_equal(tdv_rec_close(w, 5), 0); /* closes p[1] */
	assert_int_equal(rf(rpath, &s, &res), -1);
	assert_int_equal(res.status, TDV_REC_IO);
	snprintf(want, sizeof(want),
		 "%s: cannot read: not a regular file (give a recording file, or - and the "
		 "recording on standard input)",
		 rpath);
	assert_string_equal(res.error, want);
	saved = dup(STDIN_FILENO);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(rf("-", &s, &res), 0);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	assert_int_equal(s.nevents, 1);
	assert_header_equal(&s.h, &h);
	close(p[0]);
}

static void test_flush_leaves_readable_prefix(void **state)
{
	struct tdv_event e = craft_event(TDV_EV_GET);
	struct tdv_rec_header h;
	struct tdv_rec_result res;
	struct tdv_rec_writer *w;
	struct seen s;
	char path[128], err[256], want[512];

	craft_header(&h, 1);
	path_of(path, sizeof(path), "flush.rec");
	w = craft_create(path, &h, err, sizeof(err));
	assert_non_null(w);

	/* Before any flush only the head is on disk. */
	assert_int_equal(rf(path, &s, &res), -1);
	assert_int_equal(res.status, TDV_REC_TRUNCATED);
	assert_int_equal(s.headers, 1);
	assert_int_equal(res.records, 0);

	assert_int_equal(tdv_rec_event(w, &e), 0);
	assert_int_equal(tdv_rec_loss(w, 1, 2), 0);
	assert_int_equal(tdv_rec_flush(w), 0);
	assert_int_equal(rf(path, &s, &res), -1);
	assert_int_equal(res.status, TDV_REC_TRUNCATED);
	assert_false(res.complete);
	assert_int_equal(res.records, 2);
	assert_int_equal(res.events, 1);
	assert_int_equal(res.offset, file_size(path));
	snprintf(want, sizeof(want),
		 "%s: truncated at offset %lld (no END record): the recording was not stopped "
		 "cleanly (tdvtrace killed?); showing the 2 records before it",
		 path, (long long)file_size(path));
	assert_string_equal(res.error, want);

	assert_int_equal(tdv_rec_event(w, &e), 0);
	assert_int_equal(tdv_rec_close(w, 3), 0);
	assert_int_equal(rf(path, &s, &res), 0);
	assert_int_equal(res.records, 4);
	assert_int_equal(s.end_events, 2);
	assert_int_equal(s.end_lost, 2);
}

static void test_every_truncation(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);
	size_t head_end = craft_head_end(buf);
	static const unsigned int events_before[] = { 0, 0, 1, 2, 2, 2 };
	struct tdv_rec_result res;
	struct seen s;

	for (size_t cut = 0; cut < len; cut++) {
		rd(buf, cut, &s, &res);
		if (cut < 8) {
			assert_int_equal(res.status, TDV_REC_FOREIGN);
			assert_int_equal(res.offset, 0);
			assert_int_equal(s.headers, 0);
			continue;
		}
		assert_int_equal(res.status, TDV_REC_TRUNCATED);
		assert_false(res.complete);
		if (cut < head_end) {
			assert_int_equal(res.offset, 0);
			assert_int_equal(s.headers, 0);
			assert_int_equal(res.records, 0);
			continue;
		}
		size_t whole = 0;

		while (whole < 5 && offs[whole] + 12 + craft_le32(buf + offs[whole] + 4) <= cut)
			whole++;
		assert_int_equal(s.headers, 1);
		assert_int_equal(res.offset, offs[whole]);
		assert_int_equal(res.records, whole);
		assert_int_equal(res.events, events_before[whole]);
	}
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_string_equal(s.order, "HSEELN");
	free(buf);
}

static void test_truncated_message(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);
	struct tdv_rec_result res;
	struct seen s;
	char path[128], want[512];

	path_of(path, sizeof(path), "cut.rec");
	assert_int_equal(craft_spill(path, buf, offs[2] + 20), 0);
	assert_int_equal(rf(path, &s, &res), -1);
	snprintf(want, sizeof(want),
		 "%s: truncated at offset %zu (record 3 incomplete): the recording was cut short "
		 "(tdvtrace killed?); showing the 2 records before it",
		 path, offs[2]);
	assert_string_equal(res.error, want);

	assert_int_equal(craft_spill(path, buf, offs[0] + 1), 0);
	assert_int_equal(rf(path, &s, &res), -1);
	snprintf(want, sizeof(want),
		 "%s: truncated at offset %zu (record 1 incomplete): the recording was cut short "
		 "(tdvtrace killed?); nothing to show",
		 path, offs[0]);
	assert_string_equal(res.error, want);
	free(buf);
}

static void test_flipped_byte_in_each_record(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);
	size_t head_end = craft_head_end(buf);
	struct tdv_rec_result res;
	struct seen s;
	char want[256];

	for (size_t i = 0; i < 5; i++) {
		size_t end = i + 1 < 5 ? offs[i + 1] : len;

		for (size_t b = offs[i]; b < end; b++) {
			for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
				buf[b] ^= masks[m];
				rd(buf, len, &s, &res);
				buf[b] ^= masks[m];
				assert_int_equal(res.status, TDV_REC_CORRUPT);
				assert_int_equal(res.offset, offs[i]);
				assert_int_equal(res.records, i);
			}
		}
	}
	/* Header payload and its checksum. */
	for (size_t b = CRAFT_HEAD; b < head_end; b++) {
		buf[b] ^= 0x10;
		rd(buf, len, &s, &res);
		buf[b] ^= 0x10;
		assert_int_equal(res.status, TDV_REC_CORRUPT);
		assert_int_equal(res.offset, 0);
		assert_int_equal(s.headers, 0);
		assert_int_equal(res.records, 0);
	}
	for (size_t b = 0; b < 8; b++) {
		buf[b] ^= 0x20;
		rd(buf, len, &s, &res);
		buf[b] ^= 0x20;
		assert_int_equal(res.status, TDV_REC_FOREIGN);
		assert_int_equal(res.records, 0);
	}
	buf[offs[1] + 40] ^= 1;
	rd(buf, len, &s, &res);
	snprintf(want, sizeof(want),
		 "corrupt at offset %zu (record 2): checksum mismatch: the file is damaged; "
		 "showing the 1 record before it",
		 offs[1]);
	assert_string_equal(res.error, want);
	free(buf);
}

static void test_foreign(void **state)
{
	static const char *const inputs[] = {
		"\x7f"
		"ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0",
		"#!/bin/sh\necho hello\n",
		"",
		"TDVTRAC",
		"tdvtrace\x01\0\0\0",
	};
	struct tdv_rec_result res;
	struct seen s;

	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		size_t n = i == 0 ? 20 : strlen(inputs[i]);

		rd((const uint8_t *)inputs[i], n, &s, &res);
		assert_int_equal(res.status, TDV_REC_FOREIGN);
		assert_int_equal(res.offset, 0);
		assert_int_equal(res.records, 0);
		assert_int_equal(s.headers, 0);
	}
	rd((const uint8_t *)inputs[1], strlen(inputs[1]), &s, &res);
	assert_string_equal(res.error, "not a tdvtrace recording (no TDVTRACE magic at offset 0): "
				       "give a file written by `tdvtrace record`");
}

static void test_newer_major(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);
	struct tdv_rec_result res;
	struct seen s;
	char path[128], want[512];

	craft_put16(buf + 8, 2);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_NEWER);
	assert_int_equal(res.offset, 8);
	assert_int_equal(res.records, 0);
	assert_int_equal(s.headers, 0);
	assert_int_equal(s.norder, 0);
	assert_string_equal(res.error, "written by a newer tdvtrace (format version 2); this build "
				       "reads version 1: upgrade tdvtrace");

	path_of(path, sizeof(path), "newer.rec");
	craft_put16(buf + 8, 0xffff);
	assert_int_equal(craft_spill(path, buf, len), 0);
	assert_int_equal(rf(path, &s, &res), -1);
	snprintf(want, sizeof(want),
		 "%s: written by a newer tdvtrace (format version 65535); this build reads "
		 "version 1: upgrade tdvtrace",
		 path);
	assert_string_equal(res.error, want);

	/* Even cut right after the version. */
	rd(buf, 10, &s, &res);
	assert_int_equal(res.status, TDV_REC_NEWER);

	craft_put16(buf + 8, 0);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, 8);
	free(buf);
}

/*
 * Minor 0 files end their header with the probe list: they read with no
 * observation (the model decides as it always did); a minor 1 header
 * without its observed byte is damaged.
 */
static void test_minor0_header(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);
	uint32_t hlen = craft_le32(buf + 12);
	struct tdv_rec_header h;
	struct tdv_rec_result res;
	struct seen s;

	/* The observed byte is the header's last: drop it. */
	memmove(buf + CRAFT_HEAD + hlen - 1, buf + CRAFT_HEAD + hlen, len - CRAFT_HEAD - hlen);
	len--;
	craft_put32(buf + 12, hlen - 1);
	craft_fix_header(buf);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, 0);
	assert_int_equal(s.headers, 0);

	craft_put16(buf + 10, 0);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(s.h.minor, 0);
	craft_header(&h, 4);
	h.has_observed = false;
	h.observed = 0;
	assert_header_equal(&s.h, &h);
	assert_string_equal(s.order, "HSEELN");
	free(buf);
}

static void test_unknown_type_skipped(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);
	static uint8_t big[TDV_REC_MAX_PAYLOAD + 12];
	struct tdv_rec_result res;
	struct seen s;
	size_t n;

	static uint8_t payload[TDV_REC_MAX_PAYLOAD];

	n = craft_record(big, 77, "0123456789", 10);
	craft_insert(&buf, &len, offs[1], big, n);
	memset(payload, 0x5a, sizeof(payload));
	n = craft_record(big, 0x8000, payload, TDV_REC_MAX_PAYLOAD);
	craft_insert(&buf, &len, offs[1], big, n);
	n = craft_record(big, 0, "", 0);
	craft_insert(&buf, &len, offs[1], big, n);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(res.records, 5);
	assert_int_equal(res.events, 2);
	assert_string_equal(s.order, "HSEELN");

	/* One byte over the limit is not a record, whatever its type. */
	craft_put32(buf + offs[1] + 4, TDV_REC_MAX_PAYLOAD + 1);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, offs[1]);
	assert_int_equal(res.records, 1);
	free(buf);
}

/* A newer minor version's event kind is skipped, its field bits ignored. */
static void test_unknown_kind_newer_minor(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS], n;
	uint8_t *buf = small(&len, offs);
	struct tdv_event odd = offline(TDV_EV_PUT), later = offline(TDV_EV_GET);
	uint8_t payload[256], rec[300];
	struct tdv_rec_result res;
	struct seen s;

	odd.kind = TDV_EV_MAX + 3;
	n = rec_encode(payload, &odd, &rec_event_layout) - payload;
	n = craft_record(rec, TDV_REC_T_EVENT, payload, n);
	craft_insert(&buf, &len, offs[1], rec, n);
	later.fields |= 1U << 30;
	n = rec_encode(payload, &later, &rec_event_layout) - payload;
	n = craft_record(rec, TDV_REC_T_EVENT, payload, n);
	craft_insert(&buf, &len, offs[1], rec, n);
	/* this build's minor: both are damage */
	craft_put16(buf + 10, TDV_REC_MINOR);
	craft_fix_header(buf);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, offs[1]);
	/* a newer minor: the kind skipped, the bit dropped */
	craft_put16(buf + 10, TDV_REC_MINOR + 1);
	craft_fix_header(buf);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(res.events, 3);
	assert_string_equal(s.order, "HSEEELN");
	later.fields &= ~(1U << 30);
	assert_event_equal(&s.ev[0], &later);
	free(buf);
}

static void test_longer_payload_newer_minor(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS], n, olen;
	uint8_t *buf = small(&len, offs), *orig;
	struct tdv_rec_header h;
	struct tdv_rec_result res;
	struct tdv_model_seed seed = craft_seed();
	struct tdv_event get = offline(TDV_EV_GET), put = offline(TDV_EV_PUT);
	uint32_t hlen = craft_le32(buf + 12);
	uint8_t rec[256];
	struct seen s;
	char want[256];

	olen = len;
	orig = malloc(len);
	memcpy(orig, buf, len);
	craft_put16(buf + 10, TDV_REC_MINOR + 1);
	/* Last record first, so the earlier offsets stay right. */
	for (int i = 4; i >= 0; i--)
		craft_grow_record(&buf, &len, offs[i], 8 + i, 0xa5);
	craft_insert(&buf, &len, CRAFT_HEAD + hlen, "\x01\x02\x03\x04\x05\x06", 6);
	craft_put32(buf + 12, hlen + 6);
	craft_fix_header(buf);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(s.h.minor, TDV_REC_MINOR + 1);
	craft_header(&h, 4);
	assert_header_equal(&s.h, &h);
	assert_string_equal(s.order, "HSEELN");
	assert_seed_equal(&s.seeds[0], &seed);
	assert_event_equal(&s.ev[0], &get);
	assert_event_equal(&s.ev[1], &put);
	assert_int_equal(s.loss_n[0], 5);
	assert_int_equal(s.end_events, 2);
	assert_int_equal(s.end_lost, 5);

	/* Shorter than this build knows: corrupt, whatever the minor. */
	n = craft_record(rec, TDV_REC_T_EVENT, orig + offs[1] + 8, 91);
	craft_insert(&buf, &len, craft_head_end(buf), rec, n);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, craft_head_end(buf));
	assert_int_equal(res.records, 0);

	/* A file of this minor never has longer records: a damaged length. */
	free(buf);
	buf = orig;
	len = olen;
	craft_grow_record(&buf, &len, offs[2], 4, 0);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, offs[2]);
	assert_int_equal(res.records, 2);
	snprintf(want, sizeof(want),
		 "corrupt at offset %zu (record 3): EVENT record of 96 bytes, expected 92: the "
		 "file is damaged; showing the 2 records before it",
		 offs[2]);
	assert_string_equal(res.error, want);
	free(buf);
}

static void test_invalid_event(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);
	size_t kind = offs[1] + 8 + 24, fields = kind + 4, kstack = offs[1] + 8 + 68;
	struct tdv_rec_result res;
	struct seen s;
	char want[256];

	craft_put32(buf + kind, 0);
	craft_fix_record(buf, offs[1]);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, offs[1]);
	assert_int_equal(res.records, 1);
	assert_int_equal(res.events, 0);
	snprintf(want, sizeof(want),
		 "corrupt at offset %zu (record 2): event of unknown kind 0 or fields 0x%x: the "
		 "file is damaged or from a newer tdvtrace; showing the 1 record before it",
		 offs[1], TDV_F_ALL & ~TDV_F_STACKS);
	assert_string_equal(res.error, want);

	craft_put32(buf + kind, TDV_EV_MAX);
	craft_fix_record(buf, offs[1]);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);

	craft_put32(buf + kind, TDV_EV_GET);
	craft_put32(buf + fields, TDV_F_ALL + 1);
	craft_fix_record(buf, offs[1]);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, offs[1]);

	/* Stack ids in a file mean nothing: dropped, not trusted. */
	craft_put32(buf + fields, TDV_F_ALL);
	craft_put32(buf + kstack, 5);
	craft_put32(buf + kstack + 4, 6);
	craft_fix_record(buf, offs[1]);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(s.ev[0].fields, TDV_F_ALL & ~TDV_F_STACKS);
	assert_int_equal(s.ev[0].kstack, 0);
	assert_int_equal(s.ev[0].ustack, 0);

	/* comm without a NUL comes back terminated. */
	memset(buf + offs[1] + 8 + 76, 'x', TDV_COMM_LEN);
	craft_fix_record(buf, offs[1]);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_string_equal(s.ev[0].comm, "xxxxxxxxxxxxxxx");
	free(buf);
}

/* A head whose header payload is @payload, then an END record. */
static uint8_t *head_with(const uint8_t *payload, uint32_t n, size_t *len)
{
	uint8_t *buf = malloc(16 + n + 4 + 36), end[24] = { 0 };

	memcpy(buf, "TDVTRACE\x01\0\0\0", 12);
	craft_put32(buf + 12, n);
	memcpy(buf + 16, payload, n);
	craft_fix_header(buf);
	*len = 16 + n + 4 + craft_record(buf + 16 + n + 4, TDV_REC_T_END, end, 24);
	return buf;
}

static void test_absurd_lengths(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS], blen;
	uint8_t *buf = small(&len, offs), *b;
	static uint8_t payload[TDV_REC_MAX_PAYLOAD];
	struct tdv_rec_result res;
	struct seen s;
	char path[128];
	uint8_t *p;

	/* Header length: over the limit, whatever follows. */
	craft_put32(buf + 12, 0xffffffff);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, 0);
	path_of(path, sizeof(path), "huge.rec");
	assert_int_equal(craft_spill(path, buf, len), 0);
	assert_int_equal(rf(path, &s, &res), -1);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	craft_put32(buf + 12, TDV_REC_MAX_PAYLOAD + 1);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	free(buf);

	/* Record length. */
	buf = small(&len, offs);
	craft_put32(buf + offs[1] + 4, 0xffffffff);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, offs[1]);
	assert_int_equal(res.records, 1);
	free(buf);

	/* A string length past the header's end. */
	memset(payload, 0, 40);
	craft_put16(payload + 32, 0xffff);
	b = head_with(payload, 40, &blen);
	rd(b, blen, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	assert_int_equal(res.offset, 0);
	assert_int_equal(s.headers, 0);
	free(b);

	/* A probe count past the header's end. */
	memset(payload, 0, 40);
	craft_put16(payload + 38, 0xffff);
	b = head_with(payload, 40, &blen);
	rd(b, blen, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	free(b);

	/* The smallest header there is: every string empty, no probes. */
	b = head_with(payload, 40 - 1, &blen);
	rd(b, blen, &s, &res);
	assert_int_equal(res.status, TDV_REC_CORRUPT);
	free(b);
	memset(payload, 0, 40);
	b = head_with(payload, 40, &blen);
	rd(b, blen, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(s.h.nprobes, 0);
	free(b);

	/* More probes than this build holds: the first 64 are kept. */
	memset(payload, 0, sizeof(payload));
	p = payload + 38;
	craft_put16(p, 1000);
	p += 2;
	for (unsigned int i = 0; i < 1000; i++) {
		craft_put16(p, 4);
		snprintf((char *)p + 2, 5, "p%03u", i);
		p[6] = i % 4;
		p += 7;
	}
	b = head_with(payload, p - payload, &blen);
	rd(b, blen, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(s.h.nprobes, TDV_REC_MAX_PROBES);
	assert_string_equal(s.h.probes[63].name, "p063");
	assert_int_equal(s.h.probes[63].attach, 3);
	free(b);

	/* Strings longer than this build's fields are cut, not overflowed. */
	memset(payload, 'z', sizeof(payload));
	memset(payload, 0, 32);
	craft_put16(payload + 32, 1000);
	craft_put16(payload + 34 + 1000, 0);
	craft_put16(payload + 36 + 1000, 0);
	craft_put16(payload + 38 + 1000, 0);
	b = head_with(payload, 40 + 1000, &blen);
	rd(b, blen, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(strlen(s.h.krelease), 64);
	free(b);
}

static void test_zero_filled_tail(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs), *z;
	const size_t cuts[] = { offs[4], offs[4] + 3, offs[4] + 10, offs[4] + 30 };
	struct tdv_rec_result res;
	struct seen s;

	z = calloc(1, len + 4096);
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		memcpy(z, buf, cuts[i]);
		rd(z, len + 4096, &s, &res);
		assert_int_equal(res.status, TDV_REC_TRUNCATED);
		assert_int_equal(res.offset, offs[4]);
		assert_int_equal(res.records, 4);
		assert_non_null(strstr(res.error, "zero bytes"));
	}
	free(z);
	free(buf);
}

static void test_after_end(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS], n, at;
	uint8_t *buf = small(&len, offs), rec[64], loss[16] = { 1 };
	struct tdv_rec_result res;
	struct seen s;

	at = len;
	n = craft_record(rec, TDV_REC_T_LOSS, loss, sizeof(loss));
	craft_insert(&buf, &len, len, rec, n);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(res.records, 6);

	craft_insert(&buf, &len, len, "xyz", 3);
	rd(buf, len, &s, &res);
	assert_int_equal(res.status, TDV_REC_TRUNCATED);
	assert_false(res.complete);
	assert_int_equal(res.offset, at + n);
	assert_int_equal(s.nends, 1);
	free(buf);
}

static void test_null_visitor_and_result(void **state)
{
	size_t len, offs[CRAFT_MAX_RECS];
	uint8_t *buf = small(&len, offs);

	assert_int_equal(tdv_rec_read_mem(buf, len, NULL, NULL, NULL), 0);
	assert_int_equal(tdv_rec_read_mem(buf, len - 1, NULL, NULL, NULL), -1);
	assert_int_equal(tdv_rec_read_mem(NULL, 0, NULL, NULL, NULL), -1);
	free(buf);
}

static void test_io_errors(void **state)
{
	struct tdv_rec_result res;
	char path[128], want[300];

	path_of(path, sizeof(path), "absent.rec");
	assert_int_equal(tdv_rec_read_file(path, &visitor, NULL, &res), -1);
	assert_int_equal(res.status, TDV_REC_IO);
	snprintf(want, sizeof(want), "%s: cannot read: %s", path, strerror(ENOENT));
	assert_string_equal(res.error, want);
	assert_int_equal(tdv_rec_read_file(tmpdir, &visitor, NULL, &res), -1);
	assert_int_equal(res.status, TDV_REC_IO);
}

static const char *truncate_path;

static void truncate_on_header(void *ctx, const struct tdv_rec_header *h)
{
	assert_int_equal(truncate(truncate_path, 0), 0);
}

static void count_event(void *ctx, const struct tdv_event *e)
{
	(*(unsigned int *)ctx)++;
}

/*
 * A file truncated while it is read (another tdvtrace record --force, a
 * full disk's cleanup) is no SIGBUS: the reader has its own copy.
 */
static void test_truncated_while_read(void **state)
{
	const struct tdv_rec_visitor trunc = { .header = truncate_on_header, .event = count_event };
	struct tdv_event e = craft_event(TDV_EV_GET);
	struct tdv_rec_header h;
	struct tdv_rec_result res;
	struct tdv_rec_writer *w;
	unsigned int events = 0;
	char path[128], err[256];

	path_of(path, sizeof(path), "shrinks.rec");
	craft_header(&h, 1);
	w = craft_create(path, &h, err, sizeof(err));
	assert_non_null(w);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(tdv_rec_event(w, &e), 0);
	assert_int_equal(tdv_rec_close(w, 9), 0);
	assert_true(file_size(path) > 100000);
	truncate_path = path;
	assert_int_equal(tdv_rec_read_file(path, &trunc, &events, &res), 0);
	assert_int_equal(res.status, TDV_REC_OK);
	assert_int_equal(events, 2000);
	assert_int_equal(file_size(path), 0);
}

/* The checked-in bad inputs give what their .expect files say. */
static void test_bad_inputs(void **state)
{
	char dir[256], path[600], name[600], status[32];
	const char *slash;
	struct tdv_rec_result res;
	struct dirent *d;
	unsigned long long offset;
	unsigned int checked = 0;
	DIR *dp;

	/* __FILE__ is tests/unit/test_recfile.c as make passes it. */
	slash = strrchr(__FILE__, '/');
	snprintf(dir, sizeof(dir), "%.*s/../fuzz/bad", (int)(slash - __FILE__), __FILE__);
	dp = opendir(dir);
	assert_non_null(dp);
	while ((d = readdir(dp))) {
		size_t n = strlen(d->d_name);
		FILE *f;

		if (n < 8 || strcmp(d->d_name + n - 7, ".expect"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_int_equal(fscanf(f, "%31s %llu", status, &offset), 2);
		fclose(f);
		snprintf(name, sizeof(name), "%s/%.*s", dir, (int)(n - 7), d->d_name);
		tdv_rec_read_file(name, NULL, NULL, &res);
		if (strcmp(tdv_rec_status_name(res.status), status) || res.offset != offset)
			fail_msg("%s: %s at %llu, expected %s at %llu (%s)", name,
				 tdv_rec_status_name(res.status), (unsigned long long)res.offset,
				 status, offset, res.error);
		checked++;
	}
	closedir(dp);
	assert_true(checked >= 5);
}

/* Every seed of the fuzz corpus is a whole, good recording. */
static void test_corpus(void **state)
{
	char dir[256], path[600];
	const char *slash = strrchr(__FILE__, '/');
	struct tdv_rec_result res;
	unsigned int checked = 0;
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%.*s/../fuzz/corpus", (int)(slash - __FILE__), __FILE__);
	dp = opendir(dir);
	assert_non_null(dp);
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (tdv_rec_read_file(path, NULL, NULL, &res))
			fail_msg("%s", res.error);
		checked++;
	}
	closedir(dp);
	assert_true(checked >= 3);
}

static void test_names(void **state)
{
	assert_string_equal(tdv_rec_status_name(TDV_REC_OK), "ok");
	assert_string_equal(tdv_rec_status_name(TDV_REC_TRUNCATED), "truncated");
	assert_string_equal(tdv_rec_status_name(TDV_REC_CORRUPT), "corrupt");
	assert_string_equal(tdv_rec_status_name(TDV_REC_FOREIGN), "foreign");
	assert_string_equal(tdv_rec_status_name(TDV_REC_NEWER), "newer");
	assert_string_equal(tdv_rec_status_name(TDV_REC_IO), "io");
	assert_string_equal(tdv_rec_status_name((enum tdv_rec_status)99), "unknown");
	assert_string_equal(tdv_rec_attach_name(TDV_REC_MISSING), "missing");
	assert_string_equal(tdv_rec_attach_name(TDV_REC_FENTRY), "fentry");
	assert_string_equal(tdv_rec_attach_name(TDV_REC_KPROBE), "kprobe");
	assert_string_equal(tdv_rec_attach_name(TDV_REC_TRACEPOINT), "tracepoint");
	assert_string_equal(tdv_rec_attach_name(4), "unknown");
}

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_recfile.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	if (__sanitizer_install_malloc_and_free_hooks)
		__sanitizer_install_malloc_and_free_hooks(malloc_hook, free_hook);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_every_kind),
		cmocka_unit_test(test_header_limits),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_truncated_while_read),
		cmocka_unit_test(test_flush_leaves_readable_prefix),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_truncated_message),
		cmocka_unit_test(test_flipped_byte_in_each_record),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_newer_major),
		cmocka_unit_test(test_unknown_type_skipped),
		cmocka_unit_test(test_unknown_kind_newer_minor),
		cmocka_unit_test(test_longer_payload_newer_minor),
		cmocka_unit_test(test_minor0_header),
		cmocka_unit_test(test_invalid_event),
		cmocka_unit_test(test_absurd_lengths),
		cmocka_unit_test(test_zero_filled_tail),
		cmocka_unit_test(test_after_end),
		cmocka_unit_test(test_null_visitor_and_result),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("recfile", tests, setup, teardown);
}
