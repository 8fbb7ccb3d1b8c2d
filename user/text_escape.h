/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strings tdvtrace did not write itself (a process's comm, kernel symbol
 * and module names, a recording's host and kernel names, symbols from a
 * VMM's ELF files) made safe for a terminal and for a line-oriented log:
 * the one escaping routine every text printer uses (JSON has json.c's, SVG
 * its XML one).
 *
 * Printable ASCII and well-formed UTF-8 pass as they are; '\' becomes
 * "\\"; every other byte (C0 controls, ESC, DEL, bytes that are not UTF-8)
 * becomes "\xHH"; the C1 controls U+0080..U+009F and the bidirectional
 * overrides (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), which
 * terminals obey or which reorder a line, become "\u{HHHH}". So a name can
 * neither break a line, nor move the cursor, nor forge a field.
 */
#ifndef TDV_TEXT_ESCAPE_H
#define TDV_TEXT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Room for any escaped string of @n bytes: an escape is at most 4 bytes per byte in. */
#define TDV_ESC_SIZE(n) ((n)*4 + 1)

/*
 * @s, at most @max bytes and up to its NUL, escaped into @buf of @len
 * bytes, NUL-terminated; cut before an escape that does not fit, never
 * inside one. Returns @buf, for use as a printf argument.
 */
const char *tdv_esc(char *buf, size_t len, const char *s, size_t max);

/* The same written to @f, with no length limit. */
void tdv_esc_fputs(FILE *f, const char *s, size_t max);

#endif /* TDV_TEXT_ESCAPE_H */
