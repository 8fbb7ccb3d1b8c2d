// SPDX-License-Identifier: GPL-2.0
/*
 * tdvctl: drive the tdvsim simulator for tests and the demo.
 *
 *   tdvctl [--truth FILE] [--threads N] script FILE|-
 *   tdvctl [--truth FILE] churn --vms N --viommus M --seed S --procs P
 *                               [--segs 1|2] [--one-per-seg] [--serialize]
 *                               [--fault-rate PCT]
 *   tdvctl bench [--mode fresh|hold] [--pairs N] [--seg S] [--rounds R]
 *
 * VMs are real KVM VMs: KVM_CREATE_VM on /dev/kvm (held open on a high fd
 * number, so VM fds get the lowest free numbers).
 *
 * --threads N (or the script command "threads N"): start N idle threads
 * first, making the process a multi-threaded VMM whose fd table is shared,
 * as QEMU's is (the kernel's fdget then takes a reference on the file).
 *
 * Script commands, one per line ('#' starts a comment):
 *   vm NAME                 create a VM; prints "vm NAME kvmfd=N"
 *   close NAME              close the VM's fd (KVM destroys the VM when its
 *                           file's last reference goes)
 *   threads N               start N more idle threads (they end with the
 *                           process); prints "threads N"
 *   viommu V NAME IOMMU     create vIOMMU V for VM NAME on IOMMU index 0..3;
 *                           prints "viommu V seg= iommu= gid= trans_devid=
 *                           refs= ret=" (refs: kvmfd_xa after the call)
 *   destroy V               destroy vIOMMU V; prints "destroy V ... refs="
 *   reserve SEG ID          amd_iommu_trans_devid_reserve; prints ret=
 *   fill SEG N              reserve ids 0xffff down to 0x10000 - N: the
 *                           allocator's scan then passes N taken ids
 *   fini SEG                amd_iommu_pci_seg_trans_devid_fini
 *   fault NAME [COUNT]      the next COUNT (1) matching operations fail:
 *                           skip_put double_put fail_init_one
 *                           fail_alloc_enospc fail_alloc_enomem
 *                           skip_dte_clear skip_id_free fail_copy_out
 *   state SEG               print kvmfd_xa's entries and the pool counts
 *   truth                   print the driver's own counts per segment as
 *                           one JSON line: gets, puts, alias,
 *                           clear_while_shared, gets_new, gets_failed,
 *                           id_allocs, viommu_inits, viommu_destroys,
 *                           dte_sets, dte_clears, vm_resolves, vm_pins
 *                           (see tdvsim_uapi.h)
 *   sleep MS | touch PATH | wait PATH (up to 30 s) | exit
 *   (exit: leave at once; the process's exit closes its fds)
 * A name may be reused once its VM is closed or its vIOMMU destroyed.
 * Numbers are decimal or 0x-hex. Any error: a message on stderr, exit 1.
 *
 * Churn: P processes (fork), each with its own /dev/tdvsim, share N VM
 * lifecycles: up to three VMs alive at once per process, each with 1..M
 * vIOMMUs on random IOMMUs (of the first --segs segments; --one-per-seg:
 * vIOMMU i on segment i), destroyed in random order, then the VM closed.
 * Process p is seeded with S * 1000 + p: the same run gives the same
 * operations. --serialize: one operation at a time across the processes.
 * --fault-rate PCT: before that percent of vIOMMU creates and destroys, arm
 * a fault that fits (see tdvsim_uapi.h); the truth records what fired.
 *
 * Bench: a VM, then R rounds of N get/put pairs in the module's kernel loop
 * (TDVSIM_BENCH), one JSON line per round:
 *   {"mode":"hold","pairs":N,"ns":T,"ns_per_pair":T/N}
 *
 * Truth (--truth FILE): NDJSON, one object per action with its outcome as
 * the module reported it, appended with one O_APPEND write() each so
 * concurrent processes interleave whole lines; names are JSON-escaped, ids
 * decimal, "iommu" is the IOMMU's devid, "refs" the kvmfd_xa refcount after
 * the call (0: no entry), "ret" the kernel function's return:
 *   {"pid":P,"op":"vm","vm":"A","kvmfd":4}
 *   {"pid":P,"op":"viommu","viommu":"v1","vm":"A","kvmfd":4,"seg":0,
 *    "iommu":2,"gid":1,"trans_devid":65535,"refs":1,"ret":0,"fired":[],
 *    "kvm":"0xffff...","vm_pinned":false,"threads":0}
 *   {"pid":P,"op":"destroy","viommu":"v1","kvmfd":4,"seg":0,"iommu":2,
 *    "gid":1,"trans_devid":65535,"refs":0,...,"kvm":"0xffff..."}
 *   {"pid":P,"op":"threads","count":2,"threads":2}
 * "kvm" is the struct kvm address the driver resolved the kvmfd to, as
 * tdvtrace prints "vm" ("0x0" when none); "vm_pinned" says the driver's
 * fdget took a file reference it never drops, so KVM never destroys that
 * VM; "threads" is how many extra threads the process had then.
 *   {"pid":P,"op":"close","vm":"A","kvmfd":4}
 *   {"pid":P,"op":"reserve","seg":0,"id":16,"ret":0}
 *   {"pid":P,"op":"fini","seg":0} / {"pid":P,"op":"fault","fault":"skip_put","count":1}
 * A failed create has "ret" < 0, "gid":0 and "trans_devid":0.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "tdvsim_uapi.h"

#define MAX_NAMES 4096
#define GONE (-1) /* a closed VM's fd, a destroyed vIOMMU's handle */

