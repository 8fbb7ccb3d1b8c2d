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
	char f[32][512];
};

static void collect(void *ctx, const char *frame)
{
	struct frames *fr = ctx;

	assert_true(fr->n < 32);
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
	assert_int_equal(tdv_ustack_capture(u, pid, 7, ips, 4, NULL), 2);
	reap(pid);
	assert_int_equal(tdv_ustack_frames(u, pid, 7, collect, &fr), 2);
	snprintf(want, sizeof(want), "tdv_test_leaf+0x4 (%s)", exe);
	assert_string_equal(fr.f[0], want);
	snprintf(want, sizeof(want), "tdv_test_caller+0x8 (%s)", exe);
	assert_string_equal(fr.f[1], want);
	/* Too late to capture now: the process is gone. */
	assert_int_equal(tdv_ustack_capture(u, pid, 8, ips, 4, NULL), -ESRCH);
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
	assert_int_equal(tdv_ustack_capture(u, pid, 1, ips, 1, NULL), 1);
	alarm(0);
	reap(pid);
	assert_int_equal(tdv_ustack_frames(u, pid, 1, collect, &fr), 1);
	snprintf(want, sizeof(want), "tdv_test_leaf+0x4 (%s (deleted))", copy);
	assert_string_equal(fr.f[0], want);
	unlink(copy);
	rmdir(dir);
	tdv_ustacks_free(u);
}

/* Registers and the stack top here, as the BPF side copies them at a syscall. */
__attribute__((noinline, no_sanitize_address)) static void take_copy(struct tdv_ustack_copy *c,
								     uint64_t stack_end)
{
	volatile uint8_t *dst = c->stack;
	const volatile uint8_t *src;

	__asm__ volatile("movq %%rax, 0(%0)\n\t"
			 "movq %%rdx, 8(%0)\n\t"
			 "movq %%rcx, 16(%0)\n\t"
			 "movq %%rbx, 24(%0)\n\t"
			 "movq %%rsi, 32(%0)\n\t"
			 "movq %%rdi, 40(%0)\n\t"
			 "movq %%rbp, 48(%0)\n\t"
			 "movq %%rsp, 56(%0)\n\t"
			 "movq %%r8, 64(%0)\n\t"
			 "movq %%r9, 72(%0)\n\t"
			 "movq %%r10, 80(%0)\n\t"
			 "movq %%r11, 88(%0)\n\t"
			 "movq %%r12, 96(%0)\n\t"
			 "movq %%r13, 104(%0)\n\t"
			 "movq %%r14, 112(%0)\n\t"
			 "movq %%r15, 120(%0)\n\t"
			 "leaq 0(%%rip), %%rax\n\t"
			 "movq %%rax, 128(%0)\n\t"
			 :
			 : "r"(c->regs)
			 : "rax", "memory");
	c->len = stack_end - c->regs[7];
	if (c->len > TDV_USTACK_COPY_BYTES)
		c->len = TDV_USTACK_COPY_BYTES;
	src = (const volatile uint8_t *)(uintptr_t)c->regs[7];
	for (uint64_t i = 0; i < c->len; i++)
		dst[i] = src[i];
}

__attribute__((noinline)) int tdv_test_unwind_inner(struct tdv_ustack_copy *c, uint64_t end)
{
	volatile int x = 1;

	take_copy(c, end);
	return x + 1;
}

__attribute__((noinline)) int tdv_test_unwind_outer(struct tdv_ustack_copy *c, uint64_t end)
{
	volatile int x = tdv_test_unwind_inner(c, end);

	return x + 2;
}

static uint64_t stack_end(void)
{
	uint64_t start, end, found = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[stack]") &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end) == 2)
			found = end;
	fclose(f);
	assert_true(found);
	return found;
}

/*
 * The frame-pointer walk knows only the first frame; the copied stack,
 * unwound with the binary's CFI, gives the callers.
 */
static void test_dwarf_unwind(void **state)
{
	struct tdv_ustack_copy *c = calloc(1, sizeof(*c));
	struct tdv_ustacks *u = tdv_ustacks_new();
	static struct frames fr; /* off the stack: the copy holds 8 KiB of it */
	uint64_t ip;
	int n, at_inner = -1, at_outer = -1, at_test = -1, at_cmocka = -1, at_main = -1;

	assert_non_null(c);
	assert_non_null(u);
	tdv_test_unwind_outer(c, stack_end());
	ip = c->regs[16];
	assert_int_equal(tdv_ustack_capture(u, getpid(), 3, &ip, 1, c), 1);
	free(c);
	n = tdv_ustack_frames(u, getpid(), 3, collect, &fr);
	assert_true(n >= 4);
	assert_true(strstr(fr.f[0], "take_copy+0x") == fr.f[0]);
	for (int i = 1; i < fr.n; i++) {
		if (strstr(fr.f[i], "tdv_test_unwind_inner+0x") == fr.f[i])
			at_inner = i;
		if (strstr(fr.f[i], "tdv_test_unwind_outer+0x") == fr.f[i])
			at_outer = i;
		if (strstr(fr.f[i], "test_dwarf_unwind+0x") == fr.f[i])
			at_test = i;
		/* Through a shared library (placed at its load address) back to main. */
		if (strstr(fr.f[i], "_cmocka_run_group_tests+0x") == fr.f[i] &&
		    strstr(fr.f[i], "/libcmocka.so"))
			at_cmocka = i;
		if (strstr(fr.f[i], "main+0x") == fr.f[i])
			at_main = i;
	}
	assert_int_equal(at_inner, 1);
	assert_int_equal(at_outer, 2);
	assert_int_equal(at_test, 3);
	assert_true(at_cmocka > at_test);
	assert_true(at_main > at_cmocka);
	/* Unwound once: a second print gives the same frames. */
	fr.n = 0;
	assert_int_equal(tdv_ustack_frames(u, getpid(), 3, collect, &fr), n);
	assert_true(strstr(fr.f[3], "test_dwarf_unwind+0x") == fr.f[3]);
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
		cmocka_unit_test(test_dwarf_unwind),
		cmocka_unit_test(test_kstack_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
