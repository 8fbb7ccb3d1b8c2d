// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include "json.h"

void tdv_json_init(struct tdv_json *w, FILE *f)
{
	*w = (struct tdv_json){ .f = f };
}

int tdv_json_error(const struct tdv_json *w)
{
	if (w->err)
		return w->err;
	return ferror(w->f) ? -EIO : 0;
}

/*
 * A top-level value holds the FILE's lock from its first byte to its last,
 * so the writes inside it use the unlocked stdio calls: a lock per record,
 * not per field.
 */
static void lock_top(struct tdv_json *w)
{
	if (!w->depth)
		flockfile(w->f);
}

static void unlock_top(struct tdv_json *w)
{
	if (!w->depth)
		funlockfile(w->f);
}

static void put_char(struct tdv_json *w, char c)
{
	putc_unlocked(c, w->f);
}

static void put_bytes(struct tdv_json *w, const void *p, size_t n)
{
	fwrite_unlocked(p, 1, n, w->f);
}

static void misuse(struct tdv_json *w)
{
	if (!w->err)
		w->err = -EINVAL;
}

static bool in_object(const struct tdv_json *w)
{
	return w->depth && w->depth <= TDV_JSON_MAX_DEPTH && (w->in_object >> (w->depth - 1) & 1);
}

static bool in_array(const struct tdv_json *w)
{
	return w->depth && w->depth <= TDV_JSON_MAX_DEPTH && !(w->in_object >> (w->depth - 1) & 1);
}

static void put_break(struct tdv_json *w)
{
	if (w->line_break) {
		put_char(w, '\n');
		w->line_break = false;
	}
}

/* The comma or nothing before a value; checks that a value may go here. */
static void before_value(struct tdv_json *w)
{
	if (w->named) {
		w->named = false;
	} else {
		/* In an object a value needs a name; one value per record. */
		if (in_object(w) || (!w->depth && w->comma))
			misuse(w);
		if (w->comma)
			put_char(w, ',');
		put_break(w);
	}
	w->comma = true;
}

/* Length of the well-formed UTF-8 sequence at @s (of @n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	/* A NUL is no continuation byte: the scan stops at the string's end. */
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* The one escaping routine: runs that need none go out in one fwrite. */
static void put_escaped(struct tdv_json *w, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, len;

	while (i < max && p[i]) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (len = utf8_len(p + i, max - i))) {
			i += len;
			continue;
		}
		if (i > run)
			put_bytes(w, p + run, i - run);
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', c };

			put_bytes(w, esc, sizeof(esc));
		} else {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

			put_bytes(w, esc, sizeof(esc));
		}
		run = ++i;
	}
	if (i > run)
		put_bytes(w, p + run, i - run);
}

static void open_nested(struct tdv_json *w, char c, bool object)
{
	lock_top(w);
	before_value(w);
	put_char(w, c);
	if (w->depth < TDV_JSON_MAX_DEPTH) {
		if (object)
			w->in_object |= 1ULL << w->depth;
		else
			w->in_object &= ~(1ULL << w->depth);
	} else {
		misuse(w);
	}
	w->depth++;
	w->comma = false;
}

static void close_nested(struct tdv_json *w, char c, bool matches)
{
	if (!w->depth) {
		misuse(w);
		return;
	}
	if (!matches || w->named)
		misuse(w);
	put_break(w);
	put_char(w, c);
	w->depth--;
	w->named = false;
	w->comma = true;
	unlock_top(w);
}

/* Past TDV_JSON_MAX_DEPTH the kinds of the levels are not kept: no checks. */
static bool too_deep(const struct tdv_json *w)
{
	return w->depth > TDV_JSON_MAX_DEPTH;
}

void tdv_json_start_object(struct tdv_json *w)
{
	open_nested(w, '{', true);
}

void tdv_json_end_object(struct tdv_json *w)
{
	close_nested(w, '}', in_object(w) || too_deep(w));
}

void tdv_json_start_array(struct tdv_json *w)
{
	open_nested(w, '[', false);
}

void tdv_json_end_array(struct tdv_json *w)
{
	close_nested(w, ']', in_array(w) || too_deep(w));
}

void tdv_json_end_line(struct tdv_json *w)
{
	if (w->depth || w->named)
		misuse(w);
	putc('\n', w->f);
	w->comma = false;
}

