// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "capture.h"
#include "grow.h"

void tdv_capture_init(struct tdv_capture *c)
{
	memset(c, 0, sizeof(*c));
}

int tdv_capture_report(struct tdv_capture *c, const struct tdv_report *r)
{
	struct tdv_report *copy;

	if (TDV_GROW(c->reports, c->capreports, c->nreports + 1, 16))
		return -ENOMEM;
	copy = &c->reports[c->nreports++];
	*copy = *r;
	/* Its points die with the callback; the entry's timeline comes on its own. */
	memset(&copy->timeline, 0, sizeof(copy->timeline));
	return 0;
}

int tdv_capture_timeline(struct tdv_capture *c, const struct tdv_timeline *t)
{
	struct tdv_timeline_point *pts = NULL;
	struct tdv_timeline *copy;

	if (TDV_GROW(c->timelines, c->captimelines, c->ntimelines + 1, 16))
		return -ENOMEM;
	if (t->npoints) {
		pts = malloc(t->npoints * sizeof(*pts));
		if (!pts)
			return -ENOMEM;
		memcpy(pts, t->points, t->npoints * sizeof(*pts));
	}
	copy = &c->timelines[c->ntimelines++];
	*copy = *t;
	copy->points = pts;
	return 0;
}

void tdv_capture_free(struct tdv_capture *c)
{
	for (size_t i = 0; i < c->ntimelines; i++)
		free((void *)c->timelines[i].points);
	free(c->timelines);
	free(c->reports);
	tdv_capture_init(c);
}

/* ---- the view -------------------------------------------------------------- */

/* Timelines by (seg, kvmfd, creation): finds a report's entry and a successor. */
struct entry_key {
	uint16_t seg;
	uint32_t kvmfd, gen;
	uint64_t created_ns;
	size_t idx;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_entry_key(const void *pa, const void *pb)
{
	const struct entry_key *a = pa, *b = pb;

	if (a->seg != b->seg)
		return cmp_u64(a->seg, b->seg);
	if (a->kvmfd != b->kvmfd)
		return cmp_u64(a->kvmfd, b->kvmfd);
	if (a->created_ns != b->created_ns)
		return cmp_u64(a->created_ns, b->created_ns);
	if (a->gen != b->gen)
		return cmp_u64(a->gen, b->gen);
	return cmp_u64(a->idx, b->idx);
}

/* The first key of (seg, kvmfd) in @keys, or @n. */
static size_t lower_bound(const struct entry_key *keys, size_t n, uint16_t seg, uint32_t kvmfd)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct entry_key *k = &keys[mid];

