/* SPDX-License-Identifier: GPL-2.0 */
/* Is a struct file a VM, KVM's "kvm-vm" anon-inode file (or the simulator's)? */
#ifndef KVM_FILE_BPF_H
#define KVM_FILE_BPF_H

static __always_inline bool tdv_is_vm_file(struct file *f)
{
	char name[8] = {};

	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(f, f_path.dentry, d_name.name));
	return name[0] == 'k' && name[1] == 'v' && name[2] == 'm' && name[3] == '-' &&
	       name[4] == 'v' && name[5] == 'm' && !name[6];
}

#endif /* KVM_FILE_BPF_H */
