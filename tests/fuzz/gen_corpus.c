// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzz seed corpus (good recordings) and the bad inputs with
 * their NAME.expect ("status offset"), from what each damage must give, not
 * from what the reader says: test_recfile checks the reader against them.
 *
 * Usage: gen_corpus CORPUS_DIR BAD_DIR (`make fuzz-corpus`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "craft.h"

static const char *corpus_dir, *bad_dir;

static void die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void spill(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (craft_spill(path, buf, len))
		die(path);
}

static void bad(const char *name, const void *buf, size_t len, const char *status, size_t offset)
{
	char path[512], expect[64];

	spill(bad_dir, name, buf, len);
	snprintf(path, sizeof(path), "%s.expect", name);
	snprintf(expect, sizeof(expect), "%s %zu\n", status, offset);
	spill(bad_dir, path, expect, strlen(expect));
}

/* Write with the API to a scratch file and take its bytes. */
static uint8_t *via_file(int (*make)(const char *path), size_t *len)
{
	char path[512];
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/.gen.tmp", bad_dir);
	if (make(path))
		die(path);
	buf = craft_slurp(path, len);
	if (!buf)
		die(path);
	unlink(path);
	return buf;
}

static int every_kind(const char *path)
{
	struct tdv_model_seed s = craft_seed();
	struct tdv_rec_header h;
	struct tdv_rec_writer *w;
	char err[256];

	craft_header(&h, 4);
	w = craft_create(path, &h, err, sizeof(err));
	if (!w)
		return -1;
	tdv_rec_seed(w, &s);
	for (uint32_t k = 1; k < TDV_EV_MAX; k++) {
		struct tdv_event e = craft_event(k);

		tdv_rec_event(w, &e);
		if (k == TDV_EV_DTE_SET)
			tdv_rec_loss(w, e.ts_ns + 1, 17);
	}
	return tdv_rec_close(w, 1234599999999ULL);
}

static int minimal(const char *path)
{
	struct tdv_rec_header h;
	struct tdv_rec_writer *w;
	char err[256];

	memset(&h, 0, sizeof(h));
	w = craft_create(path, &h, err, sizeof(err));
	return w ? tdv_rec_close(w, 0) : -1;
}

int main(int argc, char **argv)
{
	static const uint8_t elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, [16] = 3, [18] = 0x3e };
	static const char text[] = "#!/bin/sh\necho hello\n";
	size_t len, offs[CRAFT_MAX_RECS], grown[CRAFT_MAX_RECS], n;
	uint8_t *small, *buf, rec[64];

	if (argc != 3) {
		fprintf(stderr, "usage: gen_corpus CORPUS_DIR BAD_DIR\n");
		return 2;
	}
	corpus_dir = argv[1];
	bad_dir = argv[2];

	small = via_file(craft_small, &len);
	if (craft_records(small, len, offs) != 5)
		return 1;
	spill(corpus_dir, "small.rec", small, len);
	buf = via_file(every_kind, &n);
	spill(corpus_dir, "every-kind.rec", buf, n);
	free(buf);
	buf = via_file(minimal, &n);
	spill(corpus_dir, "minimal.rec", buf, n);
	free(buf);

	/* A newer minor version: longer header and records, a type unknown here. */
	buf = malloc(len);
	memcpy(buf, small, len);
	n = len;
	craft_put16(buf + 10, TDV_REC_MINOR + 1);
	for (int i = 4; i >= 0; i--)
		craft_grow_record(&buf, &n, offs[i], 4 + 2 * i, 0x5a);
	craft_records(buf, n, grown);
	craft_insert(&buf, &n, grown[2], rec, craft_record(rec, 42, "future", 6));
	craft_insert(&buf, &n, CRAFT_HEAD + craft_le32(buf + 12), "new", 3);
	craft_put32(buf + 12, craft_le32(buf + 12) + 3);
	craft_fix_header(buf);
	spill(corpus_dir, "newer-minor.rec", buf, n);
	free(buf);

	bad("truncated.rec", small, offs[2] + 20, "truncated", offs[2]);
	bad("no-end.rec", small, offs[4], "truncated", offs[4]);
	bad("cut-magic.rec", small, 5, "foreign", 0);
	bad("foreign-elf.rec", elf, sizeof(elf), "foreign", 0);
	bad("foreign-text.rec", text, sizeof(text) - 1, "foreign", 0);

	buf = malloc(len + 512);
	memcpy(buf, small, len);
	buf[offs[1] + 30] ^= 0x04;
	bad("bitflip.rec", buf, len, "corrupt", offs[1]);

	memcpy(buf, small, len);
	craft_put16(buf + 8, 2);
	bad("newer-major.rec", buf, len, "newer", 8);

	memcpy(buf, small, len);
	craft_put32(buf + 12, 0xffffffff);
	bad("huge-header.rec", buf, len, "corrupt", 0);

	memcpy(buf, small, len);
	craft_put32(buf + offs[1] + 4, 0xfffffff0);
	bad("huge-record.rec", buf, len, "corrupt", offs[1]);

	memcpy(buf, small, len);
	craft_put32(buf + offs[2] + 8 + 24, 99); /* event kind */
	craft_fix_record(buf, offs[2]);
	bad("bad-kind.rec", buf, len, "corrupt", offs[2]);

	/* The file grew but its last blocks never reached the disk. */
	memcpy(buf, small, offs[4] + 10);
	memset(buf + offs[4] + 10, 0, len + 512 - offs[4] - 10);
	bad("zero-tail.rec", buf, len + 512, "truncated", offs[4]);

	free(buf);
	free(small);
	return 0;
}
