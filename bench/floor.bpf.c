// SPDX-License-Identifier: GPL-2.0
/*
 * The floor: empty programs on the two functions the benchmark loop calls,
 * so the cost measured is only that of the attach mechanism itself (kprobe
 * + kretprobe, or the fentry + fexit trampoline). The loader keeps one pair.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/amd_iommu_get_trans_devid_by_kvmfd")
int get_kprobe(void *ctx)
{
	return 0;
}

SEC("kretprobe/amd_iommu_get_trans_devid_by_kvmfd")
int get_kretprobe(void *ctx)
{
	return 0;
}

SEC("kprobe/amd_iommu_free_trans_devid_by_kvmfd")
int put_kprobe(void *ctx)
{
	return 0;
}

SEC("kretprobe/amd_iommu_free_trans_devid_by_kvmfd")
int put_kretprobe(void *ctx)
{
	return 0;
}

SEC("fentry/amd_iommu_get_trans_devid_by_kvmfd")
int BPF_PROG(get_fentry)
{
	return 0;
}

SEC("fexit/amd_iommu_get_trans_devid_by_kvmfd")
int BPF_PROG(get_fexit)
{
	return 0;
}

SEC("fentry/amd_iommu_free_trans_devid_by_kvmfd")
int BPF_PROG(put_fentry)
{
	return 0;
}

SEC("fexit/amd_iommu_free_trans_devid_by_kvmfd")
int BPF_PROG(put_fexit)
{
	return 0;
}
