// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

enum {
	OPT_SEG = 0x100,
	OPT_KVMFD,
	OPT_JSON,
	OPT_ATTACH,
	OPT_RINGBUF_KB,
	OPT_MAP_ENTRIES,
};

static const struct argp_option filter_options[] = {
	{ "pid", 'p', "PID", 0, "Only events of this process (VMM) id", 0 },
	{ "seg", OPT_SEG, "SEG", 0, "Only this PCI segment", 0 },
	{ "kvmfd", OPT_KVMFD, "FD", 0, "Only this kvmfd", 0 },
	{ "json", OPT_JSON, NULL, 0, "Output NDJSON: one object per line", 0 },
	{},
};

static const struct argp_option live_options[] = {
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 0 },
	{ "attach", OPT_ATTACH, "MODE", 0, "auto (default), fentry or kprobe: how probes attach",
	  0 },
	{ "ringbuf-kb", OPT_RINGBUF_KB, "KB", 0,
	  "Ring buffer size in KiB, a power of two >= 4 (default 4096)", 0 },
	{ "map-entries", OPT_MAP_ENTRIES, "N", 0,
	  "Size of each BPF tracking map (calls, gens, owners, puts in flight, VMMs, stacks; "
	  "defaults 16384 to 65536): what does not fit is counted as lost evidence",
	  0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf debug messages", 0 },
	{},
};

void tdv_options_init(struct tdv_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->filter.seg = -1;
	opts->filter.kvmfd = -1;
	opts->attach = TDV_ATTACH_AUTO;
}

int tdv_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* Decimal only: "010" is ten, as a person reading a command line means. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static const char *const attach_names[] = {
	[TDV_ATTACH_AUTO] = "auto",
	[TDV_ATTACH_FENTRY] = "fentry",
	[TDV_ATTACH_KPROBE] = "kprobe",
};

