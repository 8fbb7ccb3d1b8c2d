/* SPDX-License-Identifier: GPL-2.0 */
/* Printing latency histograms as bcc's biolatency does, or as NDJSON. */
#ifndef TDV_HIST_FORMAT_H
#define TDV_HIST_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "hist.h"

struct tdv_hist_print {
	uint64_t unit_ns;      /* 1, 1000 or 1000000 */
	const char *stamp;     /* -T: "HH:MM:SS", or NULL */
	unsigned int interval; /* interval number from 1, 0: one summary */
};

/* "nsecs", "usecs" or "msecs" */
const char *tdv_hist_unit_name(uint64_t unit_ns);

/* "get, new id", "id_alloc, pool occupancy 16 -> 31" ... and " [seg N]" */
void tdv_hist_title(char *buf, size_t len, const struct tdv_hist_key *key);

/* The headline, the log2 buckets with their bars, and a summary line. */
void tdv_hist_print_text(FILE *f, const struct tdv_hist *h, const struct tdv_hist_print *p);

/* One JSON object and a newline: buckets as low/high/count. */
void tdv_hist_print_json(FILE *f, const struct tdv_hist *h, const struct tdv_hist_print *p);

#endif /* TDV_HIST_FORMAT_H */
