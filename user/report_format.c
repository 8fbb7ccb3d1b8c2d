// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include "event_format.h"
#include "report_format.h"

static double secs_since(uint64_t ts, uint64_t start)
{
	return ts > start ? (ts - start) / 1e9 : 0;
}

struct frame_out {
	FILE *f;
	const char *prefix; /* text: the line's start; JSON: NULL */
	unsigned int n;
};

static void frame_out(void *ctx, const char *frame)
{
	struct frame_out *o = ctx;

	if (o->prefix) {
		fprintf(o->f, "%s%s\n", o->prefix, frame);
	} else {
		if (o->n)
			fputc(',', o->f);
		tdv_json_string(o->f, frame, strlen(frame));
	}
	o->n++;
}

static void print_stacks_text(FILE *f, const struct tdv_evidence *ev, struct tdv_symbolizer *sym)
{
	struct frame_out k = { .f = f, .prefix = "        kernel: " };
	struct frame_out u = { .f = f, .prefix = "        user:   " };

	if (!sym || !ev->has_stacks)
		return;
	tdv_stack_frames(sym, ev->kstack, false, ev->tgid, frame_out, &k);
	tdv_stack_frames(sym, ev->ustack, true, ev->tgid, frame_out, &u);
}

static void print_stacks_json(FILE *f, const struct tdv_evidence *ev, struct tdv_symbolizer *sym)
{
	struct frame_out o = { .f = f };

	if (!sym || !ev->has_stacks)
		return;
	fputs(",\"kstack\":[", f);
	tdv_stack_frames(sym, ev->kstack, false, ev->tgid, frame_out, &o);
	fputs("],\"ustack\":[", f);
	o.n = 0;
	tdv_stack_frames(sym, ev->ustack, true, ev->tgid, frame_out, &o);
	fputc(']', f);
}

void tdv_report_print_text(FILE *f, const struct tdv_report *r, uint64_t start_ns,
			   struct tdv_symbolizer *sym)
{
	fprintf(f, "%.6f %s seg=%u", secs_since(r->ts_ns, start_ns), tdv_report_kind_name(r->kind),
		r->seg);
	if (r->has_entry || r->kvmfd)
		fprintf(f, " kvmfd=%u", r->kvmfd);
	if (r->has_entry)
		fprintf(f, " gen=%u", r->gen);
	fprintf(f, " trans_devid=0x%04x", r->trans_devid);
	if (r->has_entry)
		fprintf(f, " refs=%u", r->refs);
	if (r->vm)
		fprintf(f, " vm=0x%" PRIx64, r->vm);
	if (r->other_vm)
		fprintf(f, " other_vm=0x%" PRIx64, r->other_vm);
	if (r->owner_tgid)
		fprintf(f, " owner=%u/%.16s", r->owner_tgid, r->owner_comm);
	if (r->kind == TDV_R_ALLOC_FAIL)
		fprintf(f, " ret=%d pool_used=%u", r->ret, r->pool_used);
	fprintf(f, " [%s]", r->lossy ? "lossy: events were lost" : "exact");
	if (r->detail[0])
		fprintf(f, ": %s", r->detail);
	fputc('\n', f);
	for (unsigned int i = 0; i < r->nevidence; i++) {
		const struct tdv_evidence *ev = &r->evidence[i];

		fprintf(f, "    %-14s at %.6f pid %u (%.16s)", tdv_event_name(ev->kind),
			secs_since(ev->ts_ns, start_ns), ev->tgid, ev->comm);
		if (ev->kind != TDV_EV_PUT && ev->kind != TDV_EV_SEG_FINI &&
		    ev->kind != TDV_EV_RESERVE)
			fprintf(f, " gid %u iommu 0x%04x", ev->gid, ev->iommu);
		fputc('\n', f);
		print_stacks_text(f, ev, sym);
	}
}

void tdv_timeline_print_text(FILE *f, const struct tdv_timeline *t, uint64_t start_ns)
{
	fprintf(f, "  timeline seg=%u kvmfd=%u gen=%u trans_devid=0x%04x owner=%u/%.16s", t->seg,
		t->kvmfd, t->gen, t->trans_devid, t->owner_tgid, t->owner_comm);
	if (t->released_ns)
		fprintf(f, " lifetime=%.6fs", (t->released_ns - t->created_ns) / 1e9);
	else
		fprintf(f, " live");
	fprintf(f, "%s\n", t->truncated ? " (oldest changes dropped)" : "");
	for (unsigned int i = 0; i < t->npoints; i++) {
		const struct tdv_timeline_point *p = &t->points[i];

		fprintf(f, "    %.6f %-10s refs=%u pid %u (%.16s)", secs_since(p->ts_ns, start_ns),
			tdv_event_name(p->kind), p->refs, p->tgid, p->comm);
		if (p->kind != TDV_EV_GET && p->kind != TDV_EV_PUT)
			fprintf(f, " gid %u iommu 0x%04x", p->gid, p->iommu);
		fprintf(f, " dte=%s vfctrl=%u\n", p->dte_set ? "set" : "clear", p->vfctrls);
	}
}

