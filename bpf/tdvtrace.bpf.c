// SPDX-License-Identifier: GPL-2.0
/*
 * tdvtrace: trace the AMD vIOMMU translate-device-id allocator.
 *
 * Each traced function has up to four programs (fentry, fexit, kprobe,
 * kretprobe), generated from the "events" column of TDV_PROBES; the loader
 * keeps the pair that fits the kernel and disables the other. Both pairs
 * call the same EVENT_entry() / EVENT_exit() handlers, so the two modes emit
 * the same events.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tdvtrace.h"
#include "amd_iommu.bpf.h"
#include "xarray.bpf.h"
#include "kvm_file.bpf.h"
#include "probe_pairs.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* errno values bpf_get_stackid() returns when it could not save a stack */
#define E2BIG 7
#define ENOMEM 12
#define EEXIST 17

/* Set by the loader before load. */
const volatile __u32 filter_tgid;	/* 0: every process */
const volatile __s32 filter_seg = -1;	/* -1: every segment */
const volatile __s64 filter_kvmfd = -1; /* -1: every kvmfd */
const volatile __u64 wakeup_bytes;	/* wake the reader past this */
const volatile bool want_stacks;	/* --stacks: stacks of each get */

/*
 * Set by the loader once trans_devid_alloc is attached and takes every call
 * (no compiler clone beside it): a get that begins after this sees its
 * allocation as an id_alloc. Until then, or without it, a get's outcome
 * tells (tdv_get_created).
 */
bool id_alloc_traced;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* Sized by the loader: 1 entry unless --stacks. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__uint(value_size, TDV_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

#include "ustack_copy.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TDV_EV_MAX);
	__type(key, __u32);
	__type(value, struct tdv_counters);
} counters SEC(".maps");

/* In-flight calls: arguments saved at entry for the return probe. */
struct call_key {
	__u32 tid;
	__u32 kind;
};

struct call_val {
	__u64 ts;
	__u64 arg[3];
	__u16 trans_devid; /* put: the entry's id before the put */
	bool existed;	   /* put: entry present at entry */
	bool allocated;	   /* get: trans_devid_alloc succeeded inside */
	bool alloc_traced; /* get: id_alloc_traced when it began */
	bool released;	   /* put: trans_devid_free ran inside */
	__u16 freed_id;	   /* put: the id it freed */
	__u32 gen;	   /* put: generation of the entry it found */
};

/*
 * LRU, and a finished call is marked (ts 0) rather than deleted: a store
 * is cheaper than a delete, and the slots of threads that exit age out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct call_key);
	__type(value, struct call_val);
} calls SEC(".maps");

/* Puts in flight per (seg, kvmfd): alone, a put owns what changes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u32);
} puts_inflight SEC(".maps");

/*
 * Generation of each (seg, kvmfd): +1 each time its entry is created. LRU:
 * where kvmfd is not a reused fd number (a kernel keying entries by VM) the
 * keys never repeat, and the idlest ones must make room; every get and put
 * touches its own, so a live entry keeps it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tdv_entry_key);
	__type(value, struct tdv_entry_val);
} gens SEC(".maps");

/* Live trans_devids: who owns them, for the DTE / VF control events. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tdv_owner_key);
	__type(value, struct tdv_owner_val);
} owners SEC(".maps");

/* Processes that took a trans_devid reference: their exit is an event. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} vmm_tgids SEC(".maps");

/* Only losses are counted here: userspace counts what arrives. */
#define count_loss(kind, field)                                                                    \
	do {                                                                                       \
		__u32 __k = (kind);                                                                \
		struct tdv_counters *__c = bpf_map_lookup_elem(&counters, &__k);                   \
                                                                                                   \
		if (__c)                                                                           \
			__c->field++;                                                              \
	} while (0)

/* A map update that failed lost what it saved: count it by why. */
#define update_or_count(map, key, val, flags, kind, field)                                         \
	do {                                                                                       \
		if (bpf_map_update_elem(map, key, val, flags))                                     \
			count_loss(kind, field);                                                   \
	} while (0)