static const char *const fault_names[TDVSIM_NR_FAULTS] = {
	[TDVSIM_FAULT_SKIP_PUT] = "skip_put",
	[TDVSIM_FAULT_DOUBLE_PUT] = "double_put",
	[TDVSIM_FAULT_FAIL_INIT_ONE] = "fail_init_one",
	[TDVSIM_FAULT_FAIL_ALLOC_ENOSPC] = "fail_alloc_enospc",
	[TDVSIM_FAULT_FAIL_ALLOC_ENOMEM] = "fail_alloc_enomem",
	[TDVSIM_FAULT_SKIP_DTE_CLEAR] = "skip_dte_clear",
	[TDVSIM_FAULT_SKIP_ID_FREE] = "skip_id_free",
	[TDVSIM_FAULT_FAIL_COPY_OUT] = "fail_copy_out",
};

struct named {
	char name[32];
	int value;   /* VM: fd; vIOMMU: handle */
	int kvmfd;   /* vIOMMU: its VM's fd */
	char vm[32]; /* vIOMMU: its VM's name */
};

static int dev = -1;
static int kvm_dev = -1;
static int truth_fd = -1;
static unsigned int nthreads; /* idle threads started */
static struct named vms[MAX_NAMES], viommus[MAX_NAMES];
static int nvms, nviommus;
static int cur_line; /* the script line being run, for messages */

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("tdvctl: ", stderr);
	if (cur_line)
		fprintf(stderr, "line %d: ", cur_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* @s as the body of a JSON string (names are at most 31 bytes). */
static const char *json_str(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 7 < size; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			n += snprintf(buf + n, size - n, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			n += snprintf(buf + n, size - n, "\\u%04x", c);
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	return buf;
}

/* One whole line per write(): O_APPEND keeps concurrent writers' lines apart. */
static void truth(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	if (truth_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "{\"pid\":%d,", getpid());
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m + 2) >= sizeof(line))
		die("truth record too long");
	n += m;
	n += snprintf(line + n, sizeof(line) - n, "}\n");
	if (write(truth_fd, line, n) != n)
		die("writing the truth file: %s", strerror(errno));
}

static struct named *find(struct named *set, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(set[i].name, name))
			return &set[i];
	return NULL;
}

static struct named *lookup(struct named *set, int n, const char *name, const char *what)
{
	struct named *x = find(set, n, name);

	if (!x)
		die("unknown %s '%s'", what, name);
	return x;
}

/* A slot for @name: its own, a new one, or (when full) one whose object is gone. */
static struct named *add(struct named *set, int *n, const char *name)
{
	struct named *x = find(set, *n, name);

