// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole of `tdvtrace report` on any bytes. The
 * recording goes through the reader, the feed (reordering), the model and
 * every writer at once (text, NDJSON, events, perfetto, svg, histograms);
 * then each JSON line and the perfetto document must parse (json-c) and the
 * SVG must be well-formed XML (expat). Checksums are recomputed first, as
 * fuzz_recfile does, so mutations reach the decoding behind them.
 *
 * Built and run by `make fuzz` and `make fuzz-smoke`; see tests/fuzz/README.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <expat.h>
#include <json-c/json.h>
#include "capture.h"
#include "event_format.h"
#include "feed.h"
#include "hist.h"
#include "hist_format.h"
#include "model.h"
#include "perfetto_format.h"
#include "recfile.h"
#include "report_printer.h"
#include "svg_format.h"
#include "craft.h"

#define check(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_report: %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* An output in memory. */
struct sink {
	FILE *f;
	char *buf;
	size_t len;
};

struct run {
	struct sink text, json, events, perfetto, svg;
	struct tdv_report_printer text_p, json_p;
	struct tdv_model *model;
	struct tdv_feed feed;
	struct tdv_hist_set hists;
	struct tdv_capture capture;
	uint64_t start_ns, last_ns;
};

static void sink_open(struct sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	check(s->f);
}

static void sink_close(struct sink *s)
{
	check(!fclose(s->f));
	s->f = NULL;
}

static void on_report(void *ctx, const struct tdv_report *r)
{
	struct run *run = ctx;

	tdv_printer_report(&run->text_p, r);
	tdv_printer_report(&run->json_p, r);
	tdv_capture_report(&run->capture, r);
}

static void on_timeline(void *ctx, const struct tdv_timeline *t)
{
	struct run *run = ctx;

	tdv_printer_timeline(&run->text_p, t);
	tdv_printer_timeline(&run->json_p, t);
	tdv_capture_timeline(&run->capture, t);
}

static void on_live_timeline(void *ctx, const struct tdv_timeline *t)
{
	struct run *run = ctx;

	tdv_capture_timeline(&run->capture, t);
}

static void on_header(void *ctx, const struct tdv_rec_header *h)
{
	struct run *run = ctx;

	run->start_ns = run->last_ns = h->start_ns;
	run->text_p.start_ns = h->start_ns;
}

static void on_event(void *ctx, const struct tdv_event *e)
{
	struct run *run = ctx;
	struct tdv_event copy = *e;

	if (e->ts_ns > run->last_ns)
		run->last_ns = e->ts_ns;
	tdv_event_print_json(run->events.f, e);
	tdv_event_print_text(run->text.f, e, run->start_ns);
	tdv_hist_set_add_event(&run->hists, e, 1000, true);
	tdv_feed_event(&run->feed, &copy, sizeof(copy));
}

static void on_loss(void *ctx, uint64_t ts_ns, uint64_t lost)
{
	struct run *run = ctx;

	if (ts_ns > run->last_ns)
		run->last_ns = ts_ns;
	tdv_feed_tick(&run->feed, ts_ns, lost);
}

static void on_seed(void *ctx, const struct tdv_model_seed *s)
{
	struct run *run = ctx;

	tdv_feed_seed(&run->feed, s);
}

static const struct tdv_rec_visitor visitor = {
	.header = on_header,
	.event = on_event,
	.loss = on_loss,
	.seed = on_seed,
};

/* Every line a JSON object. */
static void check_ndjson(const struct sink *s)
{
	const char *p = s->buf, *end = s->buf + s->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;

		check(nl); /* every line ends */
		check(tok);
		o = json_tokener_parse_ex(tok, p, nl - p);
		check(o && json_tokener_get_error(tok) == json_tokener_success);
		check(tok->char_offset == nl - p); /* nothing after the object */
		check(json_object_is_type(o, json_type_object));
		json_object_put(o);
		json_tokener_free(tok);
		p = nl + 1;
	}
}

/* One JSON document. */
static void check_json(const struct sink *s)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	check(tok);
	o = json_tokener_parse_ex(tok, s->buf, s->len);
	check(o && json_tokener_get_error(tok) == json_tokener_success);
	while ((size_t)tok->char_offset < s->len)
		check(strchr(" \t\r\n", s->buf[tok->char_offset++]));
	check(json_object_is_type(o, json_type_object));
	json_object_put(o);
	json_tokener_free(tok);
}

/* Well-formed XML. */
static void check_xml(const struct sink *s)
{
	XML_Parser p = XML_ParserCreate("UTF-8");

	check(p);
	if (XML_Parse(p, s->buf, s->len, 1) != XML_STATUS_OK) {
		fprintf(stderr, "fuzz_report: svg line %lu: %s\n", XML_GetCurrentLineNumber(p),
			XML_ErrorString(XML_GetErrorCode(p)));
		check(0);
	}
	XML_ParserFree(p);
}

static void report_once(const uint8_t *data, size_t size)
{
	struct tdv_hist_print hp = { .unit_ns = 1000 };
	struct tdv_rec_result res;
	struct run run = {};

	sink_open(&run.text);
	sink_open(&run.json);
	sink_open(&run.events);
	sink_open(&run.perfetto);
	sink_open(&run.svg);
	run.text_p = (struct tdv_report_printer){ .f = run.text.f, .timelines = TDV_TIMELINES_ALL };
	run.json_p = (struct tdv_report_printer){ .f = run.json.f,
						  .json = true,
						  .timelines = TDV_TIMELINES_ALL };
	run.model = tdv_model_new(1000000, on_report, &run);
	check(run.model);
	tdv_model_on_close(run.model, on_timeline, &run);
	tdv_feed_init(&run.feed, run.model);
	tdv_hist_set_init(&run.hists);
	tdv_capture_init(&run.capture);

	tdv_rec_read_mem(data, size, &visitor, &run, &res);
	tdv_feed_finish(&run.feed, run.last_ns, res.status != TDV_REC_OK);
	tdv_model_each_timeline(run.model, on_live_timeline, &run);
	run.capture.start_ns = run.start_ns;
	run.capture.end_ns = run.last_ns;
	for (size_t i = 0; i < run.hists.n; i++) {
		tdv_hist_print_text(run.text.f, &run.hists.h[i], &hp);
		tdv_hist_print_json(run.json.f, &run.hists.h[i], &hp);
	}
	tdv_printer_summary(run.model, run.text.f);
	check(!tdv_perfetto_write(run.perfetto.f, &run.capture));
	check(!tdv_svg_write(run.svg.f, &run.capture));

	sink_close(&run.text);
	sink_close(&run.json);
	sink_close(&run.events);
	sink_close(&run.perfetto);
	sink_close(&run.svg);
	check_ndjson(&run.json);
	check_ndjson(&run.events);
	check_json(&run.perfetto);
	check_xml(&run.svg);

	free(run.text.buf);
	free(run.json.buf);
	free(run.events.buf);
	free(run.perfetto.buf);
	free(run.svg.buf);
	tdv_capture_free(&run.capture);
	tdv_hist_set_free(&run.hists);
	tdv_feed_free(&run.feed);
	tdv_model_free(run.model);
}

/* As fuzz_recfile: random bytes never carry good checksums. */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fix_checksums(copy, size);
	report_once(copy, size);
	free(copy);
	return 0;
}