void tdv_timeline_print_json(FILE *f, const struct tdv_timeline *t)
{
	fprintf(f,
		"{\"seg\":%u,\"kvmfd\":%u,\"gen\":%u,\"trans_devid\":%u,\"vm\":\"0x%" PRIx64
		"\",\"owner\":{\"pid\":%u,\"comm\":",
		t->seg, t->kvmfd, t->gen, t->trans_devid, t->vm, t->owner_tgid);
	tdv_json_string(f, t->owner_comm, sizeof(t->owner_comm));
	fprintf(f, "},\"created_ns\":%" PRIu64, t->created_ns);
	if (t->released_ns)
		fprintf(f, ",\"released_ns\":%" PRIu64 ",\"lifetime_ns\":%" PRIu64, t->released_ns,
			t->released_ns - t->created_ns);
	fprintf(f, ",\"truncated\":%s,\"changes\":[", t->truncated ? "true" : "false");
	for (unsigned int i = 0; i < t->npoints; i++) {
		const struct tdv_timeline_point *p = &t->points[i];

		fprintf(f,
			"%s{\"ts_ns\":%" PRIu64 ",\"op\":\"%s\",\"refs\":%u,\"pid\":%u,"
			"\"tgid\":%u,\"comm\":",
			i ? "," : "", p->ts_ns, tdv_event_name(p->kind), p->refs, p->pid, p->tgid);
		tdv_json_string(f, p->comm, sizeof(p->comm));
		fprintf(f, ",\"gid\":%u,\"iommu\":%u,\"dte\":\"%s\",\"vfctrl\":%u}", p->gid,
			p->iommu, p->dte_set ? "set" : "clear", p->vfctrls);
	}
	fputs("]}", f);
}

void tdv_report_print_json(FILE *f, const struct tdv_report *r, bool timeline,
			   struct tdv_symbolizer *sym)
{
	fprintf(f, "{\"kind\":\"%s\",\"ts_ns\":%" PRIu64 ",\"seg\":%u",
		tdv_report_kind_name(r->kind), r->ts_ns, r->seg);
	if (r->has_entry || r->kvmfd)
		fprintf(f, ",\"kvmfd\":%u", r->kvmfd);
	if (r->has_entry)
		fprintf(f, ",\"gen\":%u,\"refs\":%u", r->gen, r->refs);
	fprintf(f, ",\"trans_devid\":%u", r->trans_devid);
	if (r->vm)
		fprintf(f, ",\"vm\":\"0x%" PRIx64 "\"", r->vm);
	if (r->other_vm)
		fprintf(f, ",\"other_vm\":\"0x%" PRIx64 "\"", r->other_vm);
	if (r->owner_tgid) {
		fprintf(f, ",\"owner\":{\"pid\":%u,\"comm\":", r->owner_tgid);
		tdv_json_string(f, r->owner_comm, sizeof(r->owner_comm));
		fputc('}', f);
	}
	if (r->kind == TDV_R_ALLOC_FAIL || r->kind == TDV_R_RESERVE_CLASH)
		fprintf(f, ",\"ret\":%d", r->ret);
	if (r->kind == TDV_R_ALLOC_FAIL)
		fprintf(f, ",\"pool_used\":%u", r->pool_used);
	fprintf(f, ",\"confidence\":\"%s\",\"detail\":", r->lossy ? "lossy" : "exact");
	tdv_json_string(f, r->detail, sizeof(r->detail));
	fputs(",\"evidence\":[", f);
	for (unsigned int i = 0; i < r->nevidence; i++) {
		const struct tdv_evidence *ev = &r->evidence[i];

		fprintf(f,
			"%s{\"event\":\"%s\",\"ts_ns\":%" PRIu64 ",\"pid\":%u,\"tgid\":%u,"
			"\"comm\":",
			i ? "," : "", tdv_event_name(ev->kind), ev->ts_ns, ev->pid, ev->tgid);
		tdv_json_string(f, ev->comm, sizeof(ev->comm));
		fprintf(f, ",\"gid\":%u,\"iommu\":%u", ev->gid, ev->iommu);
		print_stacks_json(f, ev, sym);
		fputc('}', f);
	}
	fputc(']', f);
	if (timeline && r->timeline.npoints) {
		fputs(",\"timeline\":", f);
		tdv_timeline_print_json(f, &r->timeline);
	}
	fputs("}\n", f);
}

void tdv_report_print_summary(FILE *f, const struct tdv_model_stats *st)
{
	uint64_t total = 0;
	const char *sep = ": ";

	for (int k = 0; k < TDV_R_KINDS; k++)
		total += st->reports[k];
	if (!total) {
		fprintf(f, "tdvtrace: no leaks or anomalies\n");
		return;
	}
	fprintf(f, "tdvtrace: %" PRIu64 " report%s", total, total == 1 ? "" : "s");
	for (int k = 0; k < TDV_R_KINDS; k++) {
		if (!st->reports[k])
			continue;
		fprintf(f, "%s%" PRIu64 " %s", sep, st->reports[k], tdv_report_kind_name(k));
		sep = ", ";
	}
	fputc('\n', f);
}
