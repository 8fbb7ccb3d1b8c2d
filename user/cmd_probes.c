// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "json.h"
#include "live.h"
#include "preflight.h"
#include "session.h"
#include "text_escape.h"

static const char probes_doc[] =
	"List the probe points tdvtrace uses, whether this kernel has each and "
	"how it attaches (fentry, kprobe, tracepoint or missing, with why), and how "
	"its facts are observed: attached (every call), partly (compiler clones "
	"take some calls), derived (from gets, puts and the kernel's own "
	"trans_devid_xa, where trans_devid_alloc/free are inlined) or missed.\v"
	"Takes --attach, --json and -v. Exit status 0 when the get/put pair is "
	"attachable, 1 otherwise (or on any error), 2 bad usage.";

static error_t parse_probes(int key, char *arg, struct argp_state *state)
{
	struct tdv_options *opts = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = opts;
		return 0;
	case ARGP_KEY_END:
		tdv_refuse_ignored(state, opts->given,
				   TDV_OPT_ATTACH | TDV_OPT_JSON | TDV_OPT_VERBOSE);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp_child probes_children[] = {
	{ &tdv_common_argp, 0, NULL, 0 },
	{},
};

static const struct argp probes_argp = {
	.parser = parse_probes,
	.doc = probes_doc,
	.children = probes_children,
};

/* The note of a row: why, the clones whose calls are missed, what it is derived from. */
static void note_of(const struct tdv_probe_set *set, const struct tdv_probe *p, char *buf,
		    size_t len)
{
	const char *from;
	enum tdv_observed o = tdv_probe_observed(set, p, &from);
	size_t used = snprintf(buf, len, "%s", p->why);

	if (p->clones[0] && p->how != TDV_HOW_MISSING && used < len)
		used += snprintf(buf + used, len - used, "%scalls through %s are missed",
				 used ? "; " : "", p->clones);
	if (o == TDV_OBS_DERIVED && used < len)
		snprintf(buf + used, len - used, "%sderived from %s", used ? "; " : "", from);
}

static void print_text(const struct tdv_probe_set *set)
{
	printf("%-15s %-10s %-9s %-45s %-9s %s\n", "PROBE", "ATTACH", "MODULE", "SYMBOL",
	       "OBSERVED", "NOTE");
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		const struct tdv_probe *p = &set->probe[i];
		char module[TDV_ESC_SIZE(sizeof(p->module))], note[512],
			esc_note[TDV_ESC_SIZE(512)];
		const char *from;

		/* The module and the why come from the kernel (kallsyms, errors). */
		note_of(set, p, note, sizeof(note));
		printf("%-15s %-10s %-9s %-45s %-9s %s\n", p->event, tdv_probe_how_name(p->how),
		       p->module[0] ? tdv_esc(module, sizeof(module), p->module, sizeof(p->module))
				    : "-",
		       p->symbol, tdv_observed_name(tdv_probe_observed(set, p, &from)),
		       tdv_esc(esc_note, sizeof(esc_note), note, sizeof(note)));
	}
}

/* "a.isra.0, b.constprop.1" as a JSON array of names. */
static void clones_array(struct tdv_json *w, const char *clones)
{
	tdv_json_name(w, "missed_through");
	tdv_json_start_array(w);
	while (*clones) {
		size_t n = strcspn(clones, ",");

		tdv_json_string_n(w, clones, n);
		clones += n;
		clones += strspn(clones, ", ");
	}
	tdv_json_end_array(w);
}

static void print_json(const struct tdv_probe_set *set)
{
	for (int i = 0; i < TDV_PROBE_COUNT; i++) {
		const struct tdv_probe *p = &set->probe[i];
		const char *from;
		enum tdv_observed o = tdv_probe_observed(set, p, &from);
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
		/* How its facts reach the model: the probe, or derived (from what). */
		tdv_json_string_field(&w, "observed", tdv_observed_name(o));
		if (o == TDV_OBS_DERIVED)
			tdv_json_string_field(&w, "derived_from", from);
		if (p->clones[0])
			clones_array(&w, p->clones);
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
