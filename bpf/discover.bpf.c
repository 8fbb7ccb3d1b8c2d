// SPDX-License-Identifier: GPL-2.0
/*
 * Discovery: what the trans_devid allocator already holds when tdvtrace
 * starts. One task_file iterator pass: first every segment on
 * amd_iommu_pci_seg_list and every entry of its kvmfd_xa (kvmfd numbers are
 * fd numbers, so the small ones are probed), then every open VM file of
 * every process, so userspace can tell whose VM each kvmfd is.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "tdvtrace.h"
#include "amd_iommu.bpf.h"
#include "xarray.bpf.h"
#include "kvm_file.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 seg_list; /* &amd_iommu_pci_seg_list, from kallsyms */

struct probe_ctx {
	struct seq_file *seq;
	struct amd_iommu_pci_seg___tdv *seg;
	__u16 seg_id;
};

static long probe_kvmfd(__u32 fd, void *data)
{
	struct probe_ctx *c = data;
	struct amd_iommu_kvmfd_trans_entry___tdv *entry;
	struct tdv_found f = { .kind = TDV_FOUND_ENTRY };
	void *e = tdv_xa_load(&c->seg->kvmfd_xa, fd);

	if (!e || tdv_xa_is_value(e))
		return 0;
	entry = e;
	f.seg = c->seg_id;
	f.kvmfd = fd;
	f.refs = BPF_CORE_READ(entry, refs.refs.counter);
	f.trans_devid = BPF_CORE_READ_BITFIELD_PROBED(entry, trans_devid);
	bpf_seq_write(c->seq, &f, sizeof(f));
	return 0;
}

/* Indexes worth probing: the top node's shift bounds the largest index. */
static __u32 probe_limit(struct xarray *xa)
{
	void *head = BPF_CORE_READ(xa, xa_head);
	unsigned int shift;

	if (!head)
		return 0;
	if (!tdv_xa_is_node(head))
		return 1;
	shift = BPF_CORE_READ((struct xa_node *)((unsigned long)head - 2), shift);
	if (shift >= 12)
		return TDV_DISCOVER_MAX_FD;
	return ((__u32)TDV_XA_CHUNK_MASK + 1) << shift;
}

static void dump_segments(struct seq_file *seq)
{
	struct list_head *head = (void *)seg_list, *pos;
	struct probe_ctx c = { .seq = seq };
	int i;

	if (!head)
		return;
	pos = BPF_CORE_READ(head, next);
	for (i = 0; i < TDV_DISCOVER_MAX_SEGS && pos && pos != head; i++) {
		struct tdv_found f = { .kind = TDV_FOUND_SEG };

		c.seg = (void *)pos - bpf_core_field_offset(struct amd_iommu_pci_seg___tdv, list);
		c.seg_id = BPF_CORE_READ_BITFIELD_PROBED(c.seg, id);
		f.seg = c.seg_id;
		bpf_seq_write(seq, &f, sizeof(f));
		bpf_loop(probe_limit(&c.seg->kvmfd_xa), probe_kvmfd, &c, 0);
		pos = BPF_CORE_READ(pos, next);
	}
}

SEC("iter/task_file")
int discover(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct tdv_found f = { .kind = TDV_FOUND_VM_FD };

	if (ctx->meta->seq_num == 0)
		dump_segments(seq);
	if (!task || !file)
		return 0;
	if (!tdv_is_vm_file(file))
		return 0;
	f.tgid = task->tgid;
	f.kvmfd = ctx->fd;
	f.vm = (__u64)BPF_CORE_READ(file, private_data);
	bpf_probe_read_kernel_str(f.comm, sizeof(f.comm), task->comm);
	bpf_seq_write(seq, &f, sizeof(f));
	return 0;
}
