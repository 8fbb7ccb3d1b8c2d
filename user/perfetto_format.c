// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "event_format.h"
#include "perfetto_format.h"

struct out {
	FILE *f;
	const struct tdv_capture *c;
	const struct tdv_capture_view *v;
	unsigned int nevents;
};

static unsigned int pid_of(size_t vm)
{
	return vm + 1;
}

/* Threads numbered after the processes: a tid never equals a pid. */
static unsigned int tid_of(const struct out *o, size_t row)
{
	return o->v->nvms + 1 + row;
}

/* A new element of traceEvents, one per line. */
static FILE *event(struct out *o)
{
	fputs(o->nevents++ ? ",\n" : "\n", o->f);
	return o->f;
}

/* Microseconds since the start, exactly: no float rounding of ns. */
static void ts(struct out *o, uint64_t ns)
{
	uint64_t rel = ns > o->v->start_ns ? ns - o->v->start_ns : 0;

	fprintf(o->f, ",\"ts\":%" PRIu64 ".%03u", rel / 1000, (unsigned int)(rel % 1000));
}

static void label(char *buf, size_t size, const struct tdv_timeline *t)
{
	snprintf(buf, size, "seg %u kvmfd %u gen %u (trans_devid 0x%04x)", t->seg, t->kvmfd, t->gen,
		 t->trans_devid);
}

/* A kernel pointer exceeds 2^53: a string, so no JSON reader rounds it. */
static void vm_string(FILE *f, uint64_t vm)
{
	char buf[24];

	if (!vm) {
		fputs("null", f);
		return;
	}
	snprintf(buf, sizeof(buf), "0x%" PRIx64, vm);
	tdv_json_string(f, buf, sizeof(buf));
}

static void metadata(struct out *o)
{
	for (size_t i = 0; i < o->v->nvms; i++) {
		const struct tdv_capture_vm *vm = &o->v->vms[i];
		char name[64];

		if (vm->vm)
			snprintf(name, sizeof(name), "VM 0x%" PRIx64, vm->vm);
		else
			snprintf(name, sizeof(name), "VM unknown");
		fprintf(event(o),
			"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"args\":{\"name\":",
			pid_of(i));
		tdv_json_string(o->f, name, sizeof(name));
		fputs("}}", o->f);
		fprintf(event(o),
			"{\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":%u,"
			"\"args\":{\"sort_index\":%u}}",
			pid_of(i), pid_of(i));
	}
	for (size_t r = 0; r < o->v->nrows; r++) {
		char name[96];

		label(name, sizeof(name), o->v->rows[r]);
		fprintf(event(o),
			"{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%u,\"args\":{"
			"\"name\":",
			pid_of(o->v->row_vm[r]), tid_of(o, r));
		tdv_json_string(o->f, name, sizeof(name));
		fputs("}}", o->f);
		fprintf(event(o),
			"{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%u,\"tid\":%u,"
			"\"args\":{\"sort_index\":%zu}}",
			pid_of(o->v->row_vm[r]), tid_of(o, r), r);
	}
}

static void owner(FILE *f, uint32_t tgid, const char *comm)
{
	fprintf(f, ",\"owner\":{\"pid\":%u,\"comm\":", tgid);
	tdv_json_string(f, comm, TDV_COMM_LEN);
	fputc('}', f);
}

static void lifetime(struct out *o, size_t r)
{
	const struct tdv_timeline *t = o->v->rows[r];
	uint64_t start = o->v->row_start[r], end = o->v->row_end[r];
	char name[32];

	snprintf(name, sizeof(name), "trans_devid 0x%04x", t->trans_devid);
	fputs("{\"ph\":\"X\",\"cat\":\"entry\",\"name\":", event(o));
	tdv_json_string(o->f, name, sizeof(name));
	fprintf(o->f, ",\"pid\":%u,\"tid\":%u", pid_of(o->v->row_vm[r]), tid_of(o, r));
	ts(o, start);
	fprintf(o->f, ",\"dur\":%" PRIu64 ".%03u", (end - start) / 1000,
		(unsigned int)((end - start) % 1000));
	fprintf(o->f,
		",\"args\":{\"seg\":%u,\"kvmfd\":%u,\"gen\":%u,\"trans_devid\":%u,\"vm\":", t->seg,
		t->kvmfd, t->gen, t->trans_devid);
	vm_string(o->f, t->vm);
	owner(o->f, t->owner_tgid, t->owner_comm);
	fprintf(o->f, ",\"created_ns\":%" PRIu64, t->created_ns);
	if (t->released_ns)
		fprintf(o->f, ",\"released_ns\":%" PRIu64, t->released_ns);
	fprintf(o->f, ",\"live\":%s,\"changes\":%u,\"truncated\":%s}}",
		o->v->row_live[r] ? "true" : "false", t->npoints, t->truncated ? "true" : "false");
}

static void refs_sample(struct out *o, size_t r, uint64_t at, uint32_t refs)
{
	char name[96] = "refs ";

	label(name + 5, sizeof(name) - 5, o->v->rows[r]);
	fputs("{\"ph\":\"C\",\"cat\":\"refs\",\"name\":", event(o));
	tdv_json_string(o->f, name, sizeof(name));
	fprintf(o->f, ",\"pid\":%u,\"tid\":%u", pid_of(o->v->row_vm[r]), tid_of(o, r));
	ts(o, at);
	fprintf(o->f, ",\"args\":{\"refs\":%u}}", refs);
}

