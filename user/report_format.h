/* SPDX-License-Identifier: GPL-2.0 */
/* Printing leak and anomaly reports as text or NDJSON. */
#ifndef TDV_REPORT_FORMAT_H
#define TDV_REPORT_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include "json.h"
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
 * @timeline, its entry's timeline under "timeline". A vm or other_vm that
 * is not known (0) is omitted, as is every field that does not apply.
 */
void tdv_report_print_json(FILE *f, const struct tdv_report *r, bool timeline,
			   struct tdv_symbolizer *sym);

/*
 * A report's fields, "kind" to "evidence", into the object @w has open: the
 * one list of them, for report JSON and for the args of a Perfetto report.
 */
void tdv_report_write_fields(struct tdv_json *w, const struct tdv_report *r,
			     struct tdv_symbolizer *sym);

/* An entry's refcount timeline: a headline and a line per change. */
void tdv_timeline_print_text(FILE *f, const struct tdv_timeline *t, uint64_t start_ns);

/* --timelines=all: {"timeline": {...}} and a newline. */
void tdv_timeline_print_json(FILE *f, const struct tdv_timeline *t);

/*
 * Who made a change and through which vIOMMU: "pid", "tgid", "comm", "gid"
 * and "iommu", as each timeline point and piece of evidence has them.
 */
void tdv_json_write_actor(struct tdv_json *w, uint32_t pid, uint32_t tgid, const char *comm,
			  uint32_t gid, uint32_t iommu);

/*
 * The fields naming a timeline's entry, "seg" to "released_ns" (while
 * released), into the object @w has open: for timeline JSON and the
 * entry's slice in a Perfetto trace.
 */
void tdv_timeline_write_entry(struct tdv_json *w, const struct tdv_timeline *t);

/* "2 reports: 1 leak_ref, 1 alias" or "no leaks or anomalies". */
void tdv_report_print_summary(FILE *f, const struct tdv_model_stats *st);

#endif /* TDV_REPORT_FORMAT_H */
