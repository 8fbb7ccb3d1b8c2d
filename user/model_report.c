// SPDX-License-Identifier: GPL-2.0
/* Building a report from the model's state, and handing it to the caller. */
#include <string.h>
#include "model_state.h"

static const char *const report_names[] = {
#define TDV_R_NAME(kind, name) [TDV_R_##kind] = #name,
	TDV_REPORT_KINDS(TDV_R_NAME)
#undef TDV_R_NAME
};

const char *tdv_report_kind_name(enum tdv_report_kind kind)
{
	return kind < TDV_R_KINDS ? report_names[kind] : NULL;
}

void evidence_of_event(struct tdv_evidence *ev, const struct tdv_event *e)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = e->ts_ns;
	ev->kind = e->kind;
	ev->pid = e->pid;
	ev->tgid = e->tgid;
	memcpy(ev->comm, e->comm, sizeof(ev->comm));
	ev->gid = e->gid;
	ev->iommu = e->iommu;
	ev->refs = e->refs;
	ev->vm = e->vm;
}

void add_evidence(struct tdv_report *r, const struct tdv_evidence *ev)
{
	if (r->nevidence < TDV_MAX_EVIDENCE)
		r->evidence[r->nevidence++] = *ev;
}

void add_dte_set(struct tdv_report *r, const struct devid_state *d)
{
	struct tdv_evidence set = { .ts_ns = d->set_ns,
				    .kind = TDV_EV_DTE_SET,
				    .pid = d->set_pid,
				    .tgid = d->set_tgid,
				    .gid = d->gid,
				    .iommu = d->iommu };

	memcpy(set.comm, d->set_comm, sizeof(set.comm));
	add_evidence(r, &set);
}

void add_get(struct tdv_report *r, const struct get_rec *g)
{
	struct tdv_evidence ev = {
		.ts_ns = g->ts_ns,
		.kind = TDV_EV_GET,
		.pid = g->pid,
		.tgid = g->tgid,
		.gid = g->gid,
		.iommu = g->iommu,
		.vm = g->vm,
		.has_stacks = g->has_stacks,
		.kstack = g->kstack,
		.ustack = g->ustack,
	};

	memcpy(ev.comm, g->comm, sizeof(ev.comm));
	add_evidence(r, &ev);
}

void add_gets(struct tdv_report *r, const struct entry *en)
{
	for (size_t i = 0; i < en->ngets; i++)
		add_get(r, &en->gets[i]);
}

void report_init(struct tdv_report *r, enum tdv_report_kind kind, uint64_t ts_ns,
		 const struct entry *en)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->ts_ns = ts_ns;
	if (!en)
		return;
	r->has_entry = true;
	r->seg = en->seg;
	r->kvmfd = en->kvmfd;
	r->gen = en->gen;
	r->trans_devid = en->trans_devid;
	r->refs = en->refs;
	r->vm = en->vm;
	r->owner_tgid = en->owner_tgid;
	memcpy(r->owner_comm, en->owner_comm, sizeof(r->owner_comm));
	timeline_of(en, &r->timeline);
}

void report_of_caller(struct tdv_report *r, enum tdv_report_kind kind, const struct tdv_event *e)
{
	report_init(r, kind, e->ts_ns, NULL);
	r->seg = e->seg;
	r->kvmfd = e->kvmfd;
	r->vm = e->vm;
	r->owner_tgid = e->tgid;
	memcpy(r->owner_comm, e->comm, sizeof(r->owner_comm));
}

void report_of_release(struct tdv_report *r, enum tdv_report_kind kind, const struct pending *p)
{
	report_init(r, kind, p->due_ns, NULL);
	r->has_entry = true;
	r->seg = p->seg;
	r->kvmfd = p->kvmfd;
	r->gen = p->gen;
	r->trans_devid = p->trans_devid;
	r->vm = p->release.vm;
}

void deliver(struct tdv_model *m, struct tdv_report *r)
{
	uint64_t first = r->ts_ns;

	for (unsigned int i = 0; i < r->nevidence; i++)
		if (r->evidence[i].ts_ns < first)
			first = r->evidence[i].ts_ns;
	/* Anything lost between the first evidence and now may matter. */
	r->lossy = m->loss_until_ns && m->loss_until_ns >= first;
	m->stats.reports[r->kind]++;
	m->fn(m->ctx, r);
}

void tdv_model_loss(struct tdv_model *m, uint64_t ts_ns)
{
	if (ts_ns > m->loss_until_ns)
		m->loss_until_ns = ts_ns;
}
