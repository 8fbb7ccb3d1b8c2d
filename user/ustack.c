// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elfutils/libdwfl.h>
#include "grow.h"
#include "u64map.h"
#include "ustack.h"

/* A file some captured frame is in, kept open so it outlives the process. */
struct mapped_file {
	dev_t dev;
	ino_t ino;
	int fd;
	char *path; /* as the process's maps name it: what the frame shows */
	bool loaded;
	Dwfl *dwfl;	  /* this file alone, for symbols */
	Dwfl_Module *mod; /* NULL when libdwfl could not read it */
};

/* Where an address was: a file and offset, or only the mapping's name. */
struct place {
	int file;	   /* index in files, -1: none (anonymous, [vdso], not opened) */
	int label;	   /* index in labels: the mapping's name */
	uint64_t file_off; /* where the file holds the address */
};

struct uframe {
	uint64_t ip;
	struct place at;
};

/* An executable mapping of the process at the capture. */
struct snap_map {
	uint64_t start, end, off;
	int file, label;
};

struct ustack {
	struct tdv_ustack_copy *copy; /* to unwind at the first print, or NULL */
	struct snap_map *maps;	      /* with the copy: where the unwind may go */
	size_t nmaps;
	size_t n;
	struct uframe f[];
};

struct tdv_ustacks {
	struct u64map stacks; /* (tgid << 32 | id) -> struct ustack */
	size_t ncopies;	      /* stacks holding a copy to unwind */
	struct mapped_file *files;
	size_t nfiles, files_cap;
	char **labels; /* mapping names, each once */
	size_t nlabels, labels_cap;
};

/* One line of /proc/PID/maps. */
struct mapping {
	uint64_t start, end, off, inode;
	bool exec;
	char *name; /* path, "[vdso]", ... or "" */
};

/*
 * Separate debug files only from the host's own tree: never a directory
 * named by the traced process's paths (its ".debug" neighbours).
 */
static char debuginfo_path[] = "/usr/lib/debug";

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &(char *){ debuginfo_path },
};

struct tdv_ustacks *tdv_ustacks_new(void)
{
	struct tdv_ustacks *u = calloc(1, sizeof(*u));

	if (u)
		u64map_init(&u->stacks);
	return u;
}

static void free_stack(void *ctx, uint64_t key, void *value)
{
	struct ustack *st = value;

	free(st->copy);
	free(st->maps);
	free(st);
}

static void drop_copy(struct tdv_ustacks *u, struct ustack *st)
{
	if (!st->copy)
		return;
	free(st->copy);
	free(st->maps);
	st->copy = NULL;
	st->maps = NULL;
	st->nmaps = 0;
	u->ncopies--;
}

void tdv_ustacks_free(struct tdv_ustacks *u)
{
	if (!u)
		return;
	u64map_each(&u->stacks, free_stack, NULL);
	u64map_destroy(&u->stacks);
	for (size_t i = 0; i < u->nfiles; i++) {
		if (u->files[i].dwfl)
			dwfl_end(u->files[i].dwfl);
		close(u->files[i].fd);
		free(u->files[i].path);
	}
	free(u->files);
	for (size_t i = 0; i < u->nlabels; i++)
		free(u->labels[i]);
	free(u->labels);
	free(u);
}

static uint64_t stack_key(uint32_t tgid, int32_t id)
{
	return (uint64_t)tgid << 32 | (uint32_t)id;
}

static void free_maps(struct mapping *maps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(maps[i].name);
	free(maps);
}

/* "start-end perms offset dev inode   name", name optional. */
static int parse_maps_line(const char *line, struct mapping *m)
{
	char perms[8];
	int name_at = 0;
	size_t len;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %" SCNu64 " %n", &m->start,
		   &m->end, perms, &m->off, &m->inode, &name_at) < 5 ||
	    !name_at)
		return -EINVAL;
	m->exec = strlen(perms) >= 3 && perms[2] == 'x';
	len = strcspn(line + name_at, "\n");
	m->name = strndup(line + name_at, len);
	return m->name ? 0 : -ENOMEM;
}