		if (k->seg < seg || (k->seg == seg && k->kvmfd < kvmfd))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The timeline a report is about: same (seg, kvmfd, gen), the newest created
 * by the report's time (a segment torn down starts its gens afresh), else
 * the oldest. -1: none.
 */
static long report_entry(const struct entry_key *keys, size_t n, const struct tdv_report *r)
{
	long found = -1;

	if (!r->has_entry)
		return -1;
	for (size_t i = lower_bound(keys, n, r->seg, r->kvmfd);
	     i < n && keys[i].seg == r->seg && keys[i].kvmfd == r->kvmfd; i++) {
		if (keys[i].gen != r->gen)
			continue;
		if (found < 0 || keys[i].created_ns <= r->ts_ns)
			found = (long)keys[i].idx;
	}
	return found;
}

/* One sighting of a VM, by an entry or a report. */
struct vm_seen {
	uint64_t vm, ts_ns;
	bool entry;
	uint32_t tgid;
	const char *comm;
};

static int cmp_vm_seen(const void *pa, const void *pb)
{
	const struct vm_seen *a = pa, *b = pb;

	if (a->vm != b->vm)
		return cmp_u64(a->vm, b->vm);
	if (a->entry != b->entry)
		return a->entry ? -1 : 1; /* an entry names the owner first */
	return cmp_u64(a->ts_ns, b->ts_ns);
}

static int cmp_vm(const void *pa, const void *pb)
{
	const struct tdv_capture_vm *a = pa, *b = pb;

	if (!a->vm != !b->vm)
		return a->vm ? -1 : 1; /* unknown last */
	if (a->first_ns != b->first_ns)
		return cmp_u64(a->first_ns, b->first_ns);
	return cmp_u64(a->vm, b->vm);
}

static size_t vm_index(const struct tdv_capture_view *v, uint64_t vm)
{
	for (size_t i = 0; i < v->nvms; i++)
		if (v->vms[i].vm == vm)
			return i;
	return 0; /* not reached: every VM was collected */
}

struct row_key {
	size_t vm;
	struct entry_key e;
};

static int cmp_row_key(const void *pa, const void *pb)
{
	const struct row_key *a = pa, *b = pb;

	if (a->vm != b->vm)
		return cmp_u64(a->vm, b->vm);
	if (a->e.seg != b->e.seg)
		return cmp_u64(a->e.seg, b->e.seg);
	if (a->e.kvmfd != b->e.kvmfd)
		return cmp_u64(a->e.kvmfd, b->e.kvmfd);
	if (a->e.gen != b->e.gen)
		return cmp_u64(a->e.gen, b->e.gen);
	if (a->e.created_ns != b->e.created_ns)
		return cmp_u64(a->e.created_ns, b->e.created_ns);
	return cmp_u64(a->e.idx, b->e.idx);
}

static void widen(uint64_t *lo, uint64_t *hi, uint64_t ts)
{
	if (!ts)
		return; /* unknown */
	if (ts < *lo)
		*lo = ts;
	if (ts > *hi)
		*hi = ts;
}

static void view_span(const struct tdv_capture *c, struct tdv_capture_view *v)
{
	uint64_t lo = c->start_ns ? c->start_ns : UINT64_MAX, hi = c->end_ns;

	for (size_t i = 0; i < c->ntimelines; i++) {
		const struct tdv_timeline *t = &c->timelines[i];

		widen(&lo, &hi, t->created_ns);
		widen(&lo, &hi, t->released_ns);
		for (unsigned int j = 0; j < t->npoints; j++)
			widen(&lo, &hi, t->points[j].ts_ns);
	}
	for (size_t i = 0; i < c->nreports; i++)
		widen(&lo, &hi, c->reports[i].ts_ns);
	if (lo == UINT64_MAX)
		lo = hi;
	v->start_ns = lo;
	v->end_ns = hi;
}

/* Collect the VMs, ordered; @entry_of[i]: the timeline of report i or -1. */
static int view_vms(const struct tdv_capture *c, struct tdv_capture_view *v, const long *entry_of)
{
	size_t n = 0, nseen = c->ntimelines + c->nreports;
	struct vm_seen *seen = calloc(nseen ? nseen : 1, sizeof(*seen));

	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < c->ntimelines; i++) {
		const struct tdv_timeline *t = &c->timelines[i];

		seen[n++] = (struct vm_seen){ .vm = t->vm,
					      .ts_ns = t->created_ns,
					      .entry = true,
					      .tgid = t->owner_tgid,
					      .comm = t->owner_comm };
	}
	for (size_t i = 0; i < c->nreports; i++) {
		const struct tdv_report *r = &c->reports[i];

		seen[n++] = (struct vm_seen){
			.vm = entry_of[i] >= 0 ? c->timelines[entry_of[i]].vm : r->vm,
			.ts_ns = r->ts_ns,
			.tgid = r->owner_tgid,
			.comm = r->owner_comm,
		};
	}
	qsort(seen, n, sizeof(*seen), cmp_vm_seen);
	v->vms = calloc(n ? n : 1, sizeof(*v->vms));
	if (!v->vms) {
		free(seen);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct tdv_capture_vm *vm = v->nvms ? &v->vms[v->nvms - 1] : NULL;

		if (!vm || vm->vm != seen[i].vm) {
			vm = &v->vms[v->nvms++];
			vm->vm = seen[i].vm;
			vm->first_ns = UINT64_MAX;
		}
		if (seen[i].ts_ns && seen[i].ts_ns < vm->first_ns)
			vm->first_ns = seen[i].ts_ns;
		if (!vm->owner_tgid && seen[i].tgid) {
			vm->owner_tgid = seen[i].tgid;
			memcpy(vm->owner_comm, seen[i].comm, sizeof(vm->owner_comm));
		}
	}
	free(seen);
	qsort(v->vms, v->nvms, sizeof(*v->vms), cmp_vm);
	return 0;
}

