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
	Dwfl *dwfl;	  /* this file alone, placed at 0 */
	Dwfl_Module *mod; /* NULL when libdwfl could not read it */
};

struct uframe {
	uint64_t ip;
	uint64_t file_off; /* where @file holds ip */
	int file;	   /* index in files, -1: none (anonymous, [vdso]) */
	char label[64];	   /* the mapping's name, shown when no file opened */
};

struct ustack {
	size_t n;
	struct uframe f[];
};

struct tdv_ustacks {
	struct u64map stacks; /* (tgid << 32 | id) -> struct ustack */
	struct mapped_file *files;
	size_t nfiles, files_cap;
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
	free(value);
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

static const struct mapping *mapping_at(const struct mapping *maps, size_t n, uint64_t ip)
{
	for (size_t i = 0; i < n; i++)
		if (ip >= maps[i].start && ip < maps[i].end)
			return &maps[i];
	return NULL;
}

int tdv_ustack_capture(struct tdv_ustacks *u, uint32_t tgid, int32_t id, const uint64_t *ips,
		       size_t n)
{
	uint64_t key = stack_key(tgid, id);
	struct mapping *maps = NULL;
	struct ustack *st, *old;
	size_t nmaps = 0, kept = 0;
	int err;

	old = u64map_get(&u->stacks, key);
	if (!old && u->stacks.count >= TDV_USTACK_MAX_STACKS)
		return -ENOSPC;
	err = read_maps(tgid, &maps, &nmaps);
	if (err)
		return err;
	st = malloc(sizeof(*st) + n * sizeof(st->f[0]));
	if (!st) {
		free_maps(maps, nmaps);
		return -ENOMEM;
	}
	for (; kept < n && ips[kept]; kept++) {
		const struct mapping *m = mapping_at(maps, nmaps, ips[kept]);
		struct uframe *f = &st->f[kept];

		if (!m)
			break; /* the walk left the process's code */
		*f = (struct uframe){ .ip = ips[kept], .file = -1 };
		if (m->inode && m->name[0] == '/') {
			f->file = open_mapped_file(u, tgid, m);
			f->file_off = ips[kept] - m->start + m->off;
		}
		snprintf(f->label, sizeof(f->label), "%s", m->name);
	}
	st->n = kept;
	free_maps(maps, nmaps);
	if (u64map_put(&u->stacks, key, st)) {
		free(st);
		return -ENOMEM;
	}
	free(old);
	return kept;
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

/* The module address of what the file holds at @file_off (its PT_LOADs). */
static bool module_addr(Dwfl_Module *mod, uint64_t file_off, uint64_t *addr)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t nphdr;

	if (!elf || elf_getphdrnum(elf, &nphdr))
		return false;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD && ph.p_offset <= file_off &&
		    file_off < ph.p_offset + ph.p_filesz) {
			*addr = file_off - ph.p_offset + ph.p_vaddr + bias;
			return true;
		}
	}
	return false;
}

static void format_frame(struct tdv_ustacks *u, const struct uframe *f, bool caller, char *buf,
			 size_t len)
{
	struct mapped_file *mf = f->file >= 0 ? &u->files[f->file] : NULL;
	Dwfl_Module *mod = mf ? file_module(mf) : NULL;
	const char *name = NULL;
	uint64_t addr;
	GElf_Off off;
	GElf_Sym sym;

	/* A caller's return address may be past its call's function: look before it. */
	if (mod && module_addr(mod, f->file_off, &addr))
		name = dwfl_module_addrinfo(mod, addr - caller, &off, &sym, NULL, NULL, NULL);
	if (name && name[0])
		snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", name, (uint64_t)off + caller, mf->path);
	else if (mf)
		snprintf(buf, len, "0x%" PRIx64 " (%s)", f->ip, mf->path);
	else if (f->label[0])
		snprintf(buf, len, "0x%" PRIx64 " (%s)", f->ip, f->label);
	else
		snprintf(buf, len, "0x%" PRIx64, f->ip);
}

int tdv_ustack_frames(struct tdv_ustacks *u, uint32_t tgid, int32_t id, tdv_frame_fn fn, void *ctx)
{
	struct ustack *st = u64map_get(&u->stacks, stack_key(tgid, id));
	char frame[512];

	if (!st)
		return -ENOENT;
	for (size_t i = 0; i < st->n; i++) {
		format_frame(u, &st->f[i], i > 0, frame, sizeof(frame));
		fn(ctx, frame);
	}
	return st->n;
}
