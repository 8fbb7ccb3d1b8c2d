// SPDX-License-Identifier: GPL-2.0
/*
 * tdvtrace: watch the AMD vIOMMU translate-device-id allocator live.
 * Dispatches to one command per file (cmd_*.c).
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "options.h"
#include "output.h"

const char *argp_program_version = "tdvtrace 0.1";
const char *argp_program_bug_address = "<tdvtrace issues>";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "probes", cmd_probes, "which probe points this kernel has and how each attaches" },
	{ "trace", cmd_trace, "one line (or JSON object) per event, live" },
	{ "top", cmd_top, "live table per VM: seg, kvmfd, trans_devid, refs, vIOMMUs, owner, age" },
	{ "leaks", cmd_leaks, "report leaks and anomalies as they become certain; exit 3 if any" },
	{ "hist", cmd_hist, "log2 latency histograms per function, [INTERVAL [COUNT]]" },
	{ "record", cmd_record, "record events to a file (-o FILE) for report, here or elsewhere" },
	{ "report", cmd_report,
	  "analyse a recording: reports, timelines, histograms; text, json, perfetto, svg" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: tdvtrace COMMAND [OPTION...]\n"
		   "Trace the AMD vIOMMU translate-device-id allocator.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'tdvtrace COMMAND --help' lists a command's options.\n"
		   "Exit status: 0 success, 1 error, 2 bad usage, 3 leaks or anomalies found\n"
		   "(leaks, report), 4 damaged recording, partly analysed (report).\n");
}

int main(int argc, char **argv)
{
	char name[64];

	argp_err_exit_status = TDV_EXIT_USAGE;
	tdv_output_take_stdout();
	if (argc < 2) {
		usage(stderr);
		return TDV_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return tdv_output_status(tdv_stdout(), TDV_EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s\n", argp_program_version);
		return tdv_output_status(tdv_stdout(), TDV_EXIT_OK);
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* argp names the program after argv[0] in its messages. */
		snprintf(name, sizeof(name), "tdvtrace %s", commands[i].name);
		argv[1] = name;
		/* A write error anywhere in the output is the command's error. */
		return tdv_output_status(tdv_stdout(), commands[i].run(argc - 1, argv + 1));
	}
	fprintf(stderr, "tdvtrace: unknown command '%s'; try 'tdvtrace --help'\n", argv[1]);
	return TDV_EXIT_USAGE;
}