/* The executable mappings of @tgid, now. */
static int read_maps(uint32_t tgid, struct mapping **out, size_t *nout)
{
	struct mapping *maps = NULL;
	size_t n = 0, cap = 0, linecap = 0;
	char path[64], *line = NULL;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", tgid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (getline(&line, &linecap, f) > 0) {
		struct mapping m;

		if (parse_maps_line(line, &m))
			continue;
		if (!m.exec) {
			free(m.name);
			continue;
		}
		if (TDV_GROW(maps, cap, n + 1, 64)) {
			free(m.name);
			err = -ENOMEM;
			break;
		}
		maps[n++] = m;
	}
	free(line);
	fclose(f);
	if (err) {
		free_maps(maps, n);
		return err;
	}
	*out = maps;
	*nout = n;
	return 0;
}

/*
 * Open the file mapped at @m through /proc/PID/map_files: the kernel hands
 * back the mapped inode itself, so a path the process controls (a symlink,
 * a FIFO, a file swapped since) is never looked up. Only regular files
 * whose inode is the one the maps line named. Returns its index or -1.
 */
static int open_mapped_file(struct tdv_ustacks *u, uint32_t tgid, const struct mapping *m)
{
	struct mapped_file *mf;
	char path[96];
	struct stat st;
	int fd;

	/* Known already (same inode, same name): no need to open it again. */
	for (size_t i = 0; i < u->nfiles; i++)
		if (u->files[i].ino == m->inode && !strcmp(u->files[i].path, m->name))
			return i;
	snprintf(path, sizeof(path), "/proc/%u/map_files/%" PRIx64 "-%" PRIx64, tgid, m->start,
		 m->end);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_ino != m->inode)
		goto refuse;
	for (size_t i = 0; i < u->nfiles; i++) {
		if (u->files[i].dev == st.st_dev && u->files[i].ino == st.st_ino) {
			close(fd);
			return i;
		}
	}
	if (u->nfiles >= TDV_USTACK_MAX_FILES ||
	    TDV_GROW(u->files, u->files_cap, u->nfiles + 1, 16))
		goto refuse;
	mf = &u->files[u->nfiles];
	*mf = (struct mapped_file){ .dev = st.st_dev, .ino = st.st_ino, .fd = fd };
	mf->path = strdup(m->name);
	if (!mf->path)
		goto refuse;
	return u->nfiles++;
refuse:
	close(fd);
	return -1;
}

/* The index of @name in the labels, added if new; -1 past the bound. */
static int label_of(struct tdv_ustacks *u, const char *name)
{
	for (size_t i = 0; i < u->nlabels; i++)
		if (!strcmp(u->labels[i], name))
			return i;
	if (u->nlabels >= TDV_USTACK_MAX_FILES ||
	    TDV_GROW(u->labels, u->labels_cap, u->nlabels + 1, 16))
		return -1;
	u->labels[u->nlabels] = strdup(name);
	return u->labels[u->nlabels] ? (int)u->nlabels++ : -1;
}

