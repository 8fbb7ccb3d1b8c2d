// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include "event_format.h"
#include "report_format.h"
#include "text_escape.h"

/* A comm (TDV_COMM_LEN bytes at most) as text prints it. */
#define ESC_COMM(buf, comm) tdv_esc(buf, sizeof(buf), comm, TDV_COMM_LEN)

static double secs_since(uint64_t ts, uint64_t start)
{
	return ts > start ? (ts - start) / 1e9 : 0;
}

struct frame_text {
	FILE *f;
	const char *prefix; /* the line's start */
};

static void frame_text(void *ctx, const char *frame)
{
	struct frame_text *o = ctx;

	/* Symbols come from the VMM's own ELF files. */
	fputs(o->prefix, o->f);
	tdv_esc_fputs(o->f, frame, SIZE_MAX);
	fputc('\n', o->f);
}

static void print_stacks_text(FILE *f, const struct tdv_evidence *ev, struct tdv_symbolizer *sym)
{
	struct frame_text k = { .f = f, .prefix = "        kernel: " };
	struct frame_text u = { .f = f, .prefix = "        user:   " };

	if (!sym || !ev->has_stacks)
		return;
	tdv_stack_frames(sym, ev->kstack, false, ev->tgid, frame_text, &k);
	tdv_stack_frames(sym, ev->ustack, true, ev->tgid, frame_text, &u);
}

void tdv_report_print_text(FILE *f, const struct tdv_report *r, uint64_t start_ns,
			   struct tdv_symbolizer *sym)
{
	char comm[TDV_ESC_SIZE(TDV_COMM_LEN)];

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
		fprintf(f, " owner=%u/%s", r->owner_tgid, ESC_COMM(comm, r->owner_comm));
	if (r->kind == TDV_R_ALLOC_FAIL)
		fprintf(f, " ret=%d pool_used=%u", r->ret, r->pool_used);
	fprintf(f, " [%s]", r->lossy ? "lossy: events were lost" : "exact");
	if (r->detail[0]) {
		fputs(": ", f);
		tdv_esc_fputs(f, r->detail, sizeof(r->detail));
	}
	fputc('\n', f);
	for (unsigned int i = 0; i < r->nevidence; i++) {
		const struct tdv_evidence *ev = &r->evidence[i];

		fprintf(f, "    %-14s at %.6f pid %u (%s)", tdv_event_name(ev->kind),
			secs_since(ev->ts_ns, start_ns), ev->tgid, ESC_COMM(comm, ev->comm));
		if (ev->kind != TDV_EV_PUT && ev->kind != TDV_EV_SEG_FINI &&
		    ev->kind != TDV_EV_RESERVE)
			fprintf(f, " gid %u iommu 0x%04x", ev->gid, ev->iommu);
		fputc('\n', f);
		print_stacks_text(f, ev, sym);
	}
}

void tdv_timeline_print_text(FILE *f, const struct tdv_timeline *t, uint64_t start_ns)
{
	char comm[TDV_ESC_SIZE(TDV_COMM_LEN)];

	fprintf(f, "  timeline seg=%u kvmfd=%u gen=%u trans_devid=0x%04x owner=%u/%s", t->seg,
		t->kvmfd, t->gen, t->trans_devid, t->owner_tgid, ESC_COMM(comm, t->owner_comm));
	if (t->released_ns)
		fprintf(f, " lifetime=%.6fs", (t->released_ns - t->created_ns) / 1e9);
	else
		fprintf(f, " live");
	fprintf(f, "%s\n", t->truncated ? " (oldest changes dropped)" : "");
	for (unsigned int i = 0; i < t->npoints; i++) {
		const struct tdv_timeline_point *p = &t->points[i];

		fprintf(f, "    %.6f %-10s refs=%u pid %u (%s)", secs_since(p->ts_ns, start_ns),
			tdv_event_name(p->kind), p->refs, p->tgid, ESC_COMM(comm, p->comm));
		if (p->kind != TDV_EV_GET && p->kind != TDV_EV_PUT)
			fprintf(f, " gid %u iommu 0x%04x", p->gid, p->iommu);
		fprintf(f, " dte=%s vfctrl=%u\n", p->dte_set ? "set" : "clear", p->vfctrls);
	}
}

static void frame_json(void *ctx, const char *frame)
{
	tdv_json_string(ctx, frame);
}

static void write_stack(struct tdv_json *w, const char *name, struct tdv_symbolizer *sym,
			int32_t id, bool user, uint32_t tgid)
{
	tdv_json_name(w, name);
	tdv_json_start_array(w);
	tdv_stack_frames(sym, id, user, tgid, frame_json, w);
	tdv_json_end_array(w);
}

static void write_owner(struct tdv_json *w, uint32_t tgid, const char *comm)
{
	tdv_json_name(w, "owner");
	tdv_json_start_object(w);
	tdv_json_uint_field(w, "pid", tgid);
	tdv_json_string_n_field(w, "comm", comm, TDV_COMM_LEN);
	tdv_json_end_object(w);
}

void tdv_json_write_actor(struct tdv_json *w, uint32_t pid, uint32_t tgid, const char *comm,
			  uint32_t gid, uint32_t iommu)
{
	tdv_json_uint_field(w, "pid", pid);
	tdv_json_uint_field(w, "tgid", tgid);
	tdv_json_string_n_field(w, "comm", comm, TDV_COMM_LEN);
	tdv_json_uint_field(w, "gid", gid);
	tdv_json_uint_field(w, "iommu", iommu);
}

