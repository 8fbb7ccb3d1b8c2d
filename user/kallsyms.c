// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kallsyms.h"

/* "ADDR T NAME" and maybe "\t[MODULE]", split in place. */
static bool parse_line(char *line, struct tdv_ksym *sym)
{
	char *p, *name, *end, *mod;

	sym->addr = strtoull(line, &p, 16);
	if (p == line || p[0] != ' ' || !isgraph((unsigned char)p[1]) || p[2] != ' ')
		return false;
	sym->type = p[1];
	name = p + 3;
	end = name + strcspn(name, " \t\n");
	if (end == name)
		return false;
	mod = end + strspn(end, " \t");
	*end = '\0';
	sym->name = name;
	sym->module = "";
	if (*mod == '[' && (end = strchr(mod, ']'))) {
		*end = '\0';
		sym->module = mod + 1;
	}
	return true;
}

int tdv_kallsyms_each(const char *path, tdv_ksym_fn fn, void *ctx)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && getline(&line, &cap, f) > 0) {
		struct tdv_ksym sym;

		if (parse_line(line, &sym))
			ret = fn(ctx, &sym);
	}
	if (!ret && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	return ret;
}
