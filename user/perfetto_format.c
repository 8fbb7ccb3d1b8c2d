// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include "event_format.h"
#include "json.h"
#include "perfetto_format.h"
#include "report_format.h"

struct out {
	struct tdv_json w;
	const struct tdv_capture *c;
	const struct tdv_capture_view *v;
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

/* A new element of traceEvents, one per line, of phase @ph. */
static void event(struct out *o, const char *ph)
{
	tdv_json_line_break(&o->w);
	tdv_json_start_object(&o->w);
	tdv_json_string_field(&o->w, "ph", ph);
}

/* The event's "args" object, open for its fields. */
static void args(struct out *o)
{
	tdv_json_name(&o->w, "args");
	tdv_json_start_object(&o->w);
}

/* Its args and the event closed. */
static void event_end(struct out *o)
{
	tdv_json_end_object(&o->w);
	tdv_json_end_object(&o->w);
}

/* Microseconds since the start, exactly: no float rounding of ns. */
static void ts(struct out *o, uint64_t ns)
{
	tdv_json_name(&o->w, "ts");
	tdv_json_uint_scaled(&o->w, ns > o->v->start_ns ? ns - o->v->start_ns : 0, 3);
}

/* An event on entry row @r's thread. */
static void on_row(struct out *o, size_t r)
{
	tdv_json_uint_field(&o->w, "pid", pid_of(o->v->row_vm[r]));
	tdv_json_uint_field(&o->w, "tid", tid_of(o, r));
}

static void label(char *buf, size_t size, const struct tdv_timeline *t)
{
	snprintf(buf, size, "seg %u kvmfd %u gen %u (trans_devid 0x%04x)", t->seg, t->kvmfd, t->gen,
		 t->trans_devid);
}

/* A metadata event of VM @vm's process, its args open. */
static void process_meta(struct out *o, const char *name, size_t vm)
{
	event(o, "M");
	tdv_json_string_field(&o->w, "name", name);
	tdv_json_uint_field(&o->w, "pid", pid_of(vm));
	args(o);
}

/* A metadata event of entry row @r's thread, its args open. */
static void thread_meta(struct out *o, const char *name, size_t r)
{
	event(o, "M");
	tdv_json_string_field(&o->w, "name", name);
	on_row(o, r);
	args(o);
}

static void metadata(struct out *o)
{
	struct tdv_json *w = &o->w;

	for (size_t i = 0; i < o->v->nvms; i++) {
		const struct tdv_capture_vm *vm = &o->v->vms[i];
		char name[64];

		if (vm->vm)
			snprintf(name, sizeof(name), "VM 0x%" PRIx64, vm->vm);
		else
			snprintf(name, sizeof(name), "VM unknown");
		process_meta(o, "process_name", i);
		tdv_json_string_field(w, "name", name);
		event_end(o);
		process_meta(o, "process_sort_index", i);
		tdv_json_uint_field(w, "sort_index", pid_of(i));
		event_end(o);
	}
	for (size_t r = 0; r < o->v->nrows; r++) {
		char name[96];

		label(name, sizeof(name), o->v->rows[r]);
		thread_meta(o, "thread_name", r);
		tdv_json_string_field(w, "name", name);
		event_end(o);
		thread_meta(o, "thread_sort_index", r);
		tdv_json_uint_field(w, "sort_index", r);
		event_end(o);
	}
}

static void lifetime(struct out *o, size_t r)
{
	const struct tdv_timeline *t = o->v->rows[r];
	uint64_t start = o->v->row_start[r], end = o->v->row_end[r];
	struct tdv_json *w = &o->w;
	char name[32];

	snprintf(name, sizeof(name), "trans_devid 0x%04x", t->trans_devid);
	event(o, "X");
	tdv_json_string_field(w, "cat", "entry");
	tdv_json_string_field(w, "name", name);
	on_row(o, r);
	ts(o, start);
	tdv_json_name(w, "dur");
	tdv_json_uint_scaled(w, end - start, 3);
	args(o);
	tdv_timeline_write_entry(w, t);
	tdv_json_bool_field(w, "live", o->v->row_live[r]);
	tdv_json_uint_field(w, "changes", t->npoints);
	tdv_json_bool_field(w, "truncated", t->truncated);
	event_end(o);
}

static void refs_sample(struct out *o, size_t r, uint64_t at, uint32_t refs)
{
	struct tdv_json *w = &o->w;
	char name[96] = "refs ";

	label(name + 5, sizeof(name) - 5, o->v->rows[r]);
	event(o, "C");
	tdv_json_string_field(w, "cat", "refs");
	tdv_json_string_field(w, "name", name);
	on_row(o, r);
	ts(o, at);
	args(o);
	tdv_json_uint_field(w, "refs", refs);
	event_end(o);
}

static void change(struct out *o, size_t r, const struct tdv_timeline_point *p)
{
	struct tdv_json *w = &o->w;

	event(o, "i");
	tdv_json_string_field(w, "s", "t");
	tdv_json_string_field(w, "cat", p->kind == TDV_EV_VFCTRL ? "vfctrl" : "dte");
	tdv_json_string_field(w, "name", tdv_event_name(p->kind) ?: "unknown");
	on_row(o, r);
	ts(o, p->ts_ns);
	args(o);
	tdv_json_uint_field(w, "refs", p->refs);
	tdv_json_string_field(w, "dte", p->dte_set ? "set" : "clear");
	tdv_json_uint_field(w, "vfctrl", p->vfctrls);
	tdv_json_write_actor(w, p->pid, p->tgid, p->comm, p->gid, p->iommu);
	tdv_json_uint_field(w, "ts_ns", p->ts_ns);
	event_end(o);
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
	long row = o->v->report_row[i];
	struct tdv_json *w = &o->w;

	event(o, "i");
	tdv_json_string_field(w, "s", row >= 0 ? "t" : "p");
	tdv_json_string_field(w, "cat", "report");
	tdv_json_string_field(w, "name", tdv_report_kind_name(r->kind) ?: "unknown");
	tdv_json_uint_field(w, "pid", pid_of(o->v->report_vm[i]));
	if (row >= 0)
		tdv_json_uint_field(w, "tid", tid_of(o, row));
	ts(o, r->ts_ns);
	args(o);
	tdv_report_write_fields(w, r, NULL);
	event_end(o);
}

int tdv_perfetto_write(FILE *f, const struct tdv_capture *c)
{
	struct tdv_capture_view v;
	struct out o = { .c = c, .v = &v };
	struct tdv_json *w = &o.w;

	if (tdv_capture_view(c, &v))
		return -ENOMEM;
	tdv_json_init(w, f);
	tdv_json_start_object(w);
	/* displayTimeUnit first: Perfetto reads it only before the events. */
	tdv_json_string_field(w, "displayTimeUnit", "ms");
	tdv_json_name(w, "otherData");
	tdv_json_start_object(w);
	tdv_json_string_field(w, "tool", "tdvtrace");
	tdv_json_uint_field(w, "start_ns", v.start_ns);
	tdv_json_uint_field(w, "end_ns", v.end_ns);
	tdv_json_end_object(w);
	tdv_json_name(w, "traceEvents");
	tdv_json_start_array(w);
	metadata(&o);
	for (size_t r = 0; r < v.nrows; r++)
		entry(&o, r);
	for (size_t i = 0; i < c->nreports; i++)
		report(&o, i);
	tdv_json_line_break(w);
	tdv_json_end_array(w);
	tdv_json_end_object(w);
	tdv_json_end_line(w);
	tdv_capture_view_free(&v);
	return tdv_json_error(w);
}
