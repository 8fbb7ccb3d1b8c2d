// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: tdv_rec_read_mem() on any bytes must end in a status,
 * deliver only sane values, and keep its result consistent.
 *
 * Built and run by `make fuzz` (FUZZ_SECONDS, default 300) and `make
 * fuzz-smoke` (corpus and bad inputs once, then 20 s); see tests/fuzz/README.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_format.h"
#include "recfile.h"
#include "craft.h"

struct counts {
	uint64_t headers, records, events, ends;
	uint64_t sum; /* every field lands here, so none is skipped unread */
};

static FILE *devnull;

#define check(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_recfile: %s:%d: %s\n", __FILE__, __LINE__, #cond);   \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A string the reader returns: terminated within its array, no control bytes. */
static void check_str(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	check(n < size);
	for (size_t i = 0; i < n; i++)
		check((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void on_header(void *ctx, const struct tdv_rec_header *h)
{
	struct counts *c = ctx;

	check(c->headers == 0 && c->records == 0);
	c->headers++;
	check(h->major == TDV_REC_MAJOR);
	check(h->nprobes <= TDV_REC_MAX_PROBES);
	check_str(h->krelease, sizeof(h->krelease));
	check_str(h->version, sizeof(h->version));
	check_str(h->hostname, sizeof(h->hostname));
	c->sum += h->minor + h->start_ns + h->boot_offset_ns + h->filter_tgid + h->filter_seg +
		  h->filter_kvmfd;
	for (unsigned int i = 0; i < h->nprobes; i++) {
		check_str(h->probes[i].name, sizeof(h->probes[i].name));
		c->sum += strlen(tdv_rec_attach_name(h->probes[i].attach));
	}
}

static void on_event(void *ctx, const struct tdv_event *e)
{
	struct counts *c = ctx;
	struct tdv_event copy;

	check(c->headers == 1);
	c->records++;
	c->events++;
	check(tdv_event_decode(e, sizeof(*e), &copy) == 0);
	check(!(e->fields & TDV_F_STACKS) && !e->kstack && !e->ustack);
	check(strnlen(e->comm, TDV_COMM_LEN) < TDV_COMM_LEN);
	c->sum += e->ts_ns + e->vm + e->lat_ns + e->cpu + e->pid + e->tgid + e->kvmfd + e->ret +
		  e->refs + e->gen + e->seg + e->trans_devid + e->gid + e->iommu;
	/* What `tdvtrace report` does with it next. */
	tdv_event_print_text(devnull, e, 0);
	tdv_event_print_json(devnull, e);
}

static void on_loss(void *ctx, uint64_t ts_ns, uint64_t lost)
{
	struct counts *c = ctx;

	check(c->headers == 1);
	c->records++;
	c->sum += ts_ns + lost;
}

static void on_seed(void *ctx, const struct tdv_model_seed *s)
{
	struct counts *c = ctx;

	check(c->headers == 1);
	c->records++;
	check(strnlen(s->comm, TDV_COMM_LEN) < TDV_COMM_LEN);
	c->sum +=
		s->seg + s->kvmfd + s->gen + s->trans_devid + s->refs + s->vm + s->tgid + s->ts_ns;
}

static void on_end(void *ctx, uint64_t end_ns, uint64_t events, uint64_t lost)
{
	struct counts *c = ctx;

	check(c->headers == 1);
	c->records++;
	c->ends++;
	c->sum += end_ns + events + lost;
}

static const struct tdv_rec_visitor visitor = {
	.header = on_header,
	.event = on_event,
	.loss = on_loss,
	.seed = on_seed,
	.end = on_end,
};

/*
 * Random bytes almost never carry good checksums: a second read with them
 * recomputed lets the fuzzer reach the decoding behind the checks.
 */
static void fix_checksums(uint8_t *buf, size_t len)
{
	size_t off;

	if (len < CRAFT_HEAD || memcmp(buf, "TDVTRACE", 8) ||
	    craft_le32(buf + 12) > TDV_REC_MAX_PAYLOAD || craft_head_end(buf) > len)
		return;
	craft_fix_header(buf);
	for (off = craft_head_end(buf); len - off >= CRAFT_REC_HEAD;) {
		uint32_t n = craft_le32(buf + off + 4);

		if (n > TDV_REC_MAX_PAYLOAD || len - off - CRAFT_REC_HEAD < (size_t)n + 4)
			return;
		craft_fix_record(buf, off);
		off += CRAFT_REC_HEAD + n + 4;
	}
}

static void read_once(const uint8_t *data, size_t size)
{
	struct tdv_rec_result res;
	struct counts c = { 0 };
	int ret;

	ret = tdv_rec_read_mem(data, size, &visitor, &c, &res);

	check(ret == (res.status == TDV_REC_OK ? 0 : -1));
	check(res.status <= TDV_REC_NEWER); /* IO only comes from a file */
	check(res.records == c.records && res.events == c.events);
	check(res.offset <= size);
	check(strnlen(res.error, sizeof(res.error)) < sizeof(res.error));
	check((res.error[0] == '\0') == (res.status == TDV_REC_OK));
	check(res.complete == (res.status == TDV_REC_OK));
	if (res.status == TDV_REC_OK)
		check(c.headers == 1 && c.ends >= 1 && res.offset == size);
	if (res.status == TDV_REC_FOREIGN || res.status == TDV_REC_NEWER)
		check(c.headers == 0 && c.records == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	check(devnull);
	read_once(data, size);
	copy = malloc(size ? size : 1);
	check(copy);
	memcpy(copy, data, size);
	fix_checksums(copy, size);
	read_once(copy, size);
	free(copy);
	return 0;
}
