// SPDX-License-Identifier: GPL-2.0
/*
 * tdvtrace hist: latency histograms aggregated in the kernel.
 *
 * No event leaves the kernel: each return adds one to a per-CPU log2 bucket
 * keyed by function, segment and variant (get's outcome, id_alloc's pool
 * occupancy), and userspace sums the CPUs when it prints. Like
 * tdvtrace.bpf.c, every probe has a fentry/fexit and a kprobe/kretprobe
 * flavour calling one handler, generated from the "hist" column of
 * TDV_PROBES; the loader keeps the pair that fits.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tdvtrace.h"
#include "amd_iommu.bpf.h"
#include "probe_pairs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 filter_tgid;     /* 0: every process */
const volatile __s32 filter_seg = -1; /* -1: every segment */
const volatile __u64 unit_ns = 1000;  /* bucket unit: 1, 1000 or 1000000 */
const volatile bool have_id_alloc;    /* trans_devid_alloc is traced */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tdv_hist_key);
	__type(value, struct tdv_hist_val);
} hists SEC(".maps");

/* A call in flight: when it began and what its return needs to know. */
struct start {
	__u64 ts;
	__u16 seg;
	bool allocated; /* get: trans_devid_alloc succeeded inside it */
	void *pci_seg;	/* get: for the refs fallback */
	__u32 kvmfd;
};

/* As tdvtrace.bpf.c's calls: LRU, a finished call marked by ts 0. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct start);
} starts SEC(".maps");

static const struct tdv_hist_val zero;

/* One per thread and function: calls nest (get -> trans_devid_alloc). */
static __always_inline __u64 start_key(__u32 func)
{
	return bpf_get_current_pid_tgid() << 8 | func;
}

static __always_inline bool wanted(__u16 seg)
{
	if (filter_tgid && bpf_get_current_pid_tgid() >> 32 != filter_tgid)
		return false;
	return filter_seg < 0 || seg == filter_seg;
}

static __always_inline void begin(__u32 func, __u16 seg, void *pci_seg, __u32 kvmfd)
{
	__u64 key = start_key(func);
	struct start s = { .seg = seg, .pci_seg = pci_seg, .kvmfd = kvmfd };

	if (!wanted(seg))
		return;
	s.ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &key, &s, BPF_ANY);
}

static __always_inline void add(__u32 func, __u32 variant, __u16 seg, __u64 lat_ns)
{
	struct tdv_hist_key key = { .func = func, .variant = variant, .seg = seg };
	struct tdv_hist_val *h = bpf_map_lookup_elem(&hists, &key);

	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return;
	}
	/* Per-CPU values: this CPU's copy, no atomics needed. */
	h->slots[tdv_hist_slot(lat_ns / unit_ns)]++;
	h->count++;
	h->sum_ns += lat_ns;
}

/*
 * Copy out the call that began on this thread and mark its slot finished;
 * false if there is none (filtered, or begun before we attached).
 */
static __always_inline bool finish(__u32 func, struct start *out)
{
	__u64 key = start_key(func);
	struct start *s = bpf_map_lookup_elem(&starts, &key);

	if (!s || !s->ts)
		return false;
	*out = *s;
	s->ts = 0;
	return true;
}

static __always_inline int enter(__u32 func, __u16 seg)
{
	begin(func, seg, NULL, 0);
	return 0;
}

static __always_inline int leave(__u32 func, __u32 variant)
{
	struct start s;

	if (finish(func, &s))
		add(func, variant, s.seg, bpf_ktime_get_ns() - s.ts);
	return 0;
}

/* ---- handlers, one pair per "CALL" in the hist column ------------------- */

#define VIOMMU_SEG(viommu) seg_id(BPF_CORE_READ(iommu_of_viommu(viommu), pci_seg))
#define IOMMU_SEG(iommu) seg_id(BPF_CORE_READ((struct amd_iommu___tdv *)(iommu), pci_seg))

static __always_inline int get_entry(void *ctx, void *seg, u32 kvmfd, u16 *out)
{
	begin(TDV_H_GET, seg_id(seg), seg, kvmfd);
	return 0;
}

static __always_inline int get_exit(void *ctx, int ret)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 outcome = TDV_H_SHARED;
	struct start s;

	if (!finish(TDV_H_GET, &s))
		return 0;
	if (ret)
		outcome = TDV_H_FAILED;
	else if (tdv_get_created(ret, have_id_alloc, s.allocated,
				 entry_refs(kvmfd_entry(s.pci_seg, s.kvmfd))))
		outcome = TDV_H_NEW;
	add(TDV_H_GET, outcome, s.seg, now - s.ts);
	return 0;
}

static __always_inline int put_entry(void *ctx, void *seg, u32 kvmfd)
{
	return enter(TDV_H_PUT, seg_id(seg));
}

static __always_inline int put_exit(void *ctx)
{
	return leave(TDV_H_PUT, 0);
}

static __always_inline int id_alloc_entry(void *ctx, void *seg)
{
	return enter(TDV_H_ID_ALLOC, seg_id(seg));
}

static __always_inline int id_alloc_exit(void *ctx, int ret)
{
	__u64 now = bpf_ktime_get_ns(), get_key = start_key(TDV_H_GET);
	struct start s, *get;

	if (!finish(TDV_H_ID_ALLOC, &s))
		return 0;
	add(TDV_H_ID_ALLOC, tdv_hist_occupancy(ret), s.seg, now - s.ts);
	get = bpf_map_lookup_elem(&starts, &get_key);
	if (get && ret >= 0)
		get->allocated = true;
	return 0;
}

static __always_inline int viommu_init_entry(void *ctx, void *viommu, void *parent, void *data)
{
	return enter(TDV_H_VIOMMU_INIT, VIOMMU_SEG(viommu));
}

static __always_inline int viommu_init_exit(void *ctx, int ret)
{
	return leave(TDV_H_VIOMMU_INIT, 0);
}

static __always_inline int viommu_destroy_entry(void *ctx, void *viommu)
{
	return enter(TDV_H_VIOMMU_DESTROY, VIOMMU_SEG(viommu));
}

static __always_inline int viommu_destroy_exit(void *ctx)
{
	return leave(TDV_H_VIOMMU_DESTROY, 0);
}

static __always_inline int dte_set_entry(void *ctx, void *iommu, u16 gid, void *pdom, u16 devid)
{
	return enter(TDV_H_DTE_SET, IOMMU_SEG(iommu));
}

static __always_inline int dte_set_exit(void *ctx)
{
	return leave(TDV_H_DTE_SET, 0);
}

static __always_inline int dte_clear_entry(void *ctx, void *iommu, u16 gid, u16 devid)
{
	return enter(TDV_H_DTE_CLEAR, IOMMU_SEG(iommu));
}

static __always_inline int dte_clear_exit(void *ctx)
{
	return leave(TDV_H_DTE_CLEAR, 0);
}

/* ---- programs ------------------------------------------------------------ */

#define HIST_PROGRAMS(KIND, name, sym, flags, events, hist, ret, params, args)                     \
	TDV_PROGRAMS_##hist(name, sym, ret, params, args)

TDV_PROBES(HIST_PROGRAMS)

/* Every histogram function has its row. */
#define HIST_COUNT_NONE 0
#define HIST_COUNT_CALL 1
#define HIST_COUNT(KIND, name, sym, flags, events, hist, ...) +HIST_COUNT_##hist
_Static_assert(0 TDV_PROBES(HIST_COUNT) == TDV_H_FUNCS,
	       "hist column and enum tdv_hist_func differ");
