// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "discover.h"
#include "discover.skel.h"
#include "grow.h"
#include "kallsyms.h"
#include "kernel_caps.h"
#include "model.h"
#include "session.h"
#include "tdvtrace.skel.h"

struct data_symbol {
	const char *name;
	__u64 addr;
};

static int match_data(void *ctx, const struct tdv_ksym *k)
{
	struct data_symbol *d = ctx;

	if (!strchr("dDbB", k->type) || strcmp(k->name, d->name))
		return 0;
	d->addr = k->addr;
	return 1;
}

/* The address of a data symbol, 0 if kallsyms does not have it. */
static __u64 kallsyms_data(const char *symbol)
{
	struct data_symbol d = { .name = symbol };

	tdv_kallsyms_each(TDV_KALLSYMS, match_data, &d);
	return d.addr;
}

static int read_all(int fd, struct tdv_discovery *d)
{
	size_t cap = 0;

	for (;;) {
		ssize_t n;

		if (TDV_GROW(d->found, cap, d->n + 1, 256))
			return -ENOMEM;
		/* Read whole records: the iterator writes them whole. */
		n = read(fd, &d->found[d->n], (cap - d->n) * sizeof(*d->found));
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		d->n += n / sizeof(*d->found);
	}
}

int tdv_discover(struct tdv_discovery *d)
{
	struct discover_bpf *skel;
	struct bpf_link *link = NULL;
	int fd = -1, err;

	memset(d, 0, sizeof(*d));
	skel = discover_bpf__open();
	if (!skel)
		return -errno;
	skel->rodata->seg_list = kallsyms_data("amd_iommu_pci_seg_list");
	if (!skel->rodata->seg_list) {
		/* No address: say why, rather than "found nothing". */
		snprintf(d->blind, sizeof(d->blind), "%s",
			 tdv_kallsyms_data_why(tdv_kallsyms_data_state()));
		discover_bpf__destroy(skel);
		return -ENOENT;
	}
	err = discover_bpf__load(skel);
	if (err)
		goto out;
	link = bpf_program__attach_iter(skel->progs.discover, NULL);
	if (!link) {
		err = -errno;
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = read_all(fd, d);
out:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	discover_bpf__destroy(skel);
	if (err)
		tdv_discovery_free(d);
	return err;
}

void tdv_discovery_free(struct tdv_discovery *d)
{
	free(d->found);
	d->found = NULL;
	d->n = 0;
}

/* The one process whose fd @kvmfd is a VM, or NULL when none or several. */
static const struct tdv_found *sole_owner(const struct tdv_discovery *d, __u32 kvmfd)
{
	const struct tdv_found *owner = NULL;

	for (size_t i = 0; i < d->n; i++) {
		if (d->found[i].kind != TDV_FOUND_VM_FD || d->found[i].kvmfd != kvmfd)
			continue;
		if (owner)
			return NULL; /* kvmfd numbers are per process: ambiguous */
		owner = &d->found[i];
	}
	return owner;
}

size_t tdv_seed(const struct tdv_discovery *d, struct tdv_session *s, tdv_seed_fn fn, void *ctx,
		__u64 now_ns)
{
	int gens = bpf_map__fd(s->skel->maps.gens), owners = bpf_map__fd(s->skel->maps.owners);
	int tgids = bpf_map__fd(s->skel->maps.vmm_tgids);
	size_t seeded = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct tdv_found *f = &d->found[i], *owner;
		struct tdv_entry_key ek = { .seg = f->seg, .kvmfd = f->kvmfd };
		struct tdv_entry_val ev = { .gen = 1, .trans_devid = f->trans_devid };
		struct tdv_owner_key ok = { .seg = f->seg, .trans_devid = f->trans_devid };
		struct tdv_owner_val ov = { .kvmfd = f->kvmfd, .gen = 1 };
		struct tdv_model_seed seed = {
			.seg = f->seg,
			.kvmfd = f->kvmfd,
			.trans_devid = f->trans_devid,
			.refs = f->refs,
			.gen = 1,
			.ts_ns = now_ns,
		};
		__u8 one = 1;

		if (f->kind != TDV_FOUND_ENTRY)
			continue;
		owner = sole_owner(d, f->kvmfd);
		if (owner) {
			ev.vm = ov.vm = seed.vm = owner->vm;
			seed.tgid = owner->tgid;
			memcpy(seed.comm, owner->comm, sizeof(seed.comm));
			bpf_map_update_elem(tgids, &owner->tgid, &one, BPF_ANY);
		}
		/* Only where no event has made the entry already. */
		if (bpf_map_update_elem(gens, &ek, &ev, BPF_NOEXIST))
			continue;
		bpf_map_update_elem(owners, &ok, &ov, BPF_NOEXIST);
		if (fn)
			fn(ctx, &seed);
		seeded++;
	}
	return seeded;
}
