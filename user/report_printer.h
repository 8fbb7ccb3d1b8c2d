/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's reports and closed timelines as `leaks` and `report` print
 * them, and the exit status that says whether anything was found.
 */
#ifndef TDV_REPORT_PRINTER_H
#define TDV_REPORT_PRINTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "model.h"
#include "options.h"
#include "stacks.h"

struct tdv_report_printer {
	FILE *f;
	bool json;		      /* NDJSON, else text */
	enum tdv_timelines timelines; /* with each report its entry's timeline */
	uint64_t start_ns;	      /* text: times are since this */
	struct tdv_symbolizer *sym;   /* --stacks, or NULL */
};

/*
 * A tdv_report_fn (@printer is the struct tdv_report_printer): the report,
 * and its timeline if asked, flushed so a live reader sees it at once.
 */
void tdv_printer_report(void *printer, const struct tdv_report *r);

/* For tdv_model_on_close (--timelines=all): an entry's timeline as it closes. */
void tdv_printer_timeline(void *printer, const struct tdv_timeline *t);

/*
 * The summary line of @m's reports to @f; TDV_EXIT_FOUND when it made any,
 * else TDV_EXIT_OK.
 */
int tdv_printer_summary(const struct tdv_model *m, FILE *f);

#endif /* TDV_REPORT_PRINTER_H */
