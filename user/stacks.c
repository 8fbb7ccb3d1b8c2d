// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "grow.h"
#include "kallsyms.h"
#include "stacks.h"
#include "tdvtrace.h"

struct ksym {
	uint64_t addr;
	char name[64];
	char mod[32];
};

struct tdv_symbolizer {
	int map_fd;
	struct ksym *ksyms;
	size_t nksyms, ksyms_cap;
	bool ksyms_loaded;
};

struct tdv_symbolizer *tdv_symbolizer_new(int stack_map_fd)
{
	struct tdv_symbolizer *s = calloc(1, sizeof(*s));

	if (s)
		s->map_fd = stack_map_fd;
	return s;
}

void tdv_symbolizer_free(struct tdv_symbolizer *s)
{
	if (!s)
		return;
	free(s->ksyms);
	free(s);
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int add_ksym(void *ctx, const struct tdv_ksym *k)
{
	struct tdv_symbolizer *s = ctx;
	struct ksym *e;

	if ((k->type != 't' && k->type != 'T') || !k->addr)
		return 0;
	if (TDV_GROW(s->ksyms, s->ksyms_cap, s->nksyms + 1, 4096))
		return -ENOMEM; /* symbolize with what we have */
	e = &s->ksyms[s->nksyms++];
	e->addr = k->addr;
	snprintf(e->name, sizeof(e->name), "%s", k->name);
	snprintf(e->mod, sizeof(e->mod), "%s", k->module);
	return 0;
}

/* Text symbols of /proc/kallsyms, sorted, loaded on first use. */
static void load_ksyms(struct tdv_symbolizer *s)
{
	s->ksyms_loaded = true;
	tdv_kallsyms_each(TDV_KALLSYMS, add_ksym, s);
	if (s->nksyms)
		qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), by_addr);
}

static void kernel_frame(struct tdv_symbolizer *s, uint64_t ip, char *buf, size_t len)
{
	size_t lo = 0, hi;

	if (!s->ksyms_loaded)
		load_ksyms(s);
	hi = s->nksyms;
	while (lo < hi) { /* the last symbol at or below ip */
		size_t mid = (lo + hi) / 2;

		if (s->ksyms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		snprintf(buf, len, "0x%" PRIx64, ip);
		return;
	}
	snprintf(buf, len, "%s+0x%" PRIx64 "%s%s%s", s->ksyms[lo - 1].name,
		 ip - s->ksyms[lo - 1].addr, s->ksyms[lo - 1].mod[0] ? " [" : "",
		 s->ksyms[lo - 1].mod, s->ksyms[lo - 1].mod[0] ? "]" : "");
}

/*
 * The function symbol of ELF file @path covering what the file holds at
 * @file_off: its name into @name, the offset into it at *@off.
 */
static bool elf_symbol(const char *path, uint64_t file_off, char *name, size_t len, uint64_t *off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool found = false;
	uint64_t vaddr = 0;
	Elf_Scn *scn = NULL;
	size_t nphdr;
	Elf *elf;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getphdrnum(elf, &nphdr))
		goto out;
	/* File offset -> virtual address through the loadable segments. */
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD && ph.p_offset <= file_off &&
		    file_off < ph.p_offset + ph.p_filesz) {
			vaddr = file_off - ph.p_offset + ph.p_vaddr;
			break;
		}
	}
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;

			if (!gelf_getsym(data, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    vaddr < sym.st_value || vaddr >= sym.st_value + sym.st_size)
				continue;
			snprintf(name, len, "%s", elf_strptr(elf, sh.sh_link, sym.st_name));
			*off = vaddr - sym.st_value;
			found = true;
			break;
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}

static void user_frame(uint32_t tgid, uint64_t ip, char *buf, size_t len)
{
	char path[64], line[512], file[256] = "", name[128];
	uint64_t start, end, off, sym_off;
	bool mapped = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", tgid);
	f = fopen(path, "r");
	while (f && !mapped && fgets(line, sizeof(line), f)) {
		char perms[8];

		file[0] = '\0';
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %255s", &start,
			   &end, perms, &off, file) >= 4 &&
		    ip >= start && ip < end && perms[2] == 'x')
			mapped = true;
	}
	if (f)
		fclose(f);
	if (mapped && file[0] == '/' &&
	    elf_symbol(file, ip - start + off, name, sizeof(name), &sym_off)) {
		snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", name, sym_off, file);
		return;
	}
	snprintf(buf, len, "0x%" PRIx64 "%s%s%s", ip, mapped && file[0] ? " (" : "",
		 mapped ? file : "", mapped && file[0] ? ")" : "");
}

int tdv_stack_frames(struct tdv_symbolizer *s, int32_t id, bool user, uint32_t tgid,
		     tdv_frame_fn fn, void *ctx)
{
	uint64_t ips[TDV_STACK_DEPTH] = {};
	char frame[512];
	int n = 0;

	if (!s || id < 0 || bpf_map_lookup_elem(s->map_fd, &id, ips))
		return 0;
	for (; n < TDV_STACK_DEPTH && ips[n]; n++) {
		if (user)
			user_frame(tgid, ips[n], frame, sizeof(frame));
		else
			kernel_frame(s, ips[n], frame, sizeof(frame));
		fn(ctx, frame);
	}
	return n;
}
