/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One probe, two flavours: fentry/fexit where the kernel has BTF and
 * trampolines, kprobe/kretprobe otherwise. The loader keeps one flavour per
 * function (programs are named EVENT_fentry, EVENT_fexit, EVENT_kprobe,
 * EVENT_kretprobe) and disables the other.
 *
 * An object generates its programs from a column of TDV_PROBES (tdvtrace.h):
 *	#define PROGRAMS(KIND, name, symbol, flags, events, hist, ret, params, args) \
 *		TDV_PROGRAMS_##events(name, symbol, ret, params, args)
 *	TDV_PROBES(PROGRAMS)
 * and defines, before that, the handlers the column asks for:
 * name_entry(ctx, args...) and name_exit(ctx, ret) (name_exit(ctx) when the
 * function returns void); a missing one is a compile error.
 */
#ifndef PROBE_PAIRS_BPF_H
#define PROBE_PAIRS_BPF_H

#define TDV_UNPAREN(...) __VA_ARGS__
/* Expand the arguments first: BPF_PROG and BPF_KPROBE paste theirs. */
#define TDV_EXPAND(macro, ...) macro(__VA_ARGS__)

#define TDV_PROGRAMS_NONE(name, sym, ret, params, args)
/* Written out by the object itself: SEC("tracepoint/...") name_tp(ctx). */
#define TDV_PROGRAMS_TRACEPOINT(name, sym, ret, params, args)

#define TDV_PROGRAMS_ENTRY(name, sym, ret, params, args)                                           \
	SEC("fentry/" sym)                                                                         \
	int TDV_EXPAND(BPF_PROG, name##_fentry, TDV_UNPAREN params)                                \
	{                                                                                          \
		return name##_entry(ctx, TDV_UNPAREN args);                                        \
	}                                                                                          \
	SEC("kprobe/" sym)                                                                         \
	int TDV_EXPAND(BPF_KPROBE, name##_kprobe, TDV_UNPAREN params)                              \
	{                                                                                          \
		return name##_entry(ctx, TDV_UNPAREN args);                                        \
	}

#define TDV_PROGRAMS_CALL(name, sym, ret, params, args)                                            \
	TDV_PROGRAMS_ENTRY(name, sym, ret, params, args)                                           \
	TDV_RETURN_##ret(name, sym, params)

/* The return programs, by the function's return type. */
#define TDV_RETURN_int(name, sym, params)                                                          \
	SEC("fexit/" sym)                                                                          \
	int TDV_EXPAND(BPF_PROG, name##_fexit, TDV_UNPAREN params, int ret)                        \
	{                                                                                          \
		return name##_exit(ctx, ret);                                                      \
	}                                                                                          \
	SEC("kretprobe/" sym)                                                                      \
	int BPF_KRETPROBE(name##_kretprobe, int ret)                                               \
	{                                                                                          \
		return name##_exit(ctx, ret);                                                      \
	}

#define TDV_RETURN_void(name, sym, params)                                                         \
	SEC("fexit/" sym)                                                                          \
	int TDV_EXPAND(BPF_PROG, name##_fexit, TDV_UNPAREN params)                                 \
	{                                                                                          \
		return name##_exit(ctx);                                                           \
	}                                                                                          \
	SEC("kretprobe/" sym)                                                                      \
	int BPF_KRETPROBE(name##_kretprobe)                                                        \
	{                                                                                          \
		return name##_exit(ctx);                                                           \
	}

#endif /* PROBE_PAIRS_BPF_H */
