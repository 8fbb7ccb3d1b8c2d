/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One probe, two flavours: fentry/fexit where the kernel has BTF and
 * trampolines, kprobe/kretprobe otherwise. The loader keeps one flavour per
 * function (programs are named EVENT_fentry, EVENT_fexit, EVENT_kprobe,
 * EVENT_kretprobe) and disables the other.
 */
#ifndef PROBE_PAIRS_BPF_H
#define PROBE_PAIRS_BPF_H

/*
 * TDV_ENTRY / TDV_EXIT declare the fentry and kprobe (fexit and kretprobe)
 * flavours of one probe; both call the same handler.
 */
#define TDV_ENTRY(name, sym, call, args...)                                                        \
	SEC("fentry/" #sym)                                                                        \
	int BPF_PROG(name##_fentry, args)                                                          \
	{                                                                                          \
		return call;                                                                       \
	}                                                                                          \
	SEC("kprobe/" #sym)                                                                        \
	int BPF_KPROBE(name##_kprobe, args)                                                        \
	{                                                                                          \
		return call;                                                                       \
	}

#define TDV_EXIT(name, sym, call, ret, args...)                                                    \
	SEC("fexit/" #sym)                                                                         \
	int BPF_PROG(name##_fexit, args, ret)                                                      \
	{                                                                                          \
		return call;                                                                       \
	}                                                                                          \
	SEC("kretprobe/" #sym)                                                                     \
	int BPF_KRETPROBE(name##_kretprobe, ret)                                                   \
	{                                                                                          \
		return call;                                                                       \
	}

#define TDV_EXIT_VOID(name, sym, call, args...)                                                    \
	SEC("fexit/" #sym)                                                                         \
	int BPF_PROG(name##_fexit, args)                                                           \
	{                                                                                          \
		return call;                                                                       \
	}                                                                                          \
	SEC("kretprobe/" #sym)                                                                     \
	int BPF_KRETPROBE(name##_kretprobe)                                                        \
	{                                                                                          \
		return call;                                                                       \
	}

#endif /* PROBE_PAIRS_BPF_H */