static int view_rows(const struct tdv_capture *c, struct tdv_capture_view *v,
		     const struct entry_key *keys, size_t *row_of)
{
	size_t n = c->ntimelines;
	struct row_key *rk = calloc(n ? n : 1, sizeof(*rk));

	if (!rk)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		rk[i].e = keys[i];
		rk[i].vm = vm_index(v, c->timelines[keys[i].idx].vm);
	}
	qsort(rk, n, sizeof(*rk), cmp_row_key);
	for (size_t i = 0; i < n; i++) {
		struct tdv_capture_vm *vm = &v->vms[rk[i].vm];

		v->rows[i] = &c->timelines[rk[i].e.idx];
		v->row_vm[i] = rk[i].vm;
		row_of[rk[i].e.idx] = i;
		if (!vm->nrows)
			vm->first_row = i;
		vm->nrows++;
	}
	free(rk);
	return 0;
}

/* Each row's start and end (see tdv_capture_view.row_start). */
static void view_lives(const struct tdv_capture *c, struct tdv_capture_view *v,
		       const struct entry_key *keys, const size_t *row_of)
{
	for (size_t k = 0; k < c->ntimelines; k++) {
		const struct tdv_timeline *t = &c->timelines[keys[k].idx];
		size_t row = row_of[keys[k].idx];
		uint64_t start = t->created_ns, end = t->released_ns;

		if (!start)
			start = t->npoints ? t->points[0].ts_ns : v->start_ns;
		if (!end && k + 1 < c->ntimelines && keys[k + 1].seg == t->seg &&
		    keys[k + 1].kvmfd == t->kvmfd && keys[k + 1].created_ns)
			end = keys[k + 1].created_ns;
		if (!end) {
			end = v->end_ns;
			v->row_live[row] = true;
		}
		if (t->npoints && end < t->points[t->npoints - 1].ts_ns)
			end = t->points[t->npoints - 1].ts_ns;
		if (end < start)
			end = start;
		v->row_start[row] = start;
		v->row_end[row] = end;
	}
}

int tdv_capture_view(const struct tdv_capture *c, struct tdv_capture_view *v)
{
	size_t nt = c->ntimelines ? c->ntimelines : 1, nr = c->nreports ? c->nreports : 1;
	struct entry_key *keys = calloc(nt, sizeof(*keys));
	long *entry_of = calloc(nr, sizeof(*entry_of));
	size_t *row_of = calloc(nt, sizeof(*row_of));
	int err = -ENOMEM;

	memset(v, 0, sizeof(*v));
	v->rows = calloc(nt, sizeof(*v->rows));
	v->row_vm = calloc(nt, sizeof(*v->row_vm));
	v->row_start = calloc(nt, sizeof(*v->row_start));
	v->row_end = calloc(nt, sizeof(*v->row_end));
	v->row_live = calloc(nt, sizeof(*v->row_live));
	v->report_row = calloc(nr, sizeof(*v->report_row));
	v->report_vm = calloc(nr, sizeof(*v->report_vm));
	if (!keys || !entry_of || !row_of || !v->rows || !v->row_vm || !v->row_start ||
	    !v->row_end || !v->row_live || !v->report_row || !v->report_vm)
		goto out;
	view_span(c, v);
	for (size_t i = 0; i < c->ntimelines; i++) {
		const struct tdv_timeline *t = &c->timelines[i];

		keys[i] = (struct entry_key){ .seg = t->seg,
					      .kvmfd = t->kvmfd,
					      .gen = t->gen,
					      .created_ns = t->created_ns,
					      .idx = i };
	}
	qsort(keys, c->ntimelines, sizeof(*keys), cmp_entry_key);
	for (size_t i = 0; i < c->nreports; i++)
		entry_of[i] = report_entry(keys, c->ntimelines, &c->reports[i]);
	err = view_vms(c, v, entry_of);
	if (err)
		goto out;
	v->nrows = c->ntimelines;
	err = view_rows(c, v, keys, row_of);
	if (err)
		goto out;
	view_lives(c, v, keys, row_of);
	for (size_t i = 0; i < c->nreports; i++) {
		v->report_row[i] = entry_of[i] >= 0 ? (long)row_of[entry_of[i]] : -1;
		v->report_vm[i] = entry_of[i] >= 0 ? v->row_vm[v->report_row[i]]
						   : vm_index(v, c->reports[i].vm);
		v->vms[v->report_vm[i]].nreports++;
	}
out:
	free(keys);
	free(entry_of);
	free(row_of);
	if (err)
		tdv_capture_view_free(v);
	return err;
}

void tdv_capture_view_free(struct tdv_capture_view *v)
{
	free(v->vms);
	free(v->rows);
	free(v->row_vm);
	free(v->row_start);
	free(v->row_end);
	free(v->row_live);
	free(v->report_row);
	free(v->report_vm);
	memset(v, 0, sizeof(*v));
}
