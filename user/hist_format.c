// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include "hist_format.h"

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

static void print_variant_json(FILE *f, const struct tdv_hist_key *key)
{
	unsigned int v = key->variant;

	if (key->func == TDV_H_GET) {
		fprintf(f, ",\"outcome\":\"%s\"", tdv_hist_outcome_name(v));
	} else if (key->func == TDV_H_ID_ALLOC) {
		if (v == TDV_H_OCC_FULL)
			fputs(",\"occupancy\":{\"full\":true}", f);
		else if (v == TDV_H_OCC_ERROR)
			fputs(",\"occupancy\":{\"error\":true}", f);
		else
			fprintf(f, ",\"occupancy\":{\"low\":%" PRIu64 ",\"high\":%" PRIu64 "}",
				tdv_hist_slot_low(v), tdv_hist_slot_high(v));
	}
}

void tdv_hist_print_json(FILE *f, const struct tdv_hist *h, const struct tdv_hist_print *p)
{
	const struct tdv_hist_val *v = &h->val;
	int last = last_used_slot(v);

	fputc('{', f);
	if (p->stamp)
		fprintf(f, "\"time\":\"%s\",", p->stamp);
	if (p->interval)
		fprintf(f, "\"interval\":%u,", p->interval);
	fprintf(f, "\"func\":\"%s\"", tdv_hist_func_name(h->key.func));
	print_variant_json(f, &h->key);
	if (h->key.seg != TDV_HIST_ALL_SEGS)
		fprintf(f, ",\"seg\":%u", h->key.seg);
	fprintf(f,
		",\"unit\":\"%s\",\"count\":%" PRIu64 ",\"sum_ns\":%" PRIu64
		",\"avg\":%.3f,\"p50\":%.3f,\"p99\":%.3f,\"buckets\":[",
		tdv_hist_unit_name(p->unit_ns), (uint64_t)v->count, (uint64_t)v->sum_ns,
		avg_units(v, p->unit_ns), tdv_hist_quantile(v, 0.50), tdv_hist_quantile(v, 0.99));
	for (int i = 0; i <= last; i++)
		fprintf(f, "%s{\"low\":%" PRIu64 ",\"high\":%" PRIu64 ",\"count\":%" PRIu64 "}",
			i ? "," : "", tdv_hist_slot_low(i), tdv_hist_slot_high(i),
			(uint64_t)v->slots[i]);
	fputs("]}\n", f);
}
