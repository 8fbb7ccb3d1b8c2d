// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "text_escape.h"

/* The length of the well-formed UTF-8 sequence at @p (@n bytes), else 0; its code point in @cp. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Code points a terminal obeys, or that reorder what follows them. */
static bool hidden_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The text for the character at @p (@n bytes left) into @out (at least 12
 * bytes, NUL-terminated); returns how many bytes of @p it stands for.
 */
static size_t esc_one(const unsigned char *p, size_t n, char *out)
{
	uint32_t cp;
	size_t len;

	if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
		out[0] = *p;
		out[1] = '\0';
		return 1;
	}
	if (*p == '\\') {
		strcpy(out, "\\\\");
		return 1;
	}
	len = *p >= 0x80 ? utf8_seq(p, n, &cp) : 0;
	if (!len) {
		snprintf(out, 12, "\\x%02x", *p);
		return 1;
	}
	if (hidden_control(cp)) {
		snprintf(out, 12, "\\u{%04x}", (unsigned int)cp);
	} else {
		memcpy(out, p, len);
		out[len] = '\0';
	}
	return len;
}

const char *tdv_esc(char *buf, size_t len, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used = 0, i = 0, n = s ? strnlen(s, max) : 0;

	if (!len)
		return buf;
	while (i < n) {
		char piece[12];
		size_t took = esc_one(p + i, n - i, piece), plen = strlen(piece);

		if (used + plen >= len)
			break;
		memcpy(buf + used, piece, plen);
		used += plen;
		i += took;
	}
	buf[used] = '\0';
	return buf;
}

void tdv_esc_fputs(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = s ? strnlen(s, max) : 0;

	while (i < n) {
		char piece[12];

		i += esc_one(p + i, n - i, piece);
		fputs(piece, f);
	}
}