	if (x)
		return x;
	if (*n < MAX_NAMES)
		x = &set[(*n)++];
	for (int i = 0; !x && i < *n; i++)
		if (set[i].value == GONE)
			x = &set[i];
	if (!x)
		die("more than %d VMs or vIOMMUs alive", MAX_NAMES);
	snprintf(x->name, sizeof(set->name), "%s", name);
	return x;
}

/* Before creating @name: it must fit and not name a live object. */
static void check_new_name(struct named *set, int n, const char *name, const char *what)
{
	struct named *x = find(set, n, name);

	if (strlen(name) >= sizeof(set->name))
		die("%s name '%s' is longer than %zu bytes", what, name, sizeof(set->name) - 1);
	if (x && x->value != GONE)
		die("%s '%s' exists already: %s it first", what, name,
		    set == vms ? "close" : "destroy");
}

static void open_dev(void)
{
	if (dev >= 0)
		return;
	dev = open("/dev/tdvsim", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("cannot open /dev/tdvsim: %s (is tdvsim.ko loaded?)", strerror(errno));
}

/* /dev/kvm on a high fd number, so that VM fds take the lowest free ones. */
#define KVM_DEV_FD_MIN 900

static int create_vm(void)
{
	int fd;

	if (kvm_dev < 0) {
		fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			die("cannot open /dev/kvm: %s (are kvm.ko and kvm-amd.ko loaded?)",
			    strerror(errno));
		kvm_dev = fcntl(fd, F_DUPFD_CLOEXEC, KVM_DEV_FD_MIN);
		if (kvm_dev < 0)
			die("moving /dev/kvm's fd: %s", strerror(errno));
		close(fd);
	}
	return ioctl(kvm_dev, KVM_CREATE_VM, 0);
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* N more threads sharing the fd table, idle until the process ends. */
static void start_threads(unsigned long n)
{
	if (n > 64)
		die("threads: at most 64");
	for (unsigned long i = 0; i < n; i++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, idle_thread, NULL);

		if (err)
			die("starting a thread: %s", strerror(err));
		nthreads++;
	}
	truth("\"op\":\"threads\",\"count\":%lu,\"threads\":%u", n, nthreads);
}

static int do_vm(const char *name, bool quiet)
{
	struct named *vm;
	char esc[256];
	int fd;

	check_new_name(vms, nvms, name, "VM");
	open_dev();
	fd = create_vm();
	if (fd < 0)
		die("create VM %s: KVM_CREATE_VM: %s", name, strerror(errno));
	vm = add(vms, &nvms, name);
	vm->value = fd;
	if (!quiet)
		printf("vm %s kvmfd=%d\n", name, fd);
	truth("\"op\":\"vm\",\"vm\":\"%s\",\"kvmfd\":%d", json_str(name, esc, sizeof(esc)), fd);
	return fd;
}

static void do_close(const char *name)
{
	struct named *vm = lookup(vms, nvms, name, "VM");
	char esc[256];

	if (vm->value == GONE)
		die("close %s: that VM is closed already", name);
	if (close(vm->value))
		die("close %s (fd %d): %s", name, vm->value, strerror(errno));
	truth("\"op\":\"close\",\"vm\":\"%s\",\"kvmfd\":%d", json_str(name, esc, sizeof(esc)),
	      vm->value);
	vm->value = GONE;
}

/* The faults that fired, as a JSON array of their names. */
static const char *fired_json(__u32 fired, char *buf, size_t len)
{
	size_t n = snprintf(buf, len, "[");

	for (int f = 0; f < TDVSIM_NR_FAULTS && n < len; f++)
		if (fired & (1U << f))
			n += snprintf(buf + n, len - n, "%s\"%s\"", n > 1 ? "," : "",
				      fault_names[f]);
	if (n < len)
		snprintf(buf + n, len - n, "]");
	return buf;
}

static int do_viommu(const char *v, const char *vmname, unsigned int iommu, bool quiet)
{
	struct named *vm = lookup(vms, nvms, vmname, "VM");
	struct tdvsim_viommu_create req = { .iommu = iommu, .kvmfd = vm->value };
	char esc_v[256], esc_vm[256], fired[256];
	struct named *vi;

	if (vm->value == GONE)
		die("viommu %s: VM %s is closed", v, vmname);
	if (iommu >= TDVSIM_NR_IOMMUS)
		die("viommu %s: IOMMU index %u out of range 0..%d", v, iommu, TDVSIM_NR_IOMMUS - 1);
	check_new_name(viommus, nviommus, v, "vIOMMU");
	open_dev();
	if (ioctl(dev, TDVSIM_VIOMMU_CREATE, &req))
		die("viommu %s: %s", v, strerror(errno));
	if (!quiet)
		printf("viommu %s seg=%u iommu=0x%04x gid=%u trans_devid=0x%04x refs=%u ret=%d\n",
		       v, req.seg, req.iommu_devid, req.gid, req.trans_devid, req.refs, req.ret);
	truth("\"op\":\"viommu\",\"viommu\":\"%s\",\"vm\":\"%s\",\"kvmfd\":%d,\"seg\":%u,"
	      "\"iommu\":%u,\"gid\":%u,\"trans_devid\":%u,\"refs\":%u,\"ret\":%d,\"fired\":%s,"
	      "\"kvm\":\"0x%llx\",\"vm_pinned\":%s,\"threads\":%u",
	      json_str(v, esc_v, sizeof(esc_v)), json_str(vmname, esc_vm, sizeof(esc_vm)),
	      vm->value, req.seg, req.iommu_devid, req.gid, req.trans_devid, req.refs, req.ret,
	      fired_json(req.fired, fired, sizeof(fired)), (unsigned long long)req.vm,
	      req.vm_pinned ? "true" : "false", nthreads);
	if (req.ret)
		return req.ret;
	vi = add(viommus, &nviommus, v);
	vi->value = req.handle;
	vi->kvmfd = vm->value;
	memcpy(vi->vm, vm->name, sizeof(vi->vm));
	return 0;
}

static void do_destroy(const char *v, bool quiet)
{
	struct named *vi = lookup(viommus, nviommus, v, "vIOMMU");
	struct tdvsim_viommu_destroy req = { .handle = vi->value };
	char esc[256], esc_vm[256], fired[256];

	if (vi->value == GONE)
		die("destroy %s: that vIOMMU is destroyed already", v);
	if (ioctl(dev, TDVSIM_VIOMMU_DESTROY, &req))
		die("destroy %s: %s", v, strerror(errno));
	if (!quiet)
		printf("destroy %s seg=%u iommu=0x%04x gid=%u kvmfd=%u trans_devid=0x%04x "
		       "refs=%u\n",
		       v, req.seg, req.iommu_devid, req.gid, req.kvmfd, req.trans_devid, req.refs);
	truth("\"op\":\"destroy\",\"viommu\":\"%s\",\"vm\":\"%s\",\"kvmfd\":%u,\"seg\":%u,"
	      "\"iommu\":%u,\"gid\":%u,\"trans_devid\":%u,\"refs\":%u,\"gen\":%u,"
	      "\"fired\":%s,\"kvm\":\"0x%llx\"",
	      json_str(v, esc, sizeof(esc)), json_str(vi->vm, esc_vm, sizeof(esc_vm)), req.kvmfd,
	      req.seg, req.iommu_devid, req.gid, req.trans_devid, req.refs, req.gen,
	      fired_json(req.fired, fired, sizeof(fired)), (unsigned long long)req.vm);
	vi->value = GONE;
}

static void do_fault(const char *name, unsigned int count)
{
	struct tdvsim_fault_req req = { .count = count };

	for (req.fault = 0; req.fault < TDVSIM_NR_FAULTS; req.fault++)
		if (!strcmp(fault_names[req.fault], name))
			break;
	if (req.fault == TDVSIM_NR_FAULTS)
		die("unknown fault '%s'", name);
	open_dev();
	if (ioctl(dev, TDVSIM_SET_FAULT, &req))
		die("fault %s: %s", name, strerror(errno));
	truth("\"op\":\"fault\",\"fault\":\"%s\",\"count\":%u", name, count);
}

static void do_state(unsigned int seg)
{
	struct tdvsim_state *st = calloc(1, sizeof(*st));

	if (!st)
		die("out of memory");
	st->seg = seg;
	open_dev();
	if (ioctl(dev, TDVSIM_STATE, st))
		die("state %u: %s", seg, strerror(errno));
	printf("state seg=%u entries=%u allocated=%u reserved=%u\n", seg, st->nentries,
	       st->allocated, st->reserved);
	for (unsigned int i = 0; i < st->nentries && i < TDVSIM_STATE_MAX; i++)
		printf("  kvmfd=%u refs=%u trans_devid=0x%04x\n", st->entries[i].kvmfd,
		       st->entries[i].refs, st->entries[i].trans_devid);
	free(st);
}

static void print_counts(const char *name, const __u64 *v, const char *sep)
{
	printf("\"%s\":[", name);
	for (int s = 0; s < TDVSIM_NR_SEGS; s++)
		printf("%s%llu", s ? "," : "", (unsigned long long)v[s]);
	printf("]%s", sep);
}

static void do_truth(void)
{
	struct tdvsim_truth t;

	open_dev();
	if (ioctl(dev, TDVSIM_TRUTH, &t))
		die("truth: %s", strerror(errno));
	printf("{");
	print_counts("gets", t.gets, ",");
	print_counts("puts", t.puts, ",");
	print_counts("alias", t.alias, ",");
	print_counts("clear_while_shared", t.clear_while_shared, ",");
	print_counts("gets_new", t.gets_new, ",");
	print_counts("gets_failed", t.gets_failed, ",");
	print_counts("id_allocs", t.id_allocs, ",");
	print_counts("viommu_inits", t.viommu_inits, ",");
	print_counts("viommu_destroys", t.viommu_destroys, ",");
	print_counts("dte_sets", t.dte_sets, ",");
	print_counts("dte_clears", t.dte_clears, ",");
	print_counts("vm_resolves", t.vm_resolves, ",");
	print_counts("vm_pins", t.vm_pins, "}\n");
}

static unsigned long number(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	if (!s)
		die("missing %s", what);
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end)
		die("bad %s '%s'", what, s);
	return v;
}

