/* SPDX-License-Identifier: GPL-2.0 */
/* Decoding ring-buffer records and printing them as text or NDJSON. */
#ifndef TDV_EVENT_FORMAT_H
#define TDV_EVENT_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "tdvtrace.h"

/* "get", "put", ...; NULL for a kind this build does not know. */
const char *tdv_event_name(uint32_t kind);

/* The kind named @name, or 0. */
uint32_t tdv_event_kind(const char *name);

/*
 * Check that @size bytes at @data are one struct tdv_event this build
 * understands. Returns 0 or -EINVAL; a bad record is never printed.
 */
int tdv_event_decode(const void *data, size_t size, struct tdv_event *out);

/* One line: time (seconds since @start_ns), event, pid, comm, key=value. */
void tdv_event_print_text(FILE *f, const struct tdv_event *e, uint64_t start_ns);

/* The header line matching tdv_event_print_text(). */
void tdv_event_print_text_header(FILE *f);

/*
 * One JSON object and a newline; fields that do not apply, and a vm that is
 * not known (0), are omitted.
 */
void tdv_event_print_json(FILE *f, const struct tdv_event *e);

#endif /* TDV_EVENT_FORMAT_H */