void tdv_timeline_write_entry(struct tdv_json *w, const struct tdv_timeline *t)
{
	tdv_json_uint_field(w, "seg", t->seg);
	tdv_json_uint_field(w, "kvmfd", t->kvmfd);
	tdv_json_uint_field(w, "gen", t->gen);
	tdv_json_uint_field(w, "trans_devid", t->trans_devid);
	if (t->vm)
		tdv_json_hex_field(w, "vm", t->vm);
	write_owner(w, t->owner_tgid, t->owner_comm);
	tdv_json_uint_field(w, "created_ns", t->created_ns);
	if (t->released_ns)
		tdv_json_uint_field(w, "released_ns", t->released_ns);
}

static void write_timeline(struct tdv_json *w, const struct tdv_timeline *t)
{
	tdv_json_start_object(w);
	tdv_timeline_write_entry(w, t);
	if (t->released_ns)
		tdv_json_uint_field(w, "lifetime_ns", t->released_ns - t->created_ns);
	tdv_json_bool_field(w, "truncated", t->truncated);
	tdv_json_name(w, "changes");
	tdv_json_start_array(w);
	for (unsigned int i = 0; i < t->npoints; i++) {
		const struct tdv_timeline_point *p = &t->points[i];

		tdv_json_start_object(w);
		tdv_json_uint_field(w, "ts_ns", p->ts_ns);
		tdv_json_string_field(w, "op", tdv_event_name(p->kind) ?: "unknown");
		tdv_json_uint_field(w, "refs", p->refs);
		tdv_json_write_actor(w, p->pid, p->tgid, p->comm, p->gid, p->iommu);
		tdv_json_string_field(w, "dte", p->dte_set ? "set" : "clear");
		tdv_json_uint_field(w, "vfctrl", p->vfctrls);
		tdv_json_end_object(w);
	}
	tdv_json_end_array(w);
	tdv_json_end_object(w);
}

void tdv_timeline_print_json(FILE *f, const struct tdv_timeline *t)
{
	struct tdv_json w;

	tdv_json_init(&w, f);
	tdv_json_start_object(&w);
	tdv_json_name(&w, "timeline");
	write_timeline(&w, t);
	tdv_json_end_object(&w);
	tdv_json_end_line(&w);
}

static void write_evidence(struct tdv_json *w, const struct tdv_evidence *ev,
			   struct tdv_symbolizer *sym)
{
	tdv_json_start_object(w);
	tdv_json_string_field(w, "event", tdv_event_name(ev->kind) ?: "unknown");
	tdv_json_uint_field(w, "ts_ns", ev->ts_ns);
	tdv_json_write_actor(w, ev->pid, ev->tgid, ev->comm, ev->gid, ev->iommu);
	if (sym && ev->has_stacks) {
		write_stack(w, "kstack", sym, ev->kstack, false, ev->tgid);
		write_stack(w, "ustack", sym, ev->ustack, true, ev->tgid);
	}
	tdv_json_end_object(w);
}

void tdv_report_write_fields(struct tdv_json *w, const struct tdv_report *r,
			     struct tdv_symbolizer *sym)
{
	tdv_json_string_field(w, "kind", tdv_report_kind_name(r->kind) ?: "unknown");
	tdv_json_uint_field(w, "ts_ns", r->ts_ns);
	tdv_json_uint_field(w, "seg", r->seg);
	if (r->has_entry || r->kvmfd)
		tdv_json_uint_field(w, "kvmfd", r->kvmfd);
	if (r->has_entry) {
		tdv_json_uint_field(w, "gen", r->gen);
		tdv_json_uint_field(w, "refs", r->refs);
	}
	tdv_json_uint_field(w, "trans_devid", r->trans_devid);
	if (r->vm)
		tdv_json_hex_field(w, "vm", r->vm);
	if (r->other_vm)
		tdv_json_hex_field(w, "other_vm", r->other_vm);
	if (r->owner_tgid)
		write_owner(w, r->owner_tgid, r->owner_comm);
	if (r->kind == TDV_R_ALLOC_FAIL || r->kind == TDV_R_RESERVE_CLASH)
		tdv_json_int_field(w, "ret", r->ret);
	if (r->kind == TDV_R_ALLOC_FAIL)
		tdv_json_uint_field(w, "pool_used", r->pool_used);
	tdv_json_string_field(w, "confidence", r->lossy ? "lossy" : "exact");
	tdv_json_string_n_field(w, "detail", r->detail, sizeof(r->detail));
	tdv_json_name(w, "evidence");
	tdv_json_start_array(w);
	for (unsigned int i = 0; i < r->nevidence && i < TDV_MAX_EVIDENCE; i++)
		write_evidence(w, &r->evidence[i], sym);
	tdv_json_end_array(w);
}

void tdv_report_print_json(FILE *f, const struct tdv_report *r, bool timeline,
			   struct tdv_symbolizer *sym)
{
	struct tdv_json w;

	tdv_json_init(&w, f);
	tdv_json_start_object(&w);
	tdv_report_write_fields(&w, r, sym);
	if (timeline && r->timeline.npoints) {
		tdv_json_name(&w, "timeline");
		write_timeline(&w, &r->timeline);
	}
	tdv_json_end_object(&w);
	tdv_json_end_line(&w);
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
	if (st->driver_dte0 > 1)
		fprintf(f,
			"tdvtrace: the driver cleared DTE 0 in %" PRIu64
			" failed vIOMMU inits (driver_dte0 is reported once)\n",
			st->driver_dte0);
}