/* Occupy the top of a segment's pool, where the allocator starts. */
static void do_fill(unsigned long seg, unsigned long count)
{
	struct tdvsim_reserve req = { .seg = seg };

	if (seg >= TDVSIM_NR_SEGS || !count || count > 0xffff)
		die("fill: segment must be 0..%d and count 1..65535", TDVSIM_NR_SEGS - 1);
	open_dev();
	for (unsigned long i = 0; i < count; i++) {
		req.id = 0xffff - i;
		if (ioctl(dev, TDVSIM_RESERVE, &req))
			die("fill: %s", strerror(errno));
		if (req.ret)
			die("fill: reserving id 0x%04x gave %d", req.id, req.ret);
	}
	printf("fill seg=%lu count=%lu lowest=0x%04lx\n", seg, count, 0x10000 - count);
	truth("\"op\":\"fill\",\"seg\":%lu,\"count\":%lu", seg, count);
}

static void wait_file(const char *path)
{
	struct stat sb;

	for (int i = 0; i < 3000; i++) {
		if (!stat(path, &sb))
			return;
		usleep(10000);
	}
	die("timed out waiting for %s", path);
}

static void run_line(char *line)
{
	char *argv[8];
	int argc = 0;

	for (char *tok = strtok(line, " \t\r\n"); tok && argc < 8; tok = strtok(NULL, " \t\r\n")) {
		if (*tok == '#')
			break;
		argv[argc++] = tok;
	}
	if (!argc)
		return;
#define ARG(i) (argc > (i) ? argv[i] : NULL)
	if (!strcmp(argv[0], "vm") && argc == 2) {
		do_vm(argv[1], false);
	} else if (!strcmp(argv[0], "close") && argc == 2) {
		do_close(argv[1]);
	} else if (!strcmp(argv[0], "viommu") && argc == 4) {
		do_viommu(argv[1], argv[2], number(argv[3], "IOMMU index"), false);
	} else if (!strcmp(argv[0], "destroy") && argc == 2) {
		do_destroy(argv[1], false);
	} else if (!strcmp(argv[0], "reserve") && argc == 3) {
		unsigned long seg = number(argv[1], "segment"), id = number(argv[2], "id");
		struct tdvsim_reserve req = { .seg = seg, .id = id };

		if (seg >= TDVSIM_NR_SEGS || id > 0xffff)
			die("reserve: segment must be 0..%d and id 0..0xffff", TDVSIM_NR_SEGS - 1);
		open_dev();
		if (ioctl(dev, TDVSIM_RESERVE, &req))
			die("reserve: %s", strerror(errno));
		printf("reserve seg=%u id=0x%04x ret=%d\n", req.seg, req.id, req.ret);
		truth("\"op\":\"reserve\",\"seg\":%u,\"id\":%u,\"ret\":%d", req.seg, req.id,
		      req.ret);
	} else if (!strcmp(argv[0], "fill") && argc == 3) {
		do_fill(number(argv[1], "segment"), number(argv[2], "count"));
	} else if (!strcmp(argv[0], "fini") && argc == 2) {
		__u32 seg = number(argv[1], "segment");

		if (seg >= TDVSIM_NR_SEGS)
			die("fini: segment must be 0..%d", TDVSIM_NR_SEGS - 1);
		open_dev();
		if (ioctl(dev, TDVSIM_SEG_FINI, &seg))
			die("fini: %s", strerror(errno));
		truth("\"op\":\"fini\",\"seg\":%u", seg);
	} else if (!strcmp(argv[0], "fault") && (argc == 2 || argc == 3)) {
		do_fault(argv[1], ARG(2) ? number(argv[2], "count") : 1);
	} else if (!strcmp(argv[0], "state") && argc == 2) {
		do_state(number(argv[1], "segment"));
	} else if (!strcmp(argv[0], "truth") && argc == 1) {
		do_truth();
	} else if (!strcmp(argv[0], "threads") && argc == 2) {
		start_threads(number(argv[1], "thread count"));
		printf("threads %u\n", nthreads);
	} else if (!strcmp(argv[0], "sleep") && argc == 2) {
		usleep(number(argv[1], "milliseconds") * 1000);
	} else if (!strcmp(argv[0], "touch") && argc == 2) {
		int fd = open(argv[1], O_CREAT | O_WRONLY, 0644);

		if (fd < 0)
			die("touch %s: %s", argv[1], strerror(errno));
		close(fd);
	} else if (!strcmp(argv[0], "wait") && argc == 2) {
		wait_file(argv[1]);
	} else if (!strcmp(argv[0], "exit") && argc == 1) {
		fflush(stdout);
		_exit(0);
	} else {
		die("unknown command or wrong number of arguments: '%s' (the language is described "
		    "at the top of tests/kmod/tdvctl.c)",
		    argv[0]);
	}
	fflush(stdout);
}

