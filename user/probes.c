// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kallsyms.h"
#include "probes.h"

#define IS_TRACEPOINT_ENTRY false
#define IS_TRACEPOINT_CALL false
#define IS_TRACEPOINT_TRACEPOINT true
#define PROBE_ROW(KIND, name, sym, flags, events, ...)                                             \
	[TDV_EV_##KIND - 1] = {                                                                    \
		.event = #name,                                                                    \
		.symbol = sym,                                                                     \
		.required = TDV_P_REQUIRED & (flags),                                              \
		.is_static = TDV_P_STATIC & (flags),                                               \
		.tracepoint = IS_TRACEPOINT_##events,                                              \
	},

static const struct tdv_probe probe_table[TDV_PROBE_COUNT] = { TDV_PROBES(PROBE_ROW) };

/* Format into a copy: the arguments may be other fields of the probe. */
static void set_why(struct tdv_probe *p, const char *fmt, ...)
{
	char why[sizeof(p->why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	memcpy(p->why, why, sizeof(why));
}

const char *tdv_probe_how_name(enum tdv_probe_how how)
{
	static const char *const names[] = {
		[TDV_HOW_MISSING] = "missing",
		[TDV_HOW_FENTRY] = "fentry",
		[TDV_HOW_KPROBE] = "kprobe",
		[TDV_HOW_TRACEPOINT] = "tracepoint",
	};

	return names[how];
}

struct kallsyms_scan {
	struct tdv_probe_set *set;
	bool *found;
};

static void add_clone(struct tdv_probe *p, const char *name)
{
	size_t used = strlen(p->clones);

	if (used + 2 + strlen(name) < sizeof(p->clones))
		snprintf(p->clones + used, sizeof(p->clones) - used, "%s%s", used ? ", " : "",
			 name);
}

/*
 * Exact text symbols give the module; a "sym.xxx" name (.isra, .constprop,
 * .part) is a compiler clone that takes some or all of the calls, which
 * kprobes by name and fentry cannot follow.
 */
static int scan_symbol(void *ctx, const struct tdv_ksym *k)
{
	struct kallsyms_scan *scan = ctx;

	if (k->type != 't' && k->type != 'T')
		return 0;
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &scan->set->probe[i];
		size_t len = strlen(p->symbol);

		if (p->tracepoint || strncmp(k->name, p->symbol, len))
			continue;
		if (!k->name[len]) {
			scan->found[i] = true;
			snprintf(p->module, sizeof(p->module), "%s",
				 k->module[0] ? k->module : "vmlinux");
		} else if (k->name[len] == '.' && strcmp(k->name + len, ".cold")) {
			/* .cold is a split-off slow path, not a clone */
			add_clone(p, k->name);
		}
	}
	return 0;
}

/* Kernel BTF by module; the probes of one driver share one module. */
struct btf_cache {
	struct btf *vmlinux;
	struct btf *module;
	char module_name[64];
};

static bool has_btf_func(struct btf_cache *c, const char *module, const char *symbol)
{
	struct btf *btf = c->vmlinux;

	if (!c->vmlinux)
		return false;
	if (strcmp(module, "vmlinux")) {
		if (strcmp(c->module_name, module)) {
			btf__free(c->module);
			c->module = btf__load_module_btf(module, c->vmlinux);
			snprintf(c->module_name, sizeof(c->module_name), "%s", module);
		}
		btf = c->module;
		if (!btf)
			return false;
	}
	return btf__find_by_name_kind(btf, symbol, BTF_KIND_FUNC) > 0;
}

int tdv_probes_detect(struct tdv_probe_set *set, enum tdv_attach_mode mode)
{
	bool found[TDV_PROBE_COUNT] = {};
	bool tracing_ok = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, NULL) > 0;
	struct btf_cache btfs = {};
	int err;

	memcpy(set->probe, probe_table, sizeof(probe_table));
	err = tdv_kallsyms_each(TDV_KALLSYMS, scan_symbol,
				&(struct kallsyms_scan){ .set = set, .found = found });
	if (err)
		return err;
	/* BTF is looked up in every mode: `probes` shows where fentry could go. */
	if (tracing_ok)
		btfs.vmlinux = btf__load_vmlinux_btf();

	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &set->probe[i];

		if (p->tracepoint) {
			p->how = TDV_HOW_TRACEPOINT;
			snprintf(p->module, sizeof(p->module), "vmlinux");
			continue;
		}
		if (!found[i]) {
			p->how = TDV_HOW_MISSING;
			if (p->clones[0])
				set_why(p, "inlined or cloned by the compiler (only %s exists)",
					p->clones);
			else
				set_why(p, "no such function in /proc/kallsyms%s",
					p->is_static ? " (static: inlined?)" : "");
			continue;
		}
		p->has_btf = has_btf_func(&btfs, p->module, p->symbol);
		switch (mode) {
		case TDV_ATTACH_KPROBE:
			p->how = TDV_HOW_KPROBE;
			break;
		case TDV_ATTACH_FENTRY:
			p->how = p->has_btf ? TDV_HOW_FENTRY : TDV_HOW_MISSING;
			if (!p->has_btf)
				set_why(p, "no BTF for it in %s%s: use --attach=kprobe", p->module,
					tracing_ok ? "" : " (and no BPF trampolines)");
			break;
		case TDV_ATTACH_AUTO:
			p->how = p->has_btf ? TDV_HOW_FENTRY : TDV_HOW_KPROBE;
			if (!p->has_btf)
				set_why(p, "no BTF for it in %s: kprobe", p->module);
			break;
		}
	}
	btf__free(btfs.module);
	btf__free(btfs.vmlinux);
	return 0;
}

