// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include "hist_format.h"
#include "json.h"

#define BAR_WIDTH 40

const char *tdv_hist_unit_name(uint64_t unit_ns)
{
	if (unit_ns == 1000000)
		return "msecs";
	if (unit_ns == 1000)
		return "usecs";
	return "nsecs";
}

void tdv_hist_title(char *buf, size_t len, const struct tdv_hist_key *key)
{
	const char *func = tdv_hist_func_name(key->func);
	char seg[16] = "";
	unsigned int v = key->variant;

	if (key->seg != TDV_HIST_ALL_SEGS)
		snprintf(seg, sizeof(seg), " [seg %u]", key->seg);
	if (key->func == TDV_H_GET)
		snprintf(buf, len, "%s, %s%s%s", func, tdv_hist_outcome_name(v),
			 v == TDV_H_NEW ? " id" : "", seg);
	else if (key->func == TDV_H_ID_ALLOC && v == TDV_H_OCC_FULL)
		snprintf(buf, len, "%s, pool full%s", func, seg);
	else if (key->func == TDV_H_ID_ALLOC && v == TDV_H_OCC_ERROR)
		snprintf(buf, len, "%s, failed%s", func, seg);
	else if (key->func == TDV_H_ID_ALLOC)
		snprintf(buf, len, "%s, pool occupancy %" PRIu64 " -> %" PRIu64 "%s", func,
			 tdv_hist_slot_low(v), tdv_hist_slot_high(v), seg);
	else
		snprintf(buf, len, "%s%s", func, seg);
}

/* Slots past the last one with calls are not printed. */
static int last_used_slot(const struct tdv_hist_val *v)
{
	int last = 0;

	for (int i = 0; i < TDV_HIST_SLOTS; i++)
		if (v->slots[i])
			last = i;
	return last;
}

static double avg_units(const struct tdv_hist_val *v, uint64_t unit_ns)
{
	return v->count ? (double)v->sum_ns / v->count / unit_ns : 0;
}

void tdv_hist_print_text(FILE *f, const struct tdv_hist *h, const struct tdv_hist_print *p)
{
	const struct tdv_hist_val *v = &h->val;
	const char *unit = tdv_hist_unit_name(p->unit_ns);
	int last = last_used_slot(v);
	uint64_t max = 0;
	char title[96];

	for (int i = 0; i <= last; i++)
		if (v->slots[i] > max)
			max = v->slots[i];
	tdv_hist_title(title, sizeof(title), &h->key);
	fprintf(f, "\n%s\n%10s%-16s : count    distribution\n", title, "", unit);
	for (int i = 0; i <= last; i++) {
		int stars = max ? (int)(v->slots[i] * BAR_WIDTH / max) : 0;
		char bar[BAR_WIDTH + 1];

		memset(bar, '*', stars);
		bar[stars] = '\0';
		fprintf(f, "%10" PRIu64 " -> %-10" PRIu64 " : %-8" PRIu64 " |%-*s|\n",
			tdv_hist_slot_low(i), tdv_hist_slot_high(i), (uint64_t)v->slots[i],
			BAR_WIDTH, bar);
	}
	fprintf(f, "count %" PRIu64 ", avg %.1f, p50 ~%.1f, p99 ~%.1f %s\n", (uint64_t)v->count,
		avg_units(v, p->unit_ns), tdv_hist_quantile(v, 0.50), tdv_hist_quantile(v, 0.99),
		unit);
}

static void write_variant(struct tdv_json *w, const struct tdv_hist_key *key)
{
	unsigned int v = key->variant;

	if (key->func == TDV_H_GET) {
		tdv_json_string_field(w, "outcome", tdv_hist_outcome_name(v));
	} else if (key->func == TDV_H_ID_ALLOC) {
		tdv_json_name(w, "occupancy");
		tdv_json_start_object(w);
		if (v == TDV_H_OCC_FULL) {
			tdv_json_bool_field(w, "full", true);
		} else if (v == TDV_H_OCC_ERROR) {
			tdv_json_bool_field(w, "error", true);
		} else {
			tdv_json_uint_field(w, "low", tdv_hist_slot_low(v));
			tdv_json_uint_field(w, "high", tdv_hist_slot_high(v));
		}
		tdv_json_end_object(w);
	}
}

void tdv_hist_print_json(FILE *f, const struct tdv_hist *h, const struct tdv_hist_print *p)
{
	const struct tdv_hist_val *v = &h->val;
	int last = last_used_slot(v);
	struct tdv_json w;

	tdv_json_init(&w, f);
	tdv_json_start_object(&w);
	if (p->stamp)
		tdv_json_string_field(&w, "time", p->stamp);
	if (p->interval)
		tdv_json_uint_field(&w, "interval", p->interval);
	tdv_json_string_field(&w, "func", tdv_hist_func_name(h->key.func));
	write_variant(&w, &h->key);
	if (h->key.seg != TDV_HIST_ALL_SEGS)
		tdv_json_uint_field(&w, "seg", h->key.seg);
	tdv_json_string_field(&w, "unit", tdv_hist_unit_name(p->unit_ns));
	tdv_json_uint_field(&w, "count", v->count);
	tdv_json_uint_field(&w, "sum_ns", v->sum_ns);
	tdv_json_double_field(&w, "avg", avg_units(v, p->unit_ns), 3);
	tdv_json_double_field(&w, "p50", tdv_hist_quantile(v, 0.50), 3);
	tdv_json_double_field(&w, "p99", tdv_hist_quantile(v, 0.99), 3);
	tdv_json_name(&w, "buckets");
	tdv_json_start_array(&w);
	for (int i = 0; i <= last; i++) {
		tdv_json_start_object(&w);
		tdv_json_uint_field(&w, "low", tdv_hist_slot_low(i));
		tdv_json_uint_field(&w, "high", tdv_hist_slot_high(i));
		tdv_json_uint_field(&w, "count", v->slots[i]);
		tdv_json_end_object(&w);
	}
	tdv_json_end_array(&w);
	tdv_json_end_object(&w);
	tdv_json_end_line(&w);
}
