// SPDX-License-Identifier: GPL-2.0
/*
 * floor: the smallest useful libbpf tool. Attaches empty programs on entry
 * and return of amd_iommu_get_trans_devid_by_kvmfd and
 * amd_iommu_free_trans_devid_by_kvmfd, says so on stderr, and holds them
 * until SIGINT/SIGTERM. The benchmark uses it as the overhead floor of each
 * attach mechanism and as the start-up baseline for tdvtrace.
 *
 *   floor [--attach kprobe|fentry] [-v]
 *
 * Prints "floor: attached 4 probes (kprobe)" once every link exists.
 * Exit status 0 on a signal, 1 when loading or attaching fails.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;
static bool verbose;

static void on_signal(int sig)
{
	stop = 1;
}

static int print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Keep only the programs whose name ends in one of this mode's flavours. */
static int choose(struct floor_bpf *skel, const char *entry, const char *exit)
{
	struct bpf_program *prog;
	int kept = 0;

	bpf_object__for_each_program (prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		const char *flavour = strchr(name, '_');
		bool keep = flavour && (!strcmp(flavour + 1, entry) || !strcmp(flavour + 1, exit));

		bpf_program__set_autoload(prog, keep);
		kept += keep;
	}
	return kept;
}

int main(int argc, char **argv)
{
	const char *mode = "kprobe";
	struct sigaction sa = { .sa_handler = on_signal };
	struct floor_bpf *skel;
	sigset_t block, old;
	int n, err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--attach") && i + 1 < argc)
			mode = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else {
			fprintf(stderr, "usage: floor [--attach kprobe|fentry] [-v]\n");
			return 2;
		}
	}
	if (strcmp(mode, "kprobe") && strcmp(mode, "fentry")) {
		fprintf(stderr, "floor: --attach is kprobe or fentry, not '%s'\n", mode);
		return 2;
	}
	libbpf_set_print(print);

	/* Block the signals until attached so that none is lost in between. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: open: %s\n", strerror(errno));
		return 1;
	}
	n = strcmp(mode, "kprobe") ? choose(skel, "fentry", "fexit")
				   : choose(skel, "kprobe", "kretprobe");
	err = floor_bpf__load(skel);
	if (err) {
		fprintf(stderr, "floor: loading the %s programs: %s\n", mode, strerror(-err));
		goto fail;
	}
	err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: attaching the %s programs: %s\n", mode, strerror(-err));
		goto fail;
	}
	fprintf(stderr, "floor: attached %d probes (%s)\n", n, mode);

	while (!stop)
		sigsuspend(&old);
	floor_bpf__destroy(skel);
	return 0;
fail:
	floor_bpf__destroy(skel);
	return 1;
}