static int run_bench(int argc, char **argv)
{
	struct tdvsim_bench req = { .mode = TDVSIM_BENCH_HOLD, .pairs = 100000 };
	unsigned long rounds = 1;
	int vm;

	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--mode") && v && (!strcmp(v, "fresh") || !strcmp(v, "hold")))
			req.mode = strcmp(v, "fresh") ? TDVSIM_BENCH_HOLD : TDVSIM_BENCH_FRESH;
		else if (!strcmp(argv[i], "--pairs"))
			req.pairs = number(v, "--pairs");
		else if (!strcmp(argv[i], "--seg"))
			req.seg = number(v, "--seg");
		else if (!strcmp(argv[i], "--rounds"))
			rounds = number(v, "--rounds");
		else
			die("bench: bad option '%s' (--mode fresh|hold, --pairs N, --seg S, "
			    "--rounds R)",
			    argv[i]);
		i++;
	}
	open_dev();
	vm = create_vm();
	if (vm < 0)
		die("bench: creating a VM: KVM_CREATE_VM: %s", strerror(errno));
	req.kvmfd = vm;
	for (unsigned long r = 0; r < rounds; r++) {
		if (ioctl(dev, TDVSIM_BENCH, &req))
			die("bench: %s", strerror(errno));
		printf("{\"mode\":\"%s\",\"pairs\":%llu,\"ns\":%llu,\"ns_per_pair\":%.1f}\n",
		       req.mode == TDVSIM_BENCH_FRESH ? "fresh" : "hold",
		       (unsigned long long)req.pairs, (unsigned long long)req.ns,
		       (double)req.ns / req.pairs);
		fflush(stdout);
	}
	close(vm);
	return 0;
}

