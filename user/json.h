/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer, after bpftool's json_writer: values go
 * straight to a FILE as they are written, the writer puts the commas and
 * colons, and nothing is allocated. It lives on the caller's stack:
 *
 *	struct tdv_json w;
 *
 *	tdv_json_init(&w, f);
 *	tdv_json_start_object(&w);
 *	tdv_json_uint_field(&w, "seg", 1);
 *	tdv_json_end_object(&w);
 *	tdv_json_end_line(&w);		(NDJSON: "{"seg":1}\n")
 *	err = tdv_json_error(&w);
 *
 * Strings end at a NUL. '"' and '\' are escaped, every control byte (0x01 to
 * 0x1f, 0x7f) as \u00XX, well-formed UTF-8 passes through, and any other byte
 * (a comm is bytes, not text) is escaped as \u00XX: the output is always
 * valid UTF-8 and valid JSON.
 *
 * Kernel pointers are hex strings ("0xffff..."): JSON readers keep numbers
 * as doubles, which round past 2^53.
 *
 * A top-level value holds the FILE's lock (flockfile) from its first byte to
 * its last, and writes inside it without taking the lock again: one lock per
 * record, not per field. A value left open keeps the lock.
 *
 * What the writer cannot place (a value in an object without a name, a name
 * outside an object, an end that does not match its start, a second record
 * before tdv_json_end_line(), nesting past TDV_JSON_MAX_DEPTH) makes
 * tdv_json_error() -EINVAL.
 */
#ifndef TDV_JSON_H
#define TDV_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TDV_JSON_MAX_DEPTH 64

struct tdv_json {
	FILE *f;
	uint64_t in_object; /* bit d: level d+1 is an object (else an array) */
	unsigned int depth; /* open objects and arrays */
	bool comma;	    /* a value came before: a comma goes before the next */
	bool named;	    /* a field name was written: its value comes next */
	bool line_break;    /* a newline goes before the next value or end */
	int err;	    /* the first misuse, -EINVAL */
};

void tdv_json_init(struct tdv_json *w, FILE *f);

/* 0, -EINVAL after a misuse, or -EIO when the stream reports an error. */
int tdv_json_error(const struct tdv_json *w);

void tdv_json_start_object(struct tdv_json *w);
void tdv_json_end_object(struct tdv_json *w);
void tdv_json_start_array(struct tdv_json *w);
void tdv_json_end_array(struct tdv_json *w);

/* The end of one NDJSON record: a newline; the next value is a new record. */
void tdv_json_end_line(struct tdv_json *w);

/*
 * A newline before the next value, name or closing bracket, after its
 * comma: one element per line in a document a person may read.
 */
void tdv_json_line_break(struct tdv_json *w);

/* The name of the object field whose value is written next. */
void tdv_json_name(struct tdv_json *w, const char *name);

void tdv_json_string(struct tdv_json *w, const char *s);
/* At most @max bytes of @s, fewer when a NUL comes first (fixed-size arrays). */
void tdv_json_string_n(struct tdv_json *w, const char *s, size_t max);
void tdv_json_int(struct tdv_json *w, int64_t v);
void tdv_json_uint(struct tdv_json *w, uint64_t v);
/* "0x1f": lower case, no leading zeros. */
void tdv_json_hex(struct tdv_json *w, uint64_t v);
/* @v / 10^@decimals, exactly, with @decimals digits after the point (0..19). */
void tdv_json_uint_scaled(struct tdv_json *w, uint64_t v, unsigned int decimals);
/* @v rounded to @decimals digits after the point (0..17); null if not finite. */
void tdv_json_double(struct tdv_json *w, double v, int decimals);
void tdv_json_bool(struct tdv_json *w, bool v);
void tdv_json_null(struct tdv_json *w);

/* A name and its value. */
void tdv_json_string_field(struct tdv_json *w, const char *name, const char *s);
void tdv_json_string_n_field(struct tdv_json *w, const char *name, const char *s, size_t max);
void tdv_json_int_field(struct tdv_json *w, const char *name, int64_t v);
void tdv_json_uint_field(struct tdv_json *w, const char *name, uint64_t v);
void tdv_json_hex_field(struct tdv_json *w, const char *name, uint64_t v);
void tdv_json_double_field(struct tdv_json *w, const char *name, double v, int decimals);
void tdv_json_bool_field(struct tdv_json *w, const char *name, bool v);

#endif /* TDV_JSON_H */
