/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks of the gets behind a report (--stacks): read from the BPF stack
 * map and symbolized, kernel frames from /proc/kallsyms, the VMM's frames
 * from /proc/PID/maps and the ELF symbol tables of its binary and libraries.
 */
#ifndef TDV_STACKS_H
#define TDV_STACKS_H

#include <stdbool.h>
#include <stdint.h>

struct tdv_symbolizer;

/* @stack_map_fd: the "stacks" BPF map. NULL when out of memory. */
struct tdv_symbolizer *tdv_symbolizer_new(int stack_map_fd);
void tdv_symbolizer_free(struct tdv_symbolizer *s);

typedef void (*tdv_frame_fn)(void *ctx, const char *frame);

/*
 * Call @fn with each frame of stack @id, innermost first: "sym+0x1f [mod]"
 * for the kernel, "sym+0x1f (path)" for process @tgid, "0x..." where no
 * symbol is known. Returns the number of frames, 0 when @id is not a stack.
 */
int tdv_stack_frames(struct tdv_symbolizer *s, int32_t id, bool user, uint32_t tgid,
		     tdv_frame_fn fn, void *ctx);

#endif /* TDV_STACKS_H */