void tdv_probes_use_kprobes(struct tdv_probe_set *set)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		struct tdv_probe *p = &set->probe[i];

		if (p->how == TDV_HOW_FENTRY) {
			p->how = TDV_HOW_KPROBE;
			set_why(p, "fentry failed to load: kprobe");
		}
	}
}

void tdv_probes_missing_required(const struct tdv_probe_set *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < TDV_PROBE_COUNT && used < len; i++) {
		const struct tdv_probe *p = &set->probe[i];

		if (!p->required || p->how != TDV_HOW_MISSING)
			continue;
		used += snprintf(buf + used, len - used, "%s%s (%s)", used ? ", " : "", p->symbol,
				 p->why);
	}
}

enum tdv_observed tdv_probe_observed(const struct tdv_probe_set *set, const struct tdv_probe *p,
				     const char **from)
{
	bool get = set->probe[TDV_EV_GET - 1].how != TDV_HOW_MISSING;
	bool put = set->probe[TDV_EV_PUT - 1].how != TDV_HOW_MISSING;
	bool alloc = p == &set->probe[TDV_EV_ID_ALLOC - 1];
	bool release = p == &set->probe[TDV_EV_ID_FREE - 1];

	*from = "";
	if (tdv_probe_every_call(p) || (p->how != TDV_HOW_MISSING && p->tracepoint))
		return TDV_OBS_ATTACHED;
	if (alloc && get) {
		*from = "the get that created its entry (refs 1 after it) and its trans_devid";
		return TDV_OBS_DERIVED;
	}
	if (release && put) {
		*from = "the final put: trans_devid_xa state of its id, read at its return";
		return TDV_OBS_DERIVED;
	}
	return p->how != TDV_HOW_MISSING ? TDV_OBS_PARTLY : TDV_OBS_MISSED;
}

const char *tdv_observed_name(enum tdv_observed o)
{
	static const char *const names[] = {
		[TDV_OBS_ATTACHED] = "attached",
		[TDV_OBS_PARTLY] = "partly",
		[TDV_OBS_DERIVED] = "derived",
		[TDV_OBS_MISSED] = "missed",
	};

	return names[o];
}
