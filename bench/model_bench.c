// SPDX-License-Identifier: GPL-2.0
/*
 * model_bench: userspace throughput of tdvtrace's pipeline. A synthetic
 * stream of raw struct tdv_event records, shaped like the simulator's
 * traces (VMMs creating VMs with 1-3 vIOMMUs over two segments, tearing
 * them down in random order), goes through tdv_feed_event (decode ->
 * reorder -> state model -> detectors) exactly as ring-buffer records do,
 * with a tick every TICK_EVERY events as the poll loop gives.
 *
 *   model_bench [--events N] [--seed S]
 *
 * Prints one JSON line: events, seconds spent feeding, events per second,
 * reports (0: the stream is clean, as it should be), peak RSS. Only
 * feed_batch() is timed; callgrind can count it alone with
 *   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=feed_batch
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "feed.h"
#include "model.h"

#define BATCH 4096
#define TICK_EVERY 1024
#define VMMS 4
#define SLOTS 3	      /* VMs alive at once per VMM */
#define MAX_VIOMMUS 3 /* per VM */
#define SEGS 2
#define GRACE_NS 500000000ULL

static const uint16_t iommus[2] = { 0x0002, 0x0042 }; /* per segment, as tdvsim */

struct viommu {
	uint16_t seg, iommu, gid, trans_devid;
};

/* One VM slot of a VMM: empty, growing vIOMMUs, or tearing them down. */
struct vm {
	bool alive;
	uint32_t kvmfd;
	uint64_t vm;
	unsigned int want, n; /* vIOMMUs planned, live */
	bool tearing;
	struct viommu v[MAX_VIOMMUS];
};

/* The kernel's side: entries per (seg, kvmfd), id pools, gids. */
struct entry {
	uint32_t refs, gen;
	uint16_t trans_devid;
};

static struct {
	struct vm vms[VMMS][SLOTS];
	struct entry entries[SEGS][VMMS * SLOTS];
	bool used[SEGS][65536];
	uint16_t next_gid[SEGS][2];
	uint64_t ts, next_vm;
	uint64_t rng;
	uint64_t free_vms[VMMS * SLOTS]; /* struct kvm addresses, reused as slab does */
	unsigned int nfree;
} k;

static struct tdv_event batch[BATCH + 64];
static unsigned int nbatch;

static uint32_t rnd(uint32_t n)
{
	k.rng ^= k.rng << 13;
	k.rng ^= k.rng >> 7;
	k.rng ^= k.rng << 17;
	return (uint32_t)(k.rng % n);
}

static struct tdv_event *ev(uint32_t kind, unsigned int p, uint32_t fields)
{
	struct tdv_event *e = &batch[nbatch++];

	memset(e, 0, sizeof(*e));
	k.ts += 500 + rnd(3000);
	e->ts_ns = k.ts;
	e->kind = kind;
	e->fields = fields;
	e->cpu = p & 1;
	e->pid = e->tgid = 1000 + p;
	snprintf(e->comm, sizeof(e->comm), "qemu-vmm-%u", p);
	return e;
}

#define F_ENT (TDV_F_SEG | TDV_F_KVMFD | TDV_F_TRANS_DEVID | TDV_F_GEN)

/* Entry fields of an event about (seg, kvmfd) of VM @m. */
static void ent(struct tdv_event *e, const struct viommu *v, const struct vm *m,
		const struct entry *en)
{
	e->seg = v->seg;
	e->kvmfd = m->kvmfd;
	e->trans_devid = en->trans_devid;
	e->gen = en->gen;
}

/* amd_iommufd_viommu_init as the patch runs it (get, DTE, VF control). */
static void viommu_create(unsigned int p, struct vm *m)
{
	struct viommu *v = &m->v[m->n++];
	unsigned int side = rnd(2);
	struct entry *en;
	struct tdv_event *e;

	v->seg = rnd(SEGS);
	v->iommu = iommus[side];
	v->gid = k.next_gid[v->seg][side] = k.next_gid[v->seg][side] % 0xfffe + 1;
	en = &k.entries[v->seg][m->kvmfd - 4];
	if (!en->refs) {
		unsigned int id = 0xffff;

		while (k.used[v->seg][id])
			id--; /* the allocator scans down from 0xffff */
		k.used[v->seg][id] = true;
		en->trans_devid = id;
		en->gen++;
		e = ev(TDV_EV_ID_ALLOC, p, F_ENT | TDV_F_RET | TDV_F_LAT);
		ent(e, v, m, en);
		e->ret = id;
		e->lat_ns = 2000 + rnd(5000);
	}
	en->refs++;
	v->trans_devid = en->trans_devid;
	e = ev(TDV_EV_GET, p, F_ENT | TDV_F_VM | TDV_F_REFS | TDV_F_RET | TDV_F_LAT);
	ent(e, v, m, en);
	e->vm = m->vm;
	e->refs = en->refs;
	e->lat_ns = 1000 + rnd(10000);
	if (en->refs == 1)
		e->fields |= TDV_F_NEW;
	e = ev(TDV_EV_DTE_SET, p, F_ENT | TDV_F_VM | TDV_F_GID | TDV_F_IOMMU);
	ent(e, v, m, en);
	e->vm = m->vm, e->gid = v->gid, e->iommu = v->iommu;
	e = ev(TDV_EV_VFCTRL, p, F_ENT | TDV_F_VM | TDV_F_GID | TDV_F_IOMMU);
	ent(e, v, m, en);
	e->vm = m->vm, e->gid = v->gid, e->iommu = v->iommu;
	e = ev(TDV_EV_VIOMMU_INIT, p,
	       F_ENT | TDV_F_VM | TDV_F_GID | TDV_F_IOMMU | TDV_F_RET | TDV_F_LAT);
	ent(e, v, m, en);
	e->vm = m->vm, e->gid = v->gid, e->iommu = v->iommu;
	e->lat_ns = 20000 + rnd(100000);
}

