// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "commands.h"
#include "json.h"
#include "live.h"
#include "preflight.h"
#include "session.h"

static const char probes_doc[] =
	"List the probe points tdvtrace uses, whether this kernel has each and "
	"how it attaches (fentry, kprobe, tracepoint or missing, with why).\v"
	"Exit status 0 when the get/put pair is attachable, 1 otherwise.";

static const struct argp_child probes_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{},
};

static const struct argp probes_argp = {
	.doc = probes_doc,
	.children = probes_children,
};

static void print_text(const struct tdv_probe_set *set)
{
	printf("%-15s %-10s %-9s %-45s %s\n", "PROBE", "ATTACH", "MODULE", "SYMBOL", "NOTE");
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		const struct tdv_probe *p = &set->probe[i];

		printf("%-15s %-10s %-9s %-45s %s\n", p->event, tdv_probe_how_name(p->how),
		       p->module[0] ? p->module : "-", p->symbol, p->why);
	}
}

static void print_json(const struct tdv_probe_set *set)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		const struct tdv_probe *p = &set->probe[i];

		struct tdv_json w;

		tdv_json_init(&w, stdout);
		tdv_json_start_object(&w);
		tdv_json_string_field(&w, "probe", p->event);
		tdv_json_string_field(&w, "symbol", p->symbol);
		tdv_json_string_field(&w, "attach", tdv_probe_how_name(p->how));
		tdv_json_bool_field(&w, "required", p->required);
		tdv_json_bool_field(&w, "btf", p->has_btf);
		/* Not in kallsyms: no module known, so none is printed. */
		if (p->module[0])
			tdv_json_string_n_field(&w, "module", p->module, sizeof(p->module));
		tdv_json_string_n_field(&w, "why", p->why, sizeof(p->why));
		tdv_json_end_object(&w);
		tdv_json_end_line(&w);
	}
}

static int ignore_event(void *ctx, void *data, size_t size)
{
	return 0;
}

int cmd_probes(int argc, char **argv)
{
	struct tdv_options opts;
	struct tdv_session session;
	struct tdv_session_error why;
	int err;

	tdv_options_init(&opts);
	argp_parse(&probes_argp, argc, argv, 0, NULL, &opts);
	tdv_libbpf_logging(opts.verbose);
	err = tdv_preflight();
	if (err)
		return err;

	/* Attaching proves each probe; without get/put, detection is the answer. */
	err = tdv_session_open(&session, &opts, ignore_event, NULL, &why);
	if (err && why.step != TDV_STEP_PATCH)
		return tdv_live_explain(&session, &why);
	if (!err) {
		tdv_live_warn_missing(&session);
		tdv_session_close(&session);
	}
	if (opts.json)
		print_json(&session.probes);
	else
		print_text(&session.probes);
	if (err)
		return tdv_live_explain(&session, &why);
	return TDV_EXIT_OK;
}