/* Wake the reader only when a batch is queued; it also polls on a timer. */
static __always_inline __u64 wakeup_flag(void)
{
	if (!wakeup_bytes)
		return 0;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void emit(struct tdv_event *e)
{
	if (!tdv_filter_pass(filter_tgid, filter_seg, filter_kvmfd, e))
		return;
	if (bpf_ringbuf_output(&events, e, sizeof(*e), wakeup_flag()))
		count_loss(e->kind, drops);
}

static __always_inline void event_init(struct tdv_event *e, __u32 kind)
{
	__u64 id = bpf_get_current_pid_tgid();

	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* Save a call's arguments (and what its entry saw) for its return. */
static __always_inline void call_save(__u32 kind, struct call_val *val)
{
	struct call_key key = { .tid = (__u32)bpf_get_current_pid_tgid(), .kind = kind };

	val->ts = bpf_ktime_get_ns();
	update_or_count(&calls, &key, val, BPF_ANY, kind, calls_full);
}

static __always_inline void call_start(__u32 kind, __u64 a0, __u64 a1, __u64 a2)
{
	struct call_val val = { .arg = { a0, a1, a2 } };

	call_save(kind, &val);
}

/* The call of this kind in flight on this thread, or NULL. */
static __always_inline struct call_val *call_find(__u32 kind)
{
	struct call_key key = { .tid = (__u32)bpf_get_current_pid_tgid(), .kind = kind };
	struct call_val *c = bpf_map_lookup_elem(&calls, &key);

	return c && c->ts ? c : NULL;
}

/* At a return: its call, or NULL counted as a loss (its entry was lost). */
static __always_inline struct call_val *call_returning(__u32 kind)
{
	struct call_val *c = call_find(kind);

	if (!c)
		count_loss(kind, no_entry);
	return c;
}

static __always_inline void call_end(struct call_val *c)
{
	c->ts = 0;
}

/*
 * The VM behind kvmfd in the caller's fd table: file->private_data of a
 * "kvm-vm" anon-inode file, the struct kvm. 0 when fd is not a VM.
 */
static __always_inline __u64 vm_of_fd(__u32 fd)
{
	/* BTF pointers: plain loads the verifier guards, no helper per hop */
	struct task_struct *task = bpf_get_current_task_btf();
	struct files_struct *files = task->files;
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = NULL;

	if (!files)
		return 0;
	fdt = files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return 0;
	fds = fdt->fd;
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	if (!f || !tdv_is_vm_file(f))
		return 0;
	return (__u64)BPF_CORE_READ(f, private_data);
}

static __always_inline void set_owner(struct tdv_event *e)
{
	struct tdv_owner_key key = { .seg = e->seg, .trans_devid = e->trans_devid };
	struct tdv_owner_val *o = bpf_map_lookup_elem(&owners, &key);

	if (!o)
		return;
	e->kvmfd = o->kvmfd;
	e->gen = o->gen;
	e->vm = o->vm;
	e->fields |= TDV_F_KVMFD | TDV_F_GEN | TDV_F_VM;
}

static __always_inline void set_iommu(struct tdv_event *e, struct amd_iommu___tdv *iommu)
{
	e->seg = seg_id(BPF_CORE_READ(iommu, pci_seg));
	e->iommu = BPF_CORE_READ_BITFIELD_PROBED(iommu, devid);
	e->fields |= TDV_F_SEG | TDV_F_IOMMU;
}

static __always_inline struct amd_iommu_viommu___tdv *
aviommu_of(struct iommufd_viommu___tdv *viommu)
{
	return (void *)viommu - bpf_core_field_offset(struct amd_iommu_viommu___tdv, core);
}

/* The kvmfd, gid and trans_devid a vIOMMU carries once initialised. */
static __always_inline void set_aviommu(struct tdv_event *e, struct amd_iommu_viommu___tdv *av)
{
	struct tdv_entry_key key;
	struct tdv_entry_val *g;

	e->kvmfd = BPF_CORE_READ_BITFIELD_PROBED(av, kvmfd);
	e->gid = BPF_CORE_READ_BITFIELD_PROBED(av, gid);
	e->trans_devid = BPF_CORE_READ_BITFIELD_PROBED(av, trans_devid);
	e->fields |= TDV_F_KVMFD | TDV_F_GID | TDV_F_TRANS_DEVID;
	key.seg = e->seg;
	key.kvmfd = e->kvmfd;
	g = bpf_map_lookup_elem(&gens, &key);
	if (g) {
		e->gen = g->gen;
		e->fields |= TDV_F_GEN;
	}
}

/* ---- get / put ---------------------------------------------------------- */

static __always_inline int get_entry(void *ctx, void *seg, u32 kvmfd, u16 *out)
{
	struct call_val val = { .arg = { (__u64)seg, kvmfd, (__u64)out },
				.alloc_traced = id_alloc_traced };

	call_save(TDV_EV_GET, &val);
	return 0;
}

static __always_inline int get_exit(void *ctx, int ret)
{
	struct call_val *c = call_returning(TDV_EV_GET);
	struct amd_iommu_pci_seg___tdv *seg;
	struct tdv_entry_key key;
	struct tdv_entry_val *g, fresh = {};
	struct tdv_event e;
	bool created;

	if (!c)
		return 0;
	event_init(&e, TDV_EV_GET);
	seg = (void *)c->arg[0];
	e.seg = seg_id(seg);
	e.kvmfd = c->arg[1];
	e.ret = ret;
	e.lat_ns = e.ts_ns - c->ts;
	e.vm = vm_of_fd(e.kvmfd);
	e.refs = entry_refs(kvmfd_entry(seg, e.kvmfd));
	e.fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_RET | TDV_F_LAT | TDV_F_REFS | TDV_F_VM;
	if (want_stacks) {
		/* Who took the ref: the kernel path and the VMM's own code. */
		e.kstack = bpf_get_stackid(ctx, &stacks, 0);
		e.ustack = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
		copy_user_stack(e.tgid, e.ustack);
		e.fields |= TDV_F_STACKS;
		/* -EFAULT is no user stack (a kernel thread): not a loss */
		if (e.kstack == -E2BIG || e.kstack == -ENOMEM || e.kstack == -EEXIST ||
		    e.ustack == -E2BIG || e.ustack == -ENOMEM || e.ustack == -EEXIST)
			count_loss(TDV_EV_GET, stacks_lost);
	}
	created = tdv_get_created(ret, c->alloc_traced, c->allocated, e.refs);
	if (!ret) {
		bpf_probe_read_kernel(&e.trans_devid, sizeof(e.trans_devid), (void *)c->arg[2]);
		e.fields |= TDV_F_TRANS_DEVID;
	}
	call_end(c);
	/* A later put on another CPU may already have dropped what we took. */
	if (!ret && !e.refs)
		e.refs = 1;
	key.seg = e.seg;
	key.kvmfd = e.kvmfd;
	g = bpf_map_lookup_elem(&gens, &key);
	if (created) {
		struct tdv_owner_key ok = { .seg = e.seg, .trans_devid = e.trans_devid };
		struct tdv_owner_val ov;
		__u8 one = 1;

		fresh.gen = g ? g->gen + 1 : 1;
		fresh.trans_devid = e.trans_devid;
		fresh.vm = e.vm;
		update_or_count(&gens, &key, &fresh, BPF_ANY, TDV_EV_GET, gens_full);
		ov.kvmfd = e.kvmfd;
		ov.gen = fresh.gen;
		ov.vm = e.vm;
		update_or_count(&owners, &ok, &ov, BPF_ANY, TDV_EV_GET, owners_full);
		update_or_count(&vmm_tgids, &e.tgid, &one, BPF_ANY, TDV_EV_GET, tgids_full);
		e.gen = fresh.gen;
		e.fields |= TDV_F_GEN | TDV_F_NEW;
	} else if (g) {
		e.gen = g->gen;
		e.fields |= TDV_F_GEN;
	}
	emit(&e);
	return 0;
}

static __always_inline __u64 inflight_key(__u16 seg, __u32 kvmfd)
{
	return (__u64)seg << 32 | kvmfd;
}

static __always_inline int put_entry(void *ctx, void *seg, u32 kvmfd)
{
	struct amd_iommu_kvmfd_trans_entry___tdv *entry = kvmfd_entry(seg, kvmfd);
	struct call_val c = { .arg = { (__u64)seg, kvmfd, (__u64)entry }, .existed = !!entry };
	__u16 seg_nr = seg_id(seg);
	__u64 key = inflight_key(seg_nr, kvmfd);
	__u32 one = 1, *n;

	if (entry) {
		struct tdv_entry_key ek = { .seg = seg_nr, .kvmfd = kvmfd };
		struct tdv_entry_val *g = bpf_map_lookup_elem(&gens, &ek);

		c.trans_devid = BPF_CORE_READ_BITFIELD_PROBED(entry, trans_devid);
		c.gen = g ? g->gen : 0;
	}
	call_save(TDV_EV_PUT, &c);
	n = bpf_map_lookup_elem(&puts_inflight, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&puts_inflight, &key, &one, BPF_NOEXIST) &&
		 !bpf_map_lookup_elem(&puts_inflight, &key)) /* not a racing put's insert */
		count_loss(TDV_EV_PUT, inflight_full);
	return 0;
}

/*
 * Other VMMs can get and put the same (seg, kvmfd) concurrently (the alias
 * hazard), so what is read outside the driver's mutex can be stale. A put
 * released its entry when trans_devid_free ran inside it; or, where that is
 * not traced or was skipped, when the entry it found is gone and no other
 * put on that key was in flight to take it.
 */
static __always_inline int put_exit(void *ctx)
{
	struct call_val *c = call_returning(TDV_EV_PUT);
	struct amd_iommu_kvmfd_trans_entry___tdv *after;
	struct amd_iommu_pci_seg___tdv *seg;
	struct tdv_event e;
	__u32 *inflight;
	bool released;
	__u64 key;

	if (!c)
		return 0;
	event_init(&e, TDV_EV_PUT);
	seg = (void *)c->arg[0];
	e.seg = seg_id(seg);
	e.kvmfd = c->arg[1];
	e.lat_ns = e.ts_ns - c->ts;
	key = inflight_key(e.seg, e.kvmfd);
	inflight = bpf_map_lookup_elem(&puts_inflight, &key);
	after = kvmfd_entry(seg, e.kvmfd);
	e.refs = entry_refs(after);
	released = c->released ||
		   (c->existed && (__u64)after != c->arg[2] && inflight && *inflight == 1);
	if (inflight) {
		__sync_fetch_and_add(inflight, -1);
		if (!*inflight)
			bpf_map_delete_elem(&puts_inflight, &key);
	}
	e.fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_LAT | TDV_F_REFS;
	if (released) {
		e.refs = 0;
		e.trans_devid = c->released ? c->freed_id : c->trans_devid;
		/*
		 * Kernel state, not a traced call: trans_devid_free did not run
		 * here as a probed call (inlined, cloned or skipped), so read
		 * whether the id went back to trans_devid_xa. Only final puts
		 * pay for this walk.
		 */
		if (!c->released) {
			e.id_state = tdv_id_state(seg, e.trans_devid);
			e.fields |= TDV_F_ID_STATE;
		}
	} else if (c->existed) {
		/* It held a ref: the entry outlives this put. */
		if (!e.refs)
			e.refs = 1;
		e.trans_devid = c->trans_devid;
	}
	if (c->existed)
		e.fields |= TDV_F_TRANS_DEVID;
	if (c->existed && c->gen) { /* 0: its generation was not known */
		e.gen = c->gen;
		e.fields |= TDV_F_GEN;
	}
	e.vm = vm_of_fd(e.kvmfd);
	if (!e.vm && c->existed) {
		struct tdv_entry_key ek = { .seg = e.seg, .kvmfd = e.kvmfd };
		struct tdv_entry_val *g = bpf_map_lookup_elem(&gens, &ek);

		if (g)
			e.vm = g->vm; /* fd table already gone: process exit */
	}
	if (e.vm)
		e.fields |= TDV_F_VM;
	if (released) {
		struct tdv_owner_key ok = { .seg = e.seg, .trans_devid = e.trans_devid };

		bpf_map_delete_elem(&owners, &ok);
	}
	call_end(c);
	emit(&e);
	return 0;
}

/* ---- pool ------------------------------------------------------------- */

/* Pool operations run inside a get or put: borrow its kvmfd. */
static __always_inline void set_outer_kvmfd(struct tdv_event *e)
{
	struct call_val *c = call_find(TDV_EV_GET);

	if (!c)
		c = call_find(TDV_EV_PUT);
	if (c) {
		e->kvmfd = c->arg[1];
		e->fields |= TDV_F_KVMFD;
	}
}

static __always_inline int id_alloc_entry(void *ctx, void *seg)
{
	call_start(TDV_EV_ID_ALLOC, (__u64)seg, 0, 0);
	return 0;
}

static __always_inline int id_alloc_exit(void *ctx, int ret)
{
	struct call_val *c = call_returning(TDV_EV_ID_ALLOC), *outer;
	struct tdv_event e;

	if (!c)
		return 0;
	event_init(&e, TDV_EV_ID_ALLOC);
	e.seg = seg_id((void *)c->arg[0]);
	e.ret = ret;
	e.lat_ns = e.ts_ns - c->ts;
	e.fields = TDV_F_SEG | TDV_F_RET | TDV_F_LAT;
	if (ret >= 0) {
		e.trans_devid = ret;
		e.fields |= TDV_F_TRANS_DEVID;
	}
	call_end(c);
	outer = call_find(TDV_EV_GET);
	if (outer && ret >= 0)
		outer->allocated = true;
	set_outer_kvmfd(&e);
	emit(&e);
	return 0;
}

static __always_inline int id_free_entry(void *ctx, void *seg, u16 id)
{
	struct call_val *outer = call_find(TDV_EV_PUT);
	struct tdv_event e;

	if (outer) {
		outer->released = true;
		outer->freed_id = id;
	}
	event_init(&e, TDV_EV_ID_FREE);
	e.seg = seg_id(seg);
	e.trans_devid = id;
	e.fields = TDV_F_SEG | TDV_F_TRANS_DEVID;
	set_outer_kvmfd(&e);
	emit(&e);
	return 0;
}

static __always_inline int reserve_entry(void *ctx, void *seg, u16 id)
{
	call_start(TDV_EV_RESERVE, (__u64)seg, id, 0);
	return 0;
}

static __always_inline int reserve_exit(void *ctx, int ret)
{
	struct call_val *c = call_returning(TDV_EV_RESERVE);
	struct tdv_event e;

	if (!c)
		return 0;
	event_init(&e, TDV_EV_RESERVE);
	e.seg = seg_id((void *)c->arg[0]);
	e.trans_devid = c->arg[1];
	e.ret = ret;
	e.lat_ns = e.ts_ns - c->ts;
	e.fields = TDV_F_SEG | TDV_F_TRANS_DEVID | TDV_F_RET | TDV_F_LAT;
	call_end(c);
	set_owner(&e); /* on -EBUSY: the VM that holds the id */
	emit(&e);
	return 0;
}

/* ---- DTE and VF control ------------------------------------------------ */

static __always_inline int on_dte(__u32 kind, void *iommu, __u16 gid, __u16 devid)
{
	struct tdv_event e;

	event_init(&e, kind);
	set_iommu(&e, iommu);
	e.gid = gid;
	e.trans_devid = devid;
	e.fields |= TDV_F_GID | TDV_F_TRANS_DEVID;
	if (devid) /* VF control 0 means "no translate device id" */
		set_owner(&e);
	/* The kernel's refs as the DTE goes: are other vIOMMUs still on it? */
	if (kind == TDV_EV_DTE_CLEAR && (e.fields & TDV_F_KVMFD)) {
		e.refs = entry_refs(kvmfd_entry(
			BPF_CORE_READ((struct amd_iommu___tdv *)iommu, pci_seg), e.kvmfd));
		e.fields |= TDV_F_REFS;
	}
	emit(&e);
	return 0;
}

static __always_inline int dte_set_entry(void *ctx, void *iommu, u16 gid, void *pdom, u16 devid)
{
	return on_dte(TDV_EV_DTE_SET, iommu, gid, devid);
}

static __always_inline int dte_clear_entry(void *ctx, void *iommu, u16 gid, u16 devid)
{
	return on_dte(TDV_EV_DTE_CLEAR, iommu, gid, devid);
}

static __always_inline int vfctrl_entry(void *ctx, void *iommu, u16 gid, u16 devid)
{
	return on_dte(TDV_EV_VFCTRL, iommu, gid, devid);
}

/* ---- vIOMMU lifecycle ---------------------------------------------------- */

static __always_inline int viommu_init_entry(void *ctx, void *viommu, void *parent, void *data)
{
	call_start(TDV_EV_VIOMMU_INIT, (__u64)viommu, 0, 0);
	return 0;
}

static __always_inline int viommu_init_exit(void *ctx, int ret)
{
	struct call_val *c = call_returning(TDV_EV_VIOMMU_INIT);
	struct iommufd_viommu___tdv *viommu;
	struct tdv_event e;

	if (!c)
		return 0;
	event_init(&e, TDV_EV_VIOMMU_INIT);
	viommu = (void *)c->arg[0];
	set_iommu(&e, iommu_of_viommu(viommu));
	e.ret = ret;
	e.lat_ns = e.ts_ns - c->ts;
	e.fields |= TDV_F_RET | TDV_F_LAT;
	call_end(c);
	/* kvmfd, gid and trans_devid are stored only on success. */
	if (!ret) {
		set_aviommu(&e, aviommu_of(viommu));
		e.vm = vm_of_fd(e.kvmfd);
		if (e.vm)
			e.fields |= TDV_F_VM;
	}
	emit(&e);
	return 0;
}

static __always_inline int viommu_destroy_entry(void *ctx, void *viommu)
{
	call_start(TDV_EV_VIOMMU_DESTROY, (__u64)viommu, 0, 0);
	return 0;
}

static __always_inline int viommu_destroy_exit(void *ctx)
{
	struct call_val *c = call_returning(TDV_EV_VIOMMU_DESTROY);
	struct iommufd_viommu___tdv *viommu;
	struct amd_iommu___tdv *iommu;
	struct tdv_event e;

	if (!c)
		return 0;
	event_init(&e, TDV_EV_VIOMMU_DESTROY);
	viommu = (void *)c->arg[0];
	iommu = iommu_of_viommu(viommu);
	set_iommu(&e, iommu);
	set_aviommu(&e, aviommu_of(viommu));
	e.refs = entry_refs(kvmfd_entry(BPF_CORE_READ(iommu, pci_seg), e.kvmfd));
	e.lat_ns = e.ts_ns - c->ts;
	e.fields |= TDV_F_LAT | TDV_F_REFS;
	call_end(c);
	emit(&e);
	return 0;
}

static __always_inline int viommu_uninit_entry(void *ctx, void *iommu, void *aviommu)
{
	struct tdv_event e;

	event_init(&e, TDV_EV_VIOMMU_UNINIT);
	set_iommu(&e, iommu);
	set_aviommu(&e, aviommu);
	emit(&e);
	return 0;
}

static __always_inline int seg_fini_entry(void *ctx, void *seg)
{
	struct tdv_event e;

	event_init(&e, TDV_EV_SEG_FINI);
	e.seg = seg_id(seg);
	e.fields = TDV_F_SEG;
	emit(&e);
	return 0;
}

static __always_inline int vm_destroy_entry(void *ctx, void *kvm)
{
	struct tdv_event e;

	event_init(&e, TDV_EV_VM_DESTROY);
	e.vm = (__u64)kvm;
	e.fields = TDV_F_VM;
	emit(&e);
	return 0;
}

/* ---- programs ------------------------------------------------------------ */

#define EVENT_PROGRAMS(KIND, name, sym, flags, events, hist, ret, params, args)                    \
	TDV_PROGRAMS_##events(name, sym, ret, params, args)

TDV_PROBES(EVENT_PROGRAMS)

/* proc_exit's row: its program. */
SEC("tracepoint/sched/sched_process_exit")
int proc_exit_tp(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tdv_event e;

	/*
	 * Only the VMMs that held a reference, once, when the last of their
	 * threads exits: do_exit() counts signal->live down before this
	 * tracepoint, and the fd table (with the VM files) goes with the last
	 * thread, which need not be the leader. The delete elects one thread
	 * should two see the count at 0.
	 */
	if (task->signal->live.counter || bpf_map_delete_elem(&vmm_tgids, &tgid))
		return 0;
	event_init(&e, TDV_EV_PROC_EXIT);
	emit(&e);
	return 0;
}