void tdv_json_line_break(struct tdv_json *w)
{
	w->line_break = true;
}

void tdv_json_name(struct tdv_json *w, const char *name)
{
	if (w->named || !(in_object(w) || too_deep(w)))
		misuse(w);
	lock_top(w);
	if (w->comma)
		put_char(w, ',');
	put_break(w);
	put_char(w, '"');
	put_escaped(w, name, SIZE_MAX);
	put_bytes(w, "\":", 2);
	w->named = true;
	w->comma = false;
	unlock_top(w);
}

/* A scalar value, already formatted. */
static void put_value(struct tdv_json *w, const char *p, size_t n)
{
	lock_top(w);
	before_value(w);
	put_bytes(w, p, n);
	unlock_top(w);
}

void tdv_json_string_n(struct tdv_json *w, const char *s, size_t max)
{
	lock_top(w);
	before_value(w);
	put_char(w, '"');
	put_escaped(w, s, max);
	put_char(w, '"');
	unlock_top(w);
}

void tdv_json_string(struct tdv_json *w, const char *s)
{
	tdv_json_string_n(w, s, SIZE_MAX);
}

/* The decimal digits of @v, ending just before @end; returns the first. */
static char *format_uint(char *end, uint64_t v)
{
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

void tdv_json_uint(struct tdv_json *w, uint64_t v)
{
	char buf[20], *end = buf + sizeof(buf), *p = format_uint(end, v);

	put_value(w, p, end - p);
}

void tdv_json_int(struct tdv_json *w, int64_t v)
{
	char buf[21], *end = buf + sizeof(buf), *p;

	/* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
	p = format_uint(end, v < 0 ? -(uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	put_value(w, p, end - p);
}

void tdv_json_hex(struct tdv_json *w, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char buf[20], *end = buf + sizeof(buf), *p = end;

	*--p = '"';
	do {
		*--p = hex[v & 0xf];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	*--p = '"';
	put_value(w, p, end - p);
}

void tdv_json_uint_scaled(struct tdv_json *w, uint64_t v, unsigned int decimals)
{
	char buf[40], *end = buf + sizeof(buf), *p = end;

	if (decimals > 19) {
		misuse(w);
		decimals = 19;
	}
	for (unsigned int i = 0; i < decimals; i++) {
		*--p = '0' + v % 10;
		v /= 10;
	}
	if (decimals)
		*--p = '.';
	p = format_uint(p, v);
	put_value(w, p, end - p);
}

void tdv_json_double(struct tdv_json *w, double v, int decimals)
{
	char buf[352]; /* DBL_MAX has 309 digits before the point */
	int n;

	if (!isfinite(v)) {
		tdv_json_null(w);
		return;
	}
	if (decimals < 0 || decimals > 17) {
		misuse(w);
		decimals = decimals < 0 ? 0 : 17;
	}
	n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	put_value(w, buf, n);
}

void tdv_json_bool(struct tdv_json *w, bool v)
{
	if (v)
		put_value(w, "true", 4);
	else
		put_value(w, "false", 5);
}

void tdv_json_null(struct tdv_json *w)
{
	put_value(w, "null", 4);
}

void tdv_json_string_field(struct tdv_json *w, const char *name, const char *s)
{
	tdv_json_name(w, name);
	tdv_json_string(w, s);
}

void tdv_json_string_n_field(struct tdv_json *w, const char *name, const char *s, size_t max)
{
	tdv_json_name(w, name);
	tdv_json_string_n(w, s, max);
}

void tdv_json_int_field(struct tdv_json *w, const char *name, int64_t v)
{
	tdv_json_name(w, name);
	tdv_json_int(w, v);
}

void tdv_json_uint_field(struct tdv_json *w, const char *name, uint64_t v)
{
	tdv_json_name(w, name);
	tdv_json_uint(w, v);
}

void tdv_json_hex_field(struct tdv_json *w, const char *name, uint64_t v)
{
	tdv_json_name(w, name);
	tdv_json_hex(w, v);
}

void tdv_json_double_field(struct tdv_json *w, const char *name, double v, int decimals)
{
	tdv_json_name(w, name);
	tdv_json_double(w, v, decimals);
}

void tdv_json_bool_field(struct tdv_json *w, const char *name, bool v)
{
	tdv_json_name(w, name);
	tdv_json_bool(w, v);
}