/* The snapshot of @tgid's executable mappings, their files opened. */
static int snapshot(struct tdv_ustacks *u, uint32_t tgid, struct snap_map **out, size_t *nout)
{
	struct mapping *maps = NULL;
	struct snap_map *snap;
	size_t n = 0;
	int err = read_maps(tgid, &maps, &n);

	if (err)
		return err;
	snap = calloc(n ? n : 1, sizeof(*snap));
	if (!snap) {
		free_maps(maps, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		snap[i] = (struct snap_map){ .start = maps[i].start,
					     .end = maps[i].end,
					     .off = maps[i].off,
					     .file = -1,
					     .label = label_of(u, maps[i].name) };
		if (maps[i].inode && maps[i].name[0] == '/')
			snap[i].file = open_mapped_file(u, tgid, &maps[i]);
	}
	free_maps(maps, n);
	*out = snap;
	*nout = n;
	return 0;
}

/* Where @ip is in @snap; false when no executable mapping holds it. */
static bool place_of(const struct snap_map *snap, size_t n, uint64_t ip, struct place *at)
{
	for (size_t i = 0; i < n; i++) {
		if (ip >= snap[i].start && ip < snap[i].end) {
			at->file = snap[i].file;
			at->label = snap[i].label;
			at->file_off = ip - snap[i].start + snap[i].off;
			return true;
		}
	}
	return false;
}

/* Frames of @ips while they map somewhere: the walk ends where one does not. */
static size_t place_frames(struct uframe *f, const uint64_t *ips, size_t n,
			   const struct snap_map *snap, size_t nsnap)
{
	size_t kept = 0;

	for (; kept < n && ips[kept]; kept++) {
		f[kept].ip = ips[kept];
		if (!place_of(snap, nsnap, ips[kept], &f[kept].at))
			break;
	}
	return kept;
}

int tdv_ustack_capture(struct tdv_ustacks *u, uint32_t tgid, int32_t id, const uint64_t *ips,
		       size_t n, const struct tdv_ustack_copy *copy)
{
	uint64_t key = stack_key(tgid, id);
	struct snap_map *snap = NULL;
	struct ustack *st, *old;
	size_t nsnap = 0;
	int err;

	old = u64map_get(&u->stacks, key);
	if (!old && u->stacks.count >= TDV_USTACK_MAX_STACKS)
		return -ENOSPC;
	err = snapshot(u, tgid, &snap, &nsnap);
	if (err)
		return err;
	st = calloc(1, sizeof(*st) + n * sizeof(st->f[0]));
	if (!st) {
		free(snap);
		return -ENOMEM;
	}
	st->n = place_frames(st->f, ips, n, snap, nsnap);
	if (copy && copy->len &&
	    (old && old->copy ? u->ncopies : u->ncopies + 1) <= TDV_USTACK_MAX_COPIES) {
		st->copy = malloc(sizeof(*copy));
		if (st->copy) {
			memcpy(st->copy, copy, sizeof(*copy));
			st->maps = snap;
			st->nmaps = nsnap;
			snap = NULL;
			u->ncopies++;
		}
	}
	free(snap);
	if (u64map_put(&u->stacks, key, st)) {
		drop_copy(u, st);
		free(st);
		return -ENOMEM;
	}
	if (old) {
		drop_copy(u, old);
		free(old);
	}
	return st->n;
}

static Dwfl_Module *file_module(struct mapped_file *mf)
{
	int fd;

	if (mf->loaded)
		return mf->mod;
	mf->loaded = true;
	mf->dwfl = dwfl_begin(&offline_callbacks);
	if (!mf->dwfl)
		return NULL;
	fd = dup(mf->fd);
	if (fd < 0)
		return NULL;
	dwfl_report_begin(mf->dwfl);
	/* ET_DYN placed at 0: module addresses are the ELF's own plus bias. */
	mf->mod = dwfl_report_elf(mf->dwfl, mf->path, mf->path, fd, 0, false);
	if (!mf->mod)
		close(fd);
	dwfl_report_end(mf->dwfl, NULL, NULL);
	return mf->mod;
}

/* The vaddr of what @elf holds at @file_off, through its PT_LOADs. */
static bool elf_vaddr(Elf *elf, uint64_t file_off, uint64_t *vaddr)
{
	size_t nphdr;

	if (!elf || elf_getphdrnum(elf, &nphdr))
		return false;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD && ph.p_offset <= file_off &&
		    file_off < ph.p_offset + ph.p_filesz) {
			*vaddr = file_off - ph.p_offset + ph.p_vaddr;
			return true;
		}
	}
	return false;
}

/* ---- DWARF unwinding of a copied stack (libdwfl, as perf does) ---------- */

struct unwind {
	const struct tdv_ustack_copy *copy;
	pid_t tid;
	uint64_t pcs[TDV_STACK_DEPTH];
	size_t n;
};

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	if (*thread_argp)
		return 0;
	*thread_argp = arg;
	return ((struct unwind *)arg)->tid;
}

