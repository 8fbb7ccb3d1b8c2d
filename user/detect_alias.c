// SPDX-License-Identifier: GPL-2.0
/*
 * alias. Kernel fact: kvmfd_xa is keyed by the kvmfd number alone, and fd
 * numbers are per process. So two VMMs whose VMs have equal kvmfd numbers
 * share one entry and one trans_devid: a get that finds an entry owned by a
 * different VM (or another life of the same struct kvm address) is an alias.
 */
#include <stdio.h>
#include "detect.h"

void detect_alias(struct tdv_model *m, const struct entry *en, const struct tdv_event *get)
{
	struct tdv_evidence ev;
	struct tdv_report r;

	if (!en->vm || !get->vm || (en->vm == get->vm && en->vm_life == vm_life(m, get->vm)))
		return;
	report_init(&r, TDV_R_ALIAS, get->ts_ns, en);
	r.other_vm = get->vm;
	r.refs = get->refs;
	snprintf(r.detail, sizeof(r.detail),
		 "pid %u (%.16s) shares trans_devid 0x%04x of pid %u (%.16s)", get->tgid, get->comm,
		 en->trans_devid, en->owner_tgid, en->owner_comm);
	add_gets(&r, en);
	evidence_of_event(&ev, get);
	add_evidence(&r, &ev);
	deliver(m, &r);
}