static int run_script(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[512];
	int lineno = 0;

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		cur_line = ++lineno;
		if (!strchr(line, '\n') && !feof(f))
			die("longer than %zu bytes", sizeof(line) - 2);
		run_line(line);
	}
	cur_line = 0;
	if (ferror(f))
		die("reading %s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	return 0;
}

/*
 * --serialize: one operation at a time across all churn processes (they
 * still interleave between operations), so each probe's reads happen with
 * no other operation in flight and tdvtrace's view can be compared exactly.
 */
static bool serialize;
static int serial_fd = -1;
static unsigned int churn_segs = TDVSIM_NR_SEGS; /* --segs: use segments 0..N-1 */

static void op_lock(bool on)
{
	if (serial_fd >= 0 && flock(serial_fd, on ? LOCK_EX : LOCK_UN))
		die("flock: %s", strerror(errno));
}

/*
 * One churn process: VM lifecycles, up to three VMs alive at once, each with
 * 1..M vIOMMUs on random IOMMUs, destroyed in random order.
 */
/* --fault-rate: percent of operations that arm a fault first. */
static unsigned int fault_rate;

/* Maybe arm one of @set (a fault that fits the next operation). */
static void maybe_fault(const enum tdvsim_fault *set, unsigned int n)
{
	unsigned int r = rand();

	if (fault_rate && r % 100 < fault_rate)
		do_fault(fault_names[set[(r / 100) % n]], 1);
}