int tdv_parse_attach(const char *s, enum tdv_attach_mode *out)
{
	for (size_t i = 0; i < sizeof(attach_names) / sizeof(attach_names[0]); i++) {
		if (!strcmp(s, attach_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

bool tdv_filter_event(const struct tdv_filter *f, const struct tdv_event *e)
{
	return tdv_filter_pass(f->tgid, f->seg, f->kvmfd, e);
}

const char *tdv_attach_mode_name(enum tdv_attach_mode mode)
{
	return attach_names[mode];
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Names as the user types them, in enum tdv_option_bit order. */
static const char *const option_names[] = {
	"-p", "--seg", "--kvmfd", "-d", "--json", "--attach", "--ringbuf-kb", "-v",
};

int tdv_refuse_ignored(struct argp_state *state, unsigned int given, unsigned int applies)
{
	unsigned int ignored = given & ~applies;

	for (unsigned int i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++) {
		if (!(ignored & 1U << i))
			continue;
		argp_error(state, "%s does not apply to this command", option_names[i]);
		return EINVAL;
	}
	return 0;
}

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	struct tdv_options *opts = state->input;
	uint64_t v;

	switch (key) {
	case 'p':
		if (tdv_parse_uint(arg, INT_MAX, &v) || !v)
			argp_error(state, "invalid PID '%s': expected a process id > 0", arg);
		opts->filter.tgid = v;
		opts->given |= TDV_OPT_PID;
		break;
	case OPT_SEG:
		if (tdv_parse_uint(arg, UINT16_MAX, &v))
			argp_error(state, "invalid --seg '%s': expected a PCI segment 0-65535",
				   arg);
		opts->filter.seg = v;
		opts->given |= TDV_OPT_SEG;
		break;
	case OPT_KVMFD:
		if (tdv_parse_uint(arg, INT_MAX, &v))
			argp_error(state,
				   "invalid --kvmfd '%s': expected a file descriptor number >= 0",
				   arg);
		opts->filter.kvmfd = v;
		opts->given |= TDV_OPT_KVMFD;
		break;
	case 'd':
		if (tdv_parse_uint(arg, UINT_MAX, &v) || !v)
			argp_error(state, "invalid duration '%s': expected seconds > 0", arg);
		opts->duration_s = v;
		opts->given |= TDV_OPT_DURATION;
		break;
	case OPT_JSON:
		opts->json = true;
		opts->given |= TDV_OPT_JSON;
		break;
	case OPT_ATTACH:
		if (tdv_parse_attach(arg, &opts->attach))
			argp_error(state, "invalid --attach '%s': expected auto, fentry or kprobe",
				   arg);
		opts->given |= TDV_OPT_ATTACH;
		break;
	case OPT_RINGBUF_KB:
		if (tdv_parse_uint(arg, 1 << 20, &v) || v < 4 || !is_pow2(v))
			argp_error(state,
				   "invalid --ringbuf-kb '%s': expected a power of two from 4 to "
				   "1048576",
				   arg);
		opts->ringbuf_kb = v;
		opts->given |= TDV_OPT_RINGBUF_KB;
		break;
	case OPT_MAP_ENTRIES:
		if (tdv_parse_uint(arg, 1 << 20, &v) || !v)
			argp_error(state, "invalid --map-entries '%s': expected 1 to 1048576", arg);
		opts->map_entries = v;
		break;
	case 'v':
		opts->verbose = true;
		opts->given |= TDV_OPT_VERBOSE;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

enum { OPT_PER_SEG = 0x180 };

static const struct argp_option hist_options[] = {
	{ "milliseconds", 'm', NULL, 0, "Histogram buckets in milliseconds", 0 },
	{ "microseconds", 'u', NULL, 0, "Histogram buckets in microseconds (the default)", 0 },
	{ "nanoseconds", 'n', NULL, 0, "Histogram buckets in nanoseconds", 0 },
	{ "per-seg", OPT_PER_SEG, NULL, 0, "One histogram per PCI segment", 0 },
	{},
};

static error_t parse_hist(int key, char *arg, struct argp_state *state)
{
	struct tdv_hist_options *h = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		h->unit_ns = 1000;
		h->given = false;
		break;
	case 'm':
		h->unit_ns = 1000000;
		h->given = true;
		break;
	case 'u':
		h->unit_ns = 1000;
		h->given = true;
		break;
	case 'n':
		h->unit_ns = 1;
		h->given = true;
		break;
	case OPT_PER_SEG:
		h->per_seg = true;
		h->given = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp tdv_hist_argp = {
	.options = hist_options,
	.parser = parse_hist,
};

enum { OPT_GRACE_MS = 0x1c0, OPT_TIMELINES };

#define STR_(x) #x
#define STR(x) STR_(x)
#define GRACE_MAX_MS 3600000

static const struct argp_option report_options[] = {
	{ "grace-ms", OPT_GRACE_MS, "MS", 0,
	  "How long teardown may lag a VM's end before refs count as leaked (" STR(
		  TDV_DEFAULT_GRACE_MS) ")",
	  0 },
	{ "timelines", OPT_TIMELINES, "all", OPTION_ARG_OPTIONAL,
	  "With each report, its entry's refcount timeline; =all: every entry's as it closes", 0 },
	{},
};

/* Errors return after argp_error for callers (tests) that parse with ARGP_NO_EXIT. */
static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	struct tdv_report_options *r = state->input;
	uint64_t ms;

	switch (key) {
	case ARGP_KEY_INIT:
		r->grace_ns = TDV_DEFAULT_GRACE_NS;
		r->timelines = TDV_TIMELINES_NONE;
		r->grace_given = false;
		break;
	case OPT_GRACE_MS:
		if (tdv_parse_uint(arg, GRACE_MAX_MS, &ms)) {
			argp_error(state, "invalid --grace-ms '%s': expected milliseconds", arg);
			return EINVAL;
		}
		r->grace_ns = ms * 1000000ULL;
		r->grace_given = true;
		break;
	case OPT_TIMELINES:
		if (arg && strcmp(arg, "all")) {
			argp_error(
				state,
				"invalid --timelines=%s: expected --timelines or --timelines=all",
				arg);
			return EINVAL;
		}
		r->timelines = arg ? TDV_TIMELINES_ALL : TDV_TIMELINES_REPORTS;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp tdv_report_argp = {
	.options = report_options,
	.parser = parse_report,
};

static error_t parse_interval(int key, char *arg, struct argp_state *state)
{
	struct tdv_interval *iv = state->input;
	uint64_t v;

	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	switch (state->arg_num) {
	case 0:
		if (tdv_parse_uint(arg, TDV_INTERVAL_MAX_S, &v) || !v) {
			argp_error(state, "invalid interval '%s': expected seconds 1-%u", arg,
				   TDV_INTERVAL_MAX_S);
			return EINVAL;
		}
		iv->interval_s = v;
		return 0;
	case 1:
		if (tdv_parse_uint(arg, UINT32_MAX, &v) || !v) {
			argp_error(state, "invalid count '%s': expected a number 1-%u", arg,
				   UINT32_MAX);
			return EINVAL;
		}
		iv->count = v;
		return 0;
	default:
		argp_error(state, "unexpected argument '%s': expected [INTERVAL [COUNT]]", arg);
		return EINVAL;
	}
}

const struct argp tdv_interval_argp = {
	.parser = parse_interval,
	.args_doc = "[INTERVAL [COUNT]]",
	.doc = "\vINTERVAL is 1 to " STR(TDV_INTERVAL_MAX_S) " seconds, COUNT 1 to 4294967295.",
};

const struct argp tdv_filter_argp = {
	.options = filter_options,
	.parser = parse_common,
};

static const struct argp live_argp = {
	.options = live_options,
	.parser = parse_common,
};

/* argp hands a parser-less argp's input to its first child only. */
static error_t pass_input(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_INIT)
		state->child_inputs[0] = state->child_inputs[1] = state->input;
	return ARGP_ERR_UNKNOWN;
}

static const struct argp_child common_children[] = {
	{ &tdv_filter_argp, 0, NULL, 0 },
	{ &live_argp, 0, NULL, 0 },
	{},
};

const struct argp tdv_common_argp = {
	.parser = pass_input,
	.children = common_children,
};
