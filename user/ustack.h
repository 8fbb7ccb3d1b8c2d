/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User stacks that outlive their process: at the get, while the VMM lives,
 * each frame is tied to the file mapped at its address (opened through
 * /proc/PID/map_files, never by path) and its offset in that file; the
 * report, printed maybe after the VMM exited, symbolizes from those open
 * files with libdwfl (symbol tables, .gnu_debugdata, separate debug files
 * under /usr/lib/debug).
 */
#ifndef TDV_USTACK_H
#define TDV_USTACK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tdvtrace.h"

/* Bounds: past them a stack is not captured and prints as raw addresses. */
#define TDV_USTACK_MAX_STACKS 16384 /* the BPF stack map's size */
#define TDV_USTACK_MAX_FILES 512    /* distinct files kept open */
#define TDV_USTACK_MAX_COPIES 1024  /* stack copies awaiting their unwind */

struct tdv_ustacks;

struct tdv_ustacks *tdv_ustacks_new(void);
void tdv_ustacks_free(struct tdv_ustacks *u);

/*
 * Capture stack @id of process @tgid, @ips innermost first (0 ends them),
 * against the process's mappings now: the stack ends at the first address
 * no executable mapping covers (the frame-pointer walk went astray there).
 * With @copy (its registers and stack top at the syscall), every file the
 * process executes from is kept too, and the first print unwinds the copy
 * with DWARF CFI, keeping that when it goes deeper than the walk. A stack
 * captured again is replaced. Returns the number of frames kept, or -errno
 * (-ESRCH: the process is gone; -ENOSPC: a bound is reached).
 */
int tdv_ustack_capture(struct tdv_ustacks *u, uint32_t tgid, int32_t id, const uint64_t *ips,
		       size_t n, const struct tdv_ustack_copy *copy);

typedef void (*tdv_frame_fn)(void *ctx, const char *frame);

/*
 * Call @fn with each frame of captured stack @id of @tgid: "sym+0x1f
 * (path)", "0x7f... (path)" where the file has no symbol there, "0x7f...
 * ([vdso])" for anonymous or special mappings. Returns the number of
 * frames, or -ENOENT when that stack was not captured.
 */
int tdv_ustack_frames(struct tdv_ustacks *u, uint32_t tgid, int32_t id, tdv_frame_fn fn, void *ctx);

#endif /* TDV_USTACK_H */
