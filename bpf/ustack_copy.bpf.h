/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --stacks: the top of the VMM's user stack and its registers at the
 * syscall, for unwinding offline with DWARF CFI where the frame-pointer
 * walk stops (code built without frame pointers: Debian's glibc, a static
 * VMM). Userspace takes each copy from ustack_copies as the get arrives
 * and deletes it.
 */
#ifndef TDV_USTACK_COPY_BPF_H
#define TDV_USTACK_COPY_BPF_H

/* Too big for the BPF stack: built here, then copied into the hash. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tdv_ustack_copy);
} ustack_scratch SEC(".maps");

/* (tgid << 32 | user stack id) -> copy. Sized by the loader: 1 unless --stacks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, struct tdv_ustack_copy);
} ustack_copies SEC(".maps");

static __always_inline void copy_user_stack(__u32 tgid, __s32 ustack)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 key = (__u64)tgid << 32 | (__u32)ustack, sp, len, to_page_end;
	struct tdv_ustack_copy *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&ustack_scratch, &zero);
	if (!c || ustack < 0)
		return;
	/* DWARF register numbers of x86-64. */
	c->regs[0] = BPF_CORE_READ(regs, ax);
	c->regs[1] = BPF_CORE_READ(regs, dx);
	c->regs[2] = BPF_CORE_READ(regs, cx);
	c->regs[3] = BPF_CORE_READ(regs, bx);
	c->regs[4] = BPF_CORE_READ(regs, si);
	c->regs[5] = BPF_CORE_READ(regs, di);
	c->regs[6] = BPF_CORE_READ(regs, bp);
	c->regs[7] = BPF_CORE_READ(regs, sp);
	c->regs[8] = BPF_CORE_READ(regs, r8);
	c->regs[9] = BPF_CORE_READ(regs, r9);
	c->regs[10] = BPF_CORE_READ(regs, r10);
	c->regs[11] = BPF_CORE_READ(regs, r11);
	c->regs[12] = BPF_CORE_READ(regs, r12);
	c->regs[13] = BPF_CORE_READ(regs, r13);
	c->regs[14] = BPF_CORE_READ(regs, r14);
	c->regs[15] = BPF_CORE_READ(regs, r15);
	c->regs[16] = BPF_CORE_READ(regs, ip);
	sp = c->regs[7];
	/* A stack's top may be nearer than the copy: then what is left of it. */
	to_page_end = 4096 - (sp & 4095);
	len = TDV_USTACK_COPY_BYTES;
	if (bpf_probe_read_user(c->stack, len, (void *)sp)) {
		len = to_page_end + 4096;
		if (len > TDV_USTACK_COPY_BYTES ||
		    bpf_probe_read_user(c->stack, len & (TDV_USTACK_COPY_BYTES - 1), (void *)sp)) {
			len = to_page_end & 4095;
			if (bpf_probe_read_user(c->stack, len, (void *)sp))
				len = 0;
		}
	}
	c->len = len;
	bpf_map_update_elem(&ustack_copies, &key, c, BPF_ANY);
}

#endif /* TDV_USTACK_COPY_BPF_H */
