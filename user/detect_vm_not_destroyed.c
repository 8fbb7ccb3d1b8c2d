// SPDX-License-Identifier: GPL-2.0
/*
 * vm_not_destroyed. Kernel fact: a VM's struct kvm is freed by
 * kvm_destroy_vm() when the last reference to its "kvm-vm" file goes, which
 * a VMM's exit brings about. The driver's get_kvm_handler() takes the file
 * with fdget() in amd_iommufd_viommu_init() and never calls fdput(): where
 * the VMM's fd table is shared (any multi-threaded VMM) fdget took a real
 * reference, so the file, the VM and whatever trans_devid entries it holds
 * are never released. So once a VMM that resolved a VM exits and the grace
 * period has passed, that VM must have been destroyed. Refs it still holds
 * are listed; a clean shutdown drops them all and the VM leaks anyway.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"

void detect_vm_not_destroyed_arm(struct tdv_model *m, const struct tdv_event *exit)
{
	struct taker vms = vms_of_take(m, exit->tgid);

	for (size_t i = 0; i < vms.n; i++) {
		struct vm_rec *v = u64map_get(&m->vms, vms.keys[i]);
		struct pending p = { .due_ns = exit->ts_ns + m->grace_ns,
				     .kind = P_VM_EXITED,
				     .who = { .vm = vms.keys[i] } };

		if (!v || v->tgid != exit->tgid || v->exited)
			continue;
		v->exited = true;
		p.who.vm_life = v->vm_life;
		evidence_of_event(&p.release, exit);
		grace_schedule(m, &p);
	}
	free(vms.keys);
}

/* The entries the VM still holds refs on, and those refs. */
struct held_ctx {
	const struct leaver *vm;
	const struct entry *first;
	unsigned int entries, refs;
	struct tdv_report *r;
};

static void held_entry(void *ctx, uint64_t key, void *value)
{
	struct held_ctx *c = ctx;
	const struct entry *en = value;
	unsigned int mine = 0;

	for (size_t i = 0; i < en->ngets; i++) {
		const struct get_rec *g = &en->gets[i];

		if (g->vm != c->vm->vm || g->vm_life != c->vm->vm_life)
			continue;
		add_get(c->r, g);
		mine++;
	}
	if (!mine)
		return;
	if (!c->first || entry_key(en->seg, en->kvmfd) < entry_key(c->first->seg, c->first->kvmfd))
		c->first = en;
	c->entries++;
	c->refs += mine;
}

void detect_vm_not_destroyed(struct tdv_model *m, const struct pending *p)
{
	struct vm_rec *v = u64map_get(&m->vms, p->who.vm);
	struct held_ctx held = { .vm = &p->who };
	struct tdv_report r;

	/* Destroyed in time, or the address is another VM's by now. */
	if (!v || v->vm_life != p->who.vm_life)
		return;
	report_init(&r, TDV_R_VM_NOT_DESTROYED, p->due_ns, NULL);
	add_evidence(&r, &p->release);
	for (unsigned int i = 0; i < v->ninits && i < VM_INITS_KEPT; i++)
		add_evidence(&r, &v->inits[i]);
	held.r = &r;
	u64map_each(&m->entries, held_entry, &held);
	if (held.first) {
		/* The entry it holds (the first by seg, kvmfd if several). */
		r.has_entry = true;
		r.seg = held.first->seg;
		r.kvmfd = held.first->kvmfd;
		r.gen = held.first->gen;
		r.trans_devid = held.first->trans_devid;
	}
	r.refs = held.refs;
	r.vm = p->who.vm;
	r.owner_tgid = v->tgid;
	memcpy(r.owner_comm, v->comm, sizeof(r.owner_comm));
	snprintf(r.detail, sizeof(r.detail),
		 "VM 0x%" PRIx64 " not destroyed after its VMM exited (%u viommu_init%s resolved "
		 "it); it holds %u entr%s with %u refs",
		 p->who.vm, v->ninits, v->ninits == 1 ? "" : "s", held.entries,
		 held.entries == 1 ? "y" : "ies", held.refs);
	deliver(m, &r);
	/* Reported once: it will never be destroyed now. */
	free(u64map_del(&m->vms, p->who.vm));
}