static const enum tdvsim_fault create_faults[] = {
	TDVSIM_FAULT_FAIL_INIT_ONE,
	TDVSIM_FAULT_FAIL_ALLOC_ENOSPC,
	TDVSIM_FAULT_FAIL_ALLOC_ENOMEM,
};

static const enum tdvsim_fault destroy_faults[] = {
	TDVSIM_FAULT_SKIP_PUT,
	TDVSIM_FAULT_DOUBLE_PUT,
	TDVSIM_FAULT_SKIP_DTE_CLEAR,
	TDVSIM_FAULT_SKIP_ID_FREE,
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void churn_one(unsigned int vms_total, unsigned int max_viommus, unsigned int seed,
		      bool one_per_seg)
{
	struct live {
		char name[32];
		char vi[8][32];
		unsigned int nvi;
	} live[3] = {};
	unsigned int nlive = 0, made = 0;

	srand(seed);
	/* Each process its own open file: flock excludes between them. */
	if (serialize) {
		serial_fd = open("/tmp/tdvctl.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		if (serial_fd < 0)
			die("--serialize: /tmp/tdvctl.lock: %s", strerror(errno));
	}
	while (made < vms_total || nlive) {
		bool create = made < vms_total && (nlive == 0 || (nlive < 3 && rand() % 2));

		if (create) {
			struct live *l = &live[nlive++];

			snprintf(l->name, sizeof(l->name), "p%d-vm%u", getpid(), made++);
			op_lock(true);
			do_vm(l->name, true);
			op_lock(false);
			l->nvi = 1 + rand() % max_viommus;
			if (one_per_seg && l->nvi > churn_segs)
				l->nvi = churn_segs;
			for (unsigned int i = 0; i < l->nvi; i++) {
				snprintf(l->vi[i], sizeof(l->vi[i]), "p%d-vm%u-v%u", getpid(),
					 made - 1, i);
				/* --one-per-seg: vIOMMU i on segment i, either IOMMU */
				unsigned int r = rand(), iommu;

				if (one_per_seg)
					iommu = i * TDVSIM_IOMMUS_PER_SEG +
						r % TDVSIM_IOMMUS_PER_SEG;
				else
					iommu = r % (churn_segs * TDVSIM_IOMMUS_PER_SEG);
				op_lock(true);
				maybe_fault(create_faults, NELEMS(create_faults));
				if (do_viommu(l->vi[i], l->name, iommu, true))
					l->vi[i][0] = '\0';
				op_lock(false);
			}
		} else {
			unsigned int k = rand() % nlive;
			struct live *l = &live[k];

			for (unsigned int i = 0; i < l->nvi; i++) {
				unsigned int j = i + rand() % (l->nvi - i);
				char t[32];

				memcpy(t, l->vi[i], sizeof(t));
				memcpy(l->vi[i], l->vi[j], sizeof(t));
				memcpy(l->vi[j], t, sizeof(t));
				op_lock(true);
				if (l->vi[i][0]) {
					maybe_fault(destroy_faults, NELEMS(destroy_faults));
					do_destroy(l->vi[i], true);
				}
				op_lock(false);
			}
			op_lock(true);
			do_close(l->name);
			op_lock(false);
			live[k] = live[--nlive];
		}
	}
}

static int run_churn(int argc, char **argv)
{
	unsigned int vms = 10, viommus = 2, seed = 1, procs = 1;
	bool one_per_seg = false;
	int status, failed = 0;

	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--one-per-seg")) {
			one_per_seg = true;
			continue;
		}
		if (!strcmp(argv[i], "--serialize")) {
			serialize = true;
			continue;
		}
		if (!strcmp(argv[i], "--vms"))
			vms = number(v, "--vms");
		else if (!strcmp(argv[i], "--viommus"))
			viommus = number(v, "--viommus");
		else if (!strcmp(argv[i], "--seed"))
			seed = number(v, "--seed");
		else if (!strcmp(argv[i], "--procs"))
			procs = number(v, "--procs");
		else if (!strcmp(argv[i], "--fault-rate"))
			fault_rate = number(v, "--fault-rate");
		else if (!strcmp(argv[i], "--segs"))
			churn_segs = number(v, "--segs");
		else
			die("churn: unknown option '%s'", argv[i]);
		i++;
	}
	if (!viommus || viommus > 8 || !procs || procs > 64)
		die("churn: --viommus must be 1..8 and --procs 1..64");
	if (!churn_segs || churn_segs > TDVSIM_NR_SEGS)
		die("churn: --segs must be 1..%d", TDVSIM_NR_SEGS);
	fflush(stdout);
	for (unsigned int p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (!pid) {
			/* Each process its own /dev/tdvsim, as each VMM its iommufd. */
			churn_one(vms / procs + (p < vms % procs), viommus, seed * 1000 + p,
				  one_per_seg);
			exit(0);
		}
	}
	for (pid_t pid; (pid = wait(&status)) > 0;) {
		if (WIFEXITED(status) && !WEXITSTATUS(status))
			continue;
		fprintf(stderr, "tdvctl: churn process %d failed (status %#x)\n", pid, status);
		failed = 1;
	}
	return failed;
}

