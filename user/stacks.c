// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "grow.h"
#include "kallsyms.h"
#include "stacks.h"
#include "tdvtrace.h"

struct ksym {
	uint64_t addr;
	char name[64];
	char mod[32];
};

struct tdv_symbolizer {
	int map_fd;
	int copies_fd; /* "ustack_copies" */
	struct tdv_ustack_copy copy;
	char *kallsyms;
	char *traced;
	struct tdv_ustacks *ustacks;
	struct ksym *ksyms;
	size_t nksyms, ksyms_cap;
	bool ksyms_loaded;
};

struct tdv_symbolizer *tdv_symbolizer_new(int stack_map_fd, int copies_map_fd, const char *kallsyms,
					  const char *traced)
{
	struct tdv_symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->map_fd = stack_map_fd;
	s->copies_fd = copies_map_fd;
	s->kallsyms = strdup(kallsyms);
	s->traced = strdup(traced);
	s->ustacks = tdv_ustacks_new();
	if (!s->kallsyms || !s->traced || !s->ustacks) {
		tdv_symbolizer_free(s);
		return NULL;
	}
	return s;
}

void tdv_symbolizer_free(struct tdv_symbolizer *s)
{
	if (!s)
		return;
	free(s->ksyms);
	free(s->kallsyms);
	free(s->traced);
	tdv_ustacks_free(s->ustacks);
	free(s);
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add_ksym(void *ctx, const struct tdv_ksym *k)
{
	struct tdv_symbolizer *s = ctx;
	struct ksym *e;

	if ((k->type != 't' && k->type != 'T') || !k->addr)
		return 0;
	if (TDV_GROW(s->ksyms, s->ksyms_cap, s->nksyms + 1, 4096))
		return -ENOMEM; /* symbolize with what we have */
	e = &s->ksyms[s->nksyms++];
	e->addr = k->addr;
	snprintf(e->name, sizeof(e->name), "%s", k->name);
	snprintf(e->mod, sizeof(e->mod), "%s", k->module);
	return 0;
}

/* Text symbols of /proc/kallsyms, sorted, loaded on first use. */
static void load_ksyms(struct tdv_symbolizer *s)
{
	s->ksyms_loaded = true;
	tdv_kallsyms_each(s->kallsyms, add_ksym, s);
	if (s->nksyms)
		qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), by_addr);
}

/* The text symbol at or below @ip, NULL when none. */
static const struct ksym *kernel_sym(struct tdv_symbolizer *s, uint64_t ip)
{
	size_t lo = 0, hi;

	if (!s->ksyms_loaded)
		load_ksyms(s);
	hi = s->nksyms;
	while (lo < hi) { /* the last symbol at or below ip */
		size_t mid = (lo + hi) / 2;

		if (s->ksyms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &s->ksyms[lo - 1] : NULL;
}

static bool tdvtrace_own(const char *name)
{
	static const char *const prefixes[] = { "bpf_prog_",  "bpf_trampoline_", "__kretprobe_",
						"kretprobe_", "arch_rethook_",	 "rethook_" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

size_t tdv_kstack_filter(const char *const *names, size_t n, const char *traced, bool *keep)
{
	size_t i = 0, kept = 0;

	while (i < n && names[i] && tdvtrace_own(names[i]))
		keep[i++] = false;
	if (i < n && names[i] && traced && !strcmp(names[i], traced))
		keep[i++] = false;
	for (; i < n; i++) {
		keep[i] = !names[i] || strncmp(names[i], "bpf_trampoline_", 15);
		/* Another probe's trampoline, called from its function's entry. */
		if (!keep[i] && i > 0 && i + 1 < n && names[i - 1] && names[i + 1] &&
		    !strcmp(names[i - 1], names[i + 1]))
			keep[++i] = false;
	}
	for (i = 0; i < n; i++)
		kept += keep[i];
	return kept;
}

static void print_kernel(struct tdv_symbolizer *s, const uint64_t *ips, size_t n, tdv_frame_fn fn,
			 void *ctx)
{
	const char *names[TDV_STACK_DEPTH];
	const struct ksym *syms[TDV_STACK_DEPTH];
	bool keep[TDV_STACK_DEPTH];
	char frame[512];
	size_t i;

	for (i = 0; i < n; i++) {
		syms[i] = kernel_sym(s, ips[i]);
		names[i] = syms[i] ? syms[i]->name : NULL;
	}
	tdv_kstack_filter(names, n, s->traced, keep);
	for (i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		if (syms[i])
			snprintf(frame, sizeof(frame), "%s+0x%" PRIx64 "%s%s%s", syms[i]->name,
				 ips[i] - syms[i]->addr, syms[i]->mod[0] ? " [" : "", syms[i]->mod,
				 syms[i]->mod[0] ? "]" : "");
		else
			snprintf(frame, sizeof(frame), "0x%" PRIx64, ips[i]);
		fn(ctx, frame);
	}
}

static size_t stack_ips(struct tdv_symbolizer *s, int32_t id, uint64_t *ips)
{
	size_t n = 0;

	if (id < 0 || bpf_map_lookup_elem(s->map_fd, &id, ips))
		return 0;
	while (n < TDV_STACK_DEPTH && ips[n])
		n++;
	return n;
}

void tdv_stack_capture(struct tdv_symbolizer *s, const struct tdv_event *e)
{
	uint64_t ips[TDV_STACK_DEPTH], key;
	bool have_copy;
	size_t n;

	if (!s || e->kind != TDV_EV_GET || !(e->fields & TDV_F_STACKS))
		return;
	n = stack_ips(s, e->ustack, ips);
	if (!n)
		return;
	key = (uint64_t)e->tgid << 32 | (uint32_t)e->ustack;
	have_copy = !bpf_map_lookup_and_delete_elem(s->copies_fd, &key, &s->copy);
	tdv_ustack_capture(s->ustacks, e->tgid, e->ustack, ips, n, have_copy ? &s->copy : NULL);
}

int tdv_stack_frames(struct tdv_symbolizer *s, int32_t id, bool user, uint32_t tgid,
		     tdv_frame_fn fn, void *ctx)
{
	uint64_t ips[TDV_STACK_DEPTH];
	char frame[32];
	size_t n;
	int got;

	if (!s)
		return 0;
	if (user) {
		got = tdv_ustack_frames(s->ustacks, tgid, id, fn, ctx);
		if (got >= 0)
			return got;
	}
	n = stack_ips(s, id, ips);
	if (!n)
		return 0;
	if (!user) {
		print_kernel(s, ips, n, fn, ctx);
		return n;
	}
	/* Not captured at the get: now, if the process still lives. */
	if (tdv_ustack_capture(s->ustacks, tgid, id, ips, n, NULL) >= 0)
		return tdv_ustack_frames(s->ustacks, tgid, id, fn, ctx);
	for (size_t i = 0; i < n; i++) {
		snprintf(frame, sizeof(frame), "0x%" PRIx64, ips[i]);
		fn(ctx, frame);
	}
	return n;
}