static void change(struct out *o, size_t r, const struct tdv_timeline_point *p)
{
	const char *name = tdv_event_name(p->kind);

	fprintf(event(o), "{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"%s\",\"name\":",
		p->kind == TDV_EV_VFCTRL ? "vfctrl" : "dte");
	tdv_json_string(o->f, name, strlen(name));
	fprintf(o->f, ",\"pid\":%u,\"tid\":%u", pid_of(o->v->row_vm[r]), tid_of(o, r));
	ts(o, p->ts_ns);
	fprintf(o->f, ",\"args\":{\"refs\":%u,\"dte\":\"%s\",\"vfctrl\":%u,\"pid\":%u,\"tgid\":%u",
		p->refs, p->dte_set ? "set" : "clear", p->vfctrls, p->pid, p->tgid);
	fputs(",\"comm\":", o->f);
	tdv_json_string(o->f, p->comm, sizeof(p->comm));
	fprintf(o->f, ",\"gid\":%u,\"iommu\":%u,\"ts_ns\":%" PRIu64 "}}", p->gid, p->iommu,
		p->ts_ns);
}

static void entry(struct out *o, size_t r)
{
	const struct tdv_timeline *t = o->v->rows[r];
	bool have = false;
	uint32_t last = 0;

	lifetime(o, r);
	for (unsigned int i = 0; i < t->npoints; i++) {
		const struct tdv_timeline_point *p = &t->points[i];

		if (!have || p->refs != last)
			refs_sample(o, r, p->ts_ns, p->refs);
		have = true;
		last = p->refs;
		if (p->kind == TDV_EV_DTE_SET || p->kind == TDV_EV_DTE_CLEAR ||
		    p->kind == TDV_EV_VFCTRL)
			change(o, r, p);
	}
	/* Released with refs the model last saw: the counter still ends at 0. */
	if (have && last && t->released_ns)
		refs_sample(o, r, t->released_ns, 0);
}

static void report(struct out *o, size_t i)
{
	const struct tdv_report *r = &o->c->reports[i];
	const char *kind = tdv_report_kind_name(r->kind) ?: "unknown";
	long row = o->v->report_row[i];

	fprintf(event(o),
		"{\"ph\":\"i\",\"s\":\"%s\",\"cat\":\"report\",\"name\":", row >= 0 ? "t" : "p");
	tdv_json_string(o->f, kind, strlen(kind));
	fprintf(o->f, ",\"pid\":%u", pid_of(o->v->report_vm[i]));
	if (row >= 0)
		fprintf(o->f, ",\"tid\":%u", tid_of(o, row));
	ts(o, r->ts_ns);
	fputs(",\"args\":{\"kind\":", o->f);
	tdv_json_string(o->f, kind, strlen(kind));
	fprintf(o->f, ",\"ts_ns\":%" PRIu64 ",\"seg\":%u", r->ts_ns, r->seg);
	if (r->has_entry || r->kvmfd)
		fprintf(o->f, ",\"kvmfd\":%u", r->kvmfd);
	if (r->has_entry)
		fprintf(o->f, ",\"gen\":%u,\"refs\":%u", r->gen, r->refs);
	fprintf(o->f, ",\"trans_devid\":%u,\"vm\":", r->trans_devid);
	vm_string(o->f, r->vm);
	if (r->other_vm) {
		fputs(",\"other_vm\":", o->f);
		vm_string(o->f, r->other_vm);
	}
	if (r->owner_tgid)
		owner(o->f, r->owner_tgid, r->owner_comm);
	if (r->kind == TDV_R_ALLOC_FAIL || r->kind == TDV_R_RESERVE_CLASH)
		fprintf(o->f, ",\"ret\":%d", r->ret);
	if (r->kind == TDV_R_ALLOC_FAIL)
		fprintf(o->f, ",\"pool_used\":%u", r->pool_used);
	fprintf(o->f, ",\"confidence\":\"%s\",\"detail\":", r->lossy ? "lossy" : "exact");
	tdv_json_string(o->f, r->detail, sizeof(r->detail));
	fputs(",\"evidence\":[", o->f);
	for (unsigned int j = 0; j < r->nevidence && j < TDV_MAX_EVIDENCE; j++) {
		const struct tdv_evidence *ev = &r->evidence[j];
		const char *name = tdv_event_name(ev->kind) ?: "unknown";

		fputs(j ? ",{\"event\":" : "{\"event\":", o->f);
		tdv_json_string(o->f, name, strlen(name));
		fprintf(o->f, ",\"ts_ns\":%" PRIu64 ",\"pid\":%u,\"tgid\":%u,\"comm\":", ev->ts_ns,
			ev->pid, ev->tgid);
		tdv_json_string(o->f, ev->comm, sizeof(ev->comm));
		fprintf(o->f, ",\"gid\":%u,\"iommu\":%u}", ev->gid, ev->iommu);
	}
	fputs("]}}", o->f);
}

int tdv_perfetto_write(FILE *f, const struct tdv_capture *c)
{
	struct tdv_capture_view v;
	struct out o = { .f = f, .c = c, .v = &v };

	if (tdv_capture_view(c, &v))
		return -ENOMEM;
	/* displayTimeUnit first: Perfetto reads it only before the events. */
	fprintf(f,
		"{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"tdvtrace\","
		"\"start_ns\":%" PRIu64 ",\"end_ns\":%" PRIu64 "},\"traceEvents\":[",
		v.start_ns, v.end_ns);
	metadata(&o);
	for (size_t r = 0; r < v.nrows; r++)
		entry(&o, r);
	for (size_t i = 0; i < c->nreports; i++)
		report(&o, i);
	fputs("\n]}\n", f);
	tdv_capture_view_free(&v);
	return ferror(f) ? -EIO : 0;
}