static void usage(FILE *f)
{
	fputs("usage: tdvctl [--truth FILE] [--threads N] script FILE|-\n"
	      "       tdvctl [--truth FILE] churn [--vms N] [--viommus M] [--seed S] [--procs P]\n"
	      "                                   [--segs 1|2] [--one-per-seg] [--serialize]\n"
	      "                                   [--fault-rate PCT]\n"
	      "       tdvctl bench [--mode fresh|hold] [--pairs N] [--seg S] [--rounds R]\n"
	      "See the comment at the top of tests/kmod/tdvctl.c for the script language.\n",
	      f);
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--truth")) {
		truth_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (truth_fd < 0)
			die("cannot open %s: %s", argv[2], strerror(errno));
		i = 3;
	}
	if (argc > i + 1 && !strcmp(argv[i], "--threads")) {
		start_threads(number(argv[i + 1], "--threads"));
		i += 2;
	}
	if (argc == i + 2 && !strcmp(argv[i], "script"))
		return run_script(argv[i + 1]);
	if (argc >= i + 1 && !strcmp(argv[i], "churn"))
		return run_churn(argc - i - 1, argv + i + 1);
	if (argc >= i + 1 && !strcmp(argv[i], "bench"))
		return run_bench(argc - i - 1, argv + i + 1);
	usage(stderr);
	return 2;
}
