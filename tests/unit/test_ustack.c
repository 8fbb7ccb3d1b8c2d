// SPDX-License-Identifier: GPL-2.0
/*
 * User stacks: captured while the process lives, symbolized after it is
 * gone; the walk ends where addresses map to nothing; the mapped file is
 * reached through map_files, not its path. Kernel stacks start at the
 * traced function's caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "stacks.h"
#include "ustack.h"

struct frames {
	int n;
	char f[8][512];
};

static void collect(void *ctx, const char *frame)
{
	struct frames *fr = ctx;

	assert_true(fr->n < 8);
	snprintf(fr->f[fr->n++], sizeof(fr->f[0]), "%s", frame);
}

/* Frames to find by name: kept out of line and with a body of some size. */
__attribute__((noinline, used)) int tdv_test_leaf(volatile int *x)
{
	for (int i = 0; i < 16; i++)
		*x += i * *x;
	return *x;
}

__attribute__((noinline, used)) int tdv_test_caller(volatile int *x)
{
	int r = tdv_test_leaf(x);

	*x = r + 1;
	return tdv_test_leaf(x) + 3;
}

/* A child that waits to be killed: the same binary at the same addresses. */
static pid_t spawn_waiting(int *ready_fd)
{
	int pfd[2];
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(pfd[0]);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	*ready_fd = pfd[0];
	return pid;
}

static void wait_ready(int fd)
{
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
	close(fd);
}

static void reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void test_symbolized_after_exit(void **state)
{
	uint64_t ips[] = { (uintptr_t)tdv_test_leaf + 4, (uintptr_t)tdv_test_caller + 8,
			   0xbe552274c0854800ull, (uintptr_t)tdv_test_leaf };
	struct tdv_ustacks *u = tdv_ustacks_new();
	char exe[256], want[512];
	struct frames fr = {};
	ssize_t len;
	int ready;
	pid_t pid;

	assert_non_null(u);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(len > 0);
	exe[len] = '\0';
	pid = spawn_waiting(&ready);
	wait_ready(ready);
	/* The walk stops at the address that maps to nothing. */
	assert_int_equal(tdv_ustack_capture(u, pid, 7, ips, 4), 2);
	reap(pid);
	assert_int_equal(tdv_ustack_frames(u, pid, 7, collect, &fr), 2);
	snprintf(want, sizeof(want), "tdv_test_leaf+0x4 (%s)", exe);
	assert_string_equal(fr.f[0], want);
	snprintf(want, sizeof(want), "tdv_test_caller+0x8 (%s)", exe);
	assert_string_equal(fr.f[1], want);
	/* Too late to capture now: the process is gone. */
	assert_int_equal(tdv_ustack_capture(u, pid, 8, ips, 4), -ESRCH);
	assert_int_equal(tdv_ustack_frames(u, pid, 8, collect, &fr), -ENOENT);
	assert_int_equal(tdv_ustack_frames(u, pid + 1, 7, collect, &fr), -ENOENT);
	tdv_ustacks_free(u);
}

/* Where the file holds @p, from our own mappings. */
static uint64_t file_offset_of(const void *p)
{
	uint64_t ip = (uintptr_t)p, start, end, off, found = UINT64_MAX;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64, &start, &end, &off) == 3 &&
		    ip >= start && ip < end)
			found = ip - start + off;
	fclose(f);
	assert_true(found != UINT64_MAX);
	return found;
}

/*
 * The child maps a copy of this binary, then its path becomes a FIFO: the
 * capture must reach the mapped file (a FIFO would block it) and name the
 * function in it.
 */