/* Only the copied stack: anything else is not known. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct tdv_ustack_copy *c = ((struct unwind *)arg)->copy;
	uint64_t sp = c->regs[7];

	if (addr < sp || addr - sp > c->len || c->len - (addr - sp) < sizeof(*result))
		return false;
	memcpy(result, c->stack + (addr - sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct tdv_ustack_copy *c = ((struct unwind *)arg)->copy;

	dwfl_thread_state_register_pc(thread, c->regs[16]);
	return dwfl_thread_state_registers(thread, 0, TDV_USTACK_REGS, (const Dwarf_Word *)c->regs);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int on_frame(Dwfl_Frame *frame, void *arg)
{
	struct unwind *uw = arg;
	Dwarf_Addr pc;

	if (uw->n >= TDV_STACK_DEPTH || !dwfl_frame_pc(frame, &pc, NULL))
		return DWARF_CB_ABORT;
	uw->pcs[uw->n++] = pc;
	return DWARF_CB_OK;
}

/* Report each file of @st's snapshot where the process had it. */
static void report_modules(struct tdv_ustacks *u, Dwfl *dwfl, const struct ustack *st)
{
	for (size_t i = 0; i < st->nmaps; i++) {
		const struct snap_map *m = &st->maps[i];
		struct mapped_file *mf;
		Dwarf_Addr bias0;
		uint64_t vaddr;
		bool seen = false;
		int fd;

		if (m->file < 0)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= st->maps[j].file == m->file;
		mf = &u->files[m->file];
		if (seen || !file_module(mf) ||
		    !elf_vaddr(dwfl_module_getelf(mf->mod, &bias0), m->off, &vaddr))
			continue;
		fd = dup(mf->fd);
		/* Placed where the process had it: the mapping's start holds m->off. */
		if (fd >= 0 &&
		    !dwfl_report_elf(dwfl, mf->path, mf->path, fd, m->start - vaddr, true))
			close(fd);
	}
}

/* Unwind @st's copy into its frames when it goes further than the walk. */
static void unwind_copy(struct tdv_ustacks *u, uint32_t tgid, struct ustack **stp)
{
	struct ustack *st = *stp, *grown;
	struct unwind uw = { .copy = st->copy, .tid = tgid };
	struct uframe f[TDV_STACK_DEPTH];
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	size_t n;

	if (dwfl) {
		dwfl_report_begin(dwfl);
		report_modules(u, dwfl, st);
		dwfl_report_end(dwfl, NULL, NULL);
		if (dwfl_attach_state(dwfl, NULL, tgid, &thread_callbacks, &uw))
			dwfl_getthread_frames(dwfl, tgid, on_frame, &uw);
		dwfl_end(dwfl);
	}
	n = place_frames(f, uw.pcs, uw.n, st->maps, st->nmaps);
	drop_copy(u, st);
	if (n <= st->n)
		return;
	grown = realloc(st, sizeof(*st) + n * sizeof(st->f[0]));
	if (!grown)
		return;
	memcpy(grown->f, f, n * sizeof(f[0]));
	grown->n = n;
	*stp = grown;
}

static void format_frame(struct tdv_ustacks *u, const struct uframe *f, bool caller, char *buf,
			 size_t len)
{
	struct mapped_file *mf = f->at.file >= 0 ? &u->files[f->at.file] : NULL;
	const char *label = f->at.label >= 0 ? u->labels[f->at.label] : "";
	Dwfl_Module *mod = mf ? file_module(mf) : NULL;
	const char *name = NULL;
	Dwarf_Addr bias;
	uint64_t vaddr;
	GElf_Off off;
	GElf_Sym sym;

	/* A caller's return address may be past its call's function: look before it. */
	if (mod && elf_vaddr(dwfl_module_getelf(mod, &bias), f->at.file_off, &vaddr))
		name = dwfl_module_addrinfo(mod, vaddr + bias - caller, &off, &sym, NULL, NULL,
					    NULL);
	if (name && name[0])
		snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", name, (uint64_t)off + caller, mf->path);
	else if (label[0])
		snprintf(buf, len, "0x%" PRIx64 " (%s)", f->ip, label);
	else
		snprintf(buf, len, "0x%" PRIx64, f->ip);
}

int tdv_ustack_frames(struct tdv_ustacks *u, uint32_t tgid, int32_t id, tdv_frame_fn fn, void *ctx)
{
	uint64_t key = stack_key(tgid, id);
	struct ustack *st = u64map_get(&u->stacks, key);
	char frame[512];

	if (!st)
		return -ENOENT;
	if (st->copy) {
		unwind_copy(u, tgid, &st);
		u64map_put(&u->stacks, key, st); /* replaces: no allocation */
	}
	for (size_t i = 0; i < st->n; i++) {
		format_frame(u, &st->f[i], i > 0, frame, sizeof(frame));
		fn(ctx, frame);
	}
	return st->n;
}
