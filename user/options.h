/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options shared by every tdvtrace command. */
#ifndef TDV_OPTIONS_H
#define TDV_OPTIONS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "tdvtrace.h"

/*
 * Exit statuses, the same in every command (README "Exit statuses"): a
 * finding is never an error, so CI can tell "leaked" from "could not look".
 */
enum tdv_exit {
	TDV_EXIT_OK = 0,
	TDV_EXIT_ENV = 1,     /* an error: privileges, BTF, probes, a file, a write */
	TDV_EXIT_USAGE = 2,   /* bad flags or values (argp_err_exit_status) */
	TDV_EXIT_FOUND = 3,   /* leaks, report: something was reported (CI gates on it) */
	TDV_EXIT_PARTIAL = 4, /* report: the recording is damaged; what was read is analysed */
};

enum tdv_attach_mode {
	TDV_ATTACH_AUTO,
	TDV_ATTACH_FENTRY,
	TDV_ATTACH_KPROBE,
};

struct tdv_filter {
	uint32_t tgid; /* 0: any */
	int32_t seg;   /* -1: any */
	int64_t kvmfd; /* -1: any */
};

/* The shared options, as bits of tdv_options.given. */
enum tdv_option_bit {
	TDV_OPT_PID = 1 << 0,
	TDV_OPT_SEG = 1 << 1,
	TDV_OPT_KVMFD = 1 << 2,
	TDV_OPT_DURATION = 1 << 3,
	TDV_OPT_JSON = 1 << 4,
	TDV_OPT_ATTACH = 1 << 5,
	TDV_OPT_RINGBUF_KB = 1 << 6,
	TDV_OPT_VERBOSE = 1 << 7,
};

struct tdv_options {
	unsigned int given; /* enum tdv_option_bit: what the command line set */
	struct tdv_filter filter;
	unsigned int duration_s; /* 0: until interrupted */
	bool json;
	bool verbose;
	enum tdv_attach_mode attach;
	unsigned int ringbuf_kb;  /* 0: default */
	unsigned int map_entries; /* 0: each tracking map its default size */
	bool stacks;		  /* record the stacks of each get */
	/* hist: load the aggregating programs (no ring buffer), buckets in these */
	uint64_t hist_unit_ns;
};

void tdv_options_init(struct tdv_options *opts);

/* Does @e pass @f, as the BPF programs filter? (for recorded events) */
bool tdv_filter_event(const struct tdv_filter *f, const struct tdv_event *e);

/* Value parsers: 0 on success, -EINVAL with nothing stored otherwise. */
int tdv_parse_uint(const char *s, uint64_t max, uint64_t *out);
int tdv_parse_attach(const char *s, enum tdv_attach_mode *out);
const char *tdv_attach_mode_name(enum tdv_attach_mode mode);

/*
 * The argp child that parses -p, --seg, --kvmfd, -d, -v, --json, --attach
 * and --ringbuf-kb into the struct tdv_options passed as argp input.
 */
extern const struct argp tdv_common_argp;

/*
 * A command refuses what it would ignore: argp_error naming the first
 * option of @given that is not in @applies ("--seg does not apply to
 * this command"). Returns EINVAL when it refused, else 0.
 */
int tdv_refuse_ignored(struct argp_state *state, unsigned int given, unsigned int applies);

/* Only -p, --seg, --kvmfd and --json: for commands that read a recording. */
extern const struct argp tdv_filter_argp;

/* How histograms are shown (hist, report). */
struct tdv_hist_options {
	uint64_t unit_ns; /* 1, 1000 (default) or 1000000 */
	bool per_seg;	  /* one histogram per PCI segment */
	bool given;	  /* one of -m, -u, -n, --per-seg was given */
};

/* The argp child for -m, -u, -n and --per-seg, into a struct tdv_hist_options. */
extern const struct argp tdv_hist_argp;

/* Teardown still in flight after a VM goes: a put may follow this late. */
#define TDV_DEFAULT_GRACE_MS 500
#define TDV_DEFAULT_GRACE_NS (TDV_DEFAULT_GRACE_MS * 1000000ULL)

enum tdv_timelines {
	TDV_TIMELINES_NONE,
	TDV_TIMELINES_REPORTS, /* --timelines: each report with its entry's timeline */
	TDV_TIMELINES_ALL,     /* --timelines=all: and every entry's as it closes */
};

/* How leak and anomaly reports are made and shown (leaks, report). */
struct tdv_report_options {
	uint64_t grace_ns; /* --grace-ms: 0 to 3600000 ms, default 500 */
	enum tdv_timelines timelines;
	bool grace_given; /* --grace-ms was given */
};

/* The argp child for --grace-ms and --timelines[=all], into a struct tdv_report_options. */
extern const struct argp tdv_report_argp;

/*
 * [INTERVAL [COUNT]] (top, hist): print every INTERVAL seconds, 1 to
 * TDV_INTERVAL_MAX_S, COUNT times, 1 to UINT32_MAX. What the arguments do
 * not give keeps the value the command set before parsing.
 */
#define TDV_INTERVAL_MAX_S 86400
struct tdv_interval {
	unsigned int interval_s;
	unsigned int count; /* 0: until stopped */
};

/* The argp child that parses [INTERVAL [COUNT]] into a struct tdv_interval. */
extern const struct argp tdv_interval_argp;

#endif /* TDV_OPTIONS_H */
