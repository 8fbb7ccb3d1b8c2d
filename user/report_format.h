/* SPDX-License-Identifier: GPL-2.0 */
/* Printing leak and anomaly reports as text or NDJSON. */
#ifndef TDV_REPORT_FORMAT_H
#define TDV_REPORT_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include "model.h"
#include "stacks.h"

/*
 * A headline and one indented line per piece of evidence, and with @sym
 * (--stacks) the symbolized kernel and user stacks of each get.
 */
void tdv_report_print_text(FILE *f, const struct tdv_report *r, uint64_t start_ns,
			   struct tdv_symbolizer *sym);

/*
 * One JSON object and a newline: "kind" as SPEC.md names it; with
 * @timeline, its entry's timeline under "timeline".
 */
void tdv_report_print_json(FILE *f, const struct tdv_report *r, bool timeline,
			   struct tdv_symbolizer *sym);

/* An entry's refcount timeline: a headline and a line per change. */
void tdv_timeline_print_text(FILE *f, const struct tdv_timeline *t, uint64_t start_ns);

/* The timeline as one JSON object (no newline). */
void tdv_timeline_print_json(FILE *f, const struct tdv_timeline *t);

/* "2 reports: 1 leak_ref, 1 alias" or "no leaks or anomalies". */
void tdv_report_print_summary(FILE *f, const struct tdv_model_stats *st);

#endif /* TDV_REPORT_FORMAT_H */