/*
 * amd_iommufd_viommu_destroy of a random vIOMMU, as the corrected driver
 * runs it (the DTE is cleared with the last ref), so the stream is clean.
 */
static void viommu_destroy(unsigned int p, struct vm *m)
{
	unsigned int i = rnd(m->n);
	struct viommu v = m->v[i];
	struct entry *en = &k.entries[v.seg][m->kvmfd - 4];
	struct tdv_event *e;

	m->v[i] = m->v[--m->n];
	e = ev(TDV_EV_VIOMMU_UNINIT, p, F_ENT | TDV_F_GID | TDV_F_IOMMU);
	ent(e, &v, m, en);
	e->gid = v.gid, e->iommu = v.iommu;
	e = ev(TDV_EV_VFCTRL, p, TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_GID | TDV_F_IOMMU);
	e->seg = v.seg, e->gid = v.gid, e->iommu = v.iommu;
	if (en->refs == 1) {
		e = ev(TDV_EV_DTE_CLEAR, p,
		       F_ENT | TDV_F_VM | TDV_F_REFS | TDV_F_GID | TDV_F_IOMMU);
		ent(e, &v, m, en);
		e->vm = m->vm, e->refs = 1, e->gid = v.gid, e->iommu = v.iommu;
		e = ev(TDV_EV_ID_FREE, p, F_ENT);
		ent(e, &v, m, en);
		k.used[v.seg][en->trans_devid] = false;
	}
	en->refs--;
	e = ev(TDV_EV_PUT, p, F_ENT | TDV_F_VM | TDV_F_REFS | TDV_F_LAT);
	ent(e, &v, m, en);
	e->vm = m->vm, e->refs = en->refs, e->lat_ns = 1000 + rnd(8000);
	e = ev(TDV_EV_VIOMMU_DESTROY, p, F_ENT | TDV_F_REFS | TDV_F_GID | TDV_F_IOMMU | TDV_F_LAT);
	ent(e, &v, m, en);
	e->refs = en->refs, e->gid = v.gid, e->iommu = v.iommu;
	e->lat_ns = 10000 + rnd(50000);
}

/* One operation of a random VMM on a random VM slot. */
static void step(void)
{
	unsigned int p = rnd(VMMS), s = rnd(SLOTS);
	struct vm *m = &k.vms[p][s];

	if (!m->alive) {
		/* Distinct fd numbers per VMM: a clean stream has no alias. */
		m->alive = true;
		m->kvmfd = 4 + p * SLOTS + s;
		m->vm = k.nfree ? k.free_vms[--k.nfree]
				: 0xffff888100000000ULL + (++k.next_vm << 12);
		m->want = 1 + rnd(MAX_VIOMMUS);
		m->n = 0;
		m->tearing = false;
	} else if (!m->tearing && m->n < m->want) {
		viommu_create(p, m);
		m->tearing = m->n == m->want;
	} else if (m->n) {
		viommu_destroy(p, m);
	} else {
		ev(TDV_EV_VM_DESTROY, p, TDV_F_VM)->vm = m->vm;
		k.free_vms[k.nfree++] = m->vm;
		m->alive = false;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The timed part: the records through the feed, ticking as the loop does;
 * after the @last batch, the end of the stream (what the reorder window
 * still holds goes through the model too).
 */
__attribute__((noinline)) void feed_batch(struct tdv_feed *f, unsigned int n, bool last)
{
	for (unsigned int i = 0; i < n; i++) {
		tdv_feed_event(f, &batch[i], sizeof(batch[i]));
		if (!((f->events) % TICK_EVERY))
			tdv_feed_tick(f, batch[i].ts_ns, 0);
	}
	if (last)
		tdv_feed_finish(f, k.ts + 2 * GRACE_NS, false);
}

static void count_report(void *ctx, const struct tdv_report *r)
{
	(*(uint64_t *)ctx)++;
}

int main(int argc, char **argv)
{
	uint64_t total = 10000000, fed = 0, reports = 0;
	struct tdv_model_stats st;
	struct tdv_model *model;
	struct tdv_feed feed;
	struct rusage ru;
	double secs = 0;

	k.rng = 42;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--events") && i + 1 < argc)
			total = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			k.rng = strtoull(argv[++i], NULL, 0) | 1;
		else {
			fprintf(stderr, "usage: model_bench [--events N] [--seed S]\n");
			return 2;
		}
	}
	model = tdv_model_new(GRACE_NS, count_report, &reports);
	if (!model) {
		fprintf(stderr, "model_bench: out of memory\n");
		return 1;
	}
	tdv_feed_init(&feed, model);
	k.ts = 1000000000ULL;
	while (fed < total) {
		double t0;

		nbatch = 0;
		while (nbatch < BATCH)
			step(); /* at most 6 events a step: batch has room */
		if (nbatch > total - fed)
			nbatch = total - fed;
		t0 = now_s();
		feed_batch(&feed, nbatch, fed + nbatch == total);
		secs += now_s() - t0;
		fed += nbatch;
	}
	tdv_model_stats(model, &st);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"events\":%llu,\"seconds\":%.3f,\"events_per_s\":%.0f,\"reports\":%llu,"
	       "\"bad\":%llu,\"live_entries\":%llu,\"maxrss_kb\":%ld}\n",
	       (unsigned long long)fed, secs, fed / secs, (unsigned long long)reports,
	       (unsigned long long)feed.bad, (unsigned long long)st.live_entries, ru.ru_maxrss);
	tdv_feed_free(&feed);
	tdv_model_free(model);
	return 0;
}