static void test_mapped_file_not_path(void **state)
{
	char dir[] = "/tmp/test_ustack.XXXXXX", copy[64], want[128];
	uint64_t off = file_offset_of(tdv_test_leaf), ips[1];
	struct tdv_ustacks *u = tdv_ustacks_new();
	int in, out, pfd[2];
	struct frames fr = {};
	char buf[65536];
	ssize_t got;
	pid_t pid;

	assert_non_null(u);
	assert_non_null(mkdtemp(dir));
	snprintf(copy, sizeof(copy), "%s/vmm", dir);
	in = open("/proc/self/exe", O_RDONLY);
	out = open(copy, O_WRONLY | O_CREAT | O_EXCL, 0700);
	assert_true(in >= 0 && out >= 0);
	while ((got = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, got), got);
	close(in);
	close(out);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int fd = open(copy, O_RDONLY);
		struct stat st;
		void *base;

		if (fd < 0 || fstat(fd, &st))
			_exit(1);
		base = mmap(NULL, st.st_size, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (base == MAP_FAILED || write(pfd[1], &base, sizeof(base)) != sizeof(base))
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	{
		void *base;

		assert_int_equal(read(pfd[0], &base, sizeof(base)), sizeof(base));
		ips[0] = (uintptr_t)base + off + 4;
	}
	close(pfd[0]);
	assert_int_equal(unlink(copy), 0);
	assert_int_equal(mkfifo(copy, 0600), 0);
	alarm(20); /* a blocked open fails the test rather than hanging it */
	assert_int_equal(tdv_ustack_capture(u, pid, 1, ips, 1), 1);
	alarm(0);
	reap(pid);
	assert_int_equal(tdv_ustack_frames(u, pid, 1, collect, &fr), 1);
	snprintf(want, sizeof(want), "tdv_test_leaf+0x4 (%s (deleted))", copy);
	assert_string_equal(fr.f[0], want);
	unlink(copy);
	rmdir(dir);
	tdv_ustacks_free(u);
}

static void assert_keep(const char *const *names, size_t n, const bool *want, size_t nwant)
{
	const char *traced = "amd_iommu_get_trans_devid_by_kvmfd";
	bool keep[16];

	assert_int_equal(tdv_kstack_filter(names, n, traced, keep), nwant);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(keep[i], want[i]);
}

static void test_kstack_filter(void **state)
{
	/* fexit on the get, and fentry/fexit on its caller too (a real 6.1 stack). */
	const char *fexit[] = { "bpf_prog_a9b523503fdd2f1e_get_fexit",
				"bpf_trampoline_2252710442099",
				"amd_iommu_get_trans_devid_by_kvmfd",
				"amd_iommufd_viommu_init",
				"bpf_trampoline_2252710442082",
				"amd_iommufd_viommu_init",
				"sim_ioctl",
				"__x64_sys_ioctl" };
	const bool fexit_keep[] = { 0, 0, 0, 1, 0, 0, 1, 1 };
	/* A kretprobe's stack starts at the caller already. */
	const char *kretprobe[] = { "amd_iommufd_viommu_init", "sim_ioctl" };
	const bool kretprobe_keep[] = { 1, 1 };
	/* A frame with no symbol ends the skip: it may be anyone's. */
	const char *unknown[] = { "bpf_prog_1_get_fexit", NULL,
				  "amd_iommu_get_trans_devid_by_kvmfd" };
	const bool unknown_keep[] = { 0, 1, 1 };
	/* Only the traced function's own frame, not a later call of it. */
	const char *deeper[] = { "amd_iommufd_viommu_init", "amd_iommu_get_trans_devid_by_kvmfd" };
	const bool deeper_keep[] = { 1, 1 };
	/* A trampoline not between two frames of one function stays. */
	const char *lone[] = { "sim_ioctl", "bpf_trampoline_1", "__x64_sys_ioctl" };
	const bool lone_keep[] = { 1, 0, 1 };

	assert_keep(fexit, 8, fexit_keep, 3);
	assert_keep(kretprobe, 2, kretprobe_keep, 2);
	assert_keep(unknown, 3, unknown_keep, 2);
	assert_keep(deeper, 2, deeper_keep, 2);
	assert_keep(lone, 3, lone_keep, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symbolized_after_exit),
		cmocka_unit_test(test_mapped_file_not_path),
		cmocka_unit_test(test_kstack_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
