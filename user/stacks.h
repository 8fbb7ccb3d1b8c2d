/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks of the gets behind a report (--stacks): read from the BPF stack
 * map; kernel frames symbolized from /proc/kallsyms, starting at the caller
 * of the traced function; the VMM's frames captured while it lives
 * (ustack.h) and symbolized when the report is printed.
 */
#ifndef TDV_STACKS_H
#define TDV_STACKS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "tdvtrace.h"
#include "ustack.h"

struct tdv_symbolizer;

/*
 * @stack_map_fd: the "stacks" BPF map; @copies_map_fd: "ustack_copies"
 * (the user stacks copied for DWARF unwinding); @kallsyms: TDV_KALLSYMS, or a file
 * in that format; @traced: the kernel function whose callers the kernel
 * stacks show (what lies above it is tdvtrace's own). NULL when out of
 * memory.
 */
struct tdv_symbolizer *tdv_symbolizer_new(int stack_map_fd, int copies_map_fd, const char *kallsyms,
					  const char *traced);
void tdv_symbolizer_free(struct tdv_symbolizer *s);

/*
 * For each event as it arrives: a get's user stack (and its copy, taken
 * out of the BPF map) is captured while its process still lives. Cheap for
 * other events.
 */
void tdv_stack_capture(struct tdv_symbolizer *s, const struct tdv_event *e);

/*
 * Call @fn with each frame of stack @id, innermost first: "sym+0x1f [mod]"
 * for the kernel, "sym+0x1f (path)" for process @tgid (see ustack.h),
 * "0x..." where no symbol is known. Returns the number of frames, 0 when
 * @id is not a stack.
 */
int tdv_stack_frames(struct tdv_symbolizer *s, int32_t id, bool user, uint32_t tgid,
		     tdv_frame_fn fn, void *ctx);

/*
 * Which kernel frames @names (innermost first, NULL: no symbol) to show,
 * into @keep: not tdvtrace's own. Those are the leading BPF programs and
 * trampolines and the traced function @traced itself (fentry/fexit show
 * it; a kretprobe does not), and deeper, the trampoline of another traced
 * function with that function's patched entry above it. Returns how many
 * are kept.
 */
size_t tdv_kstack_filter(const char *const *names, size_t n, const char *traced, bool *keep);

#endif /* TDV_STACKS_H */
