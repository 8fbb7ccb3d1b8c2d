/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A capture as a Chrome trace (JSON Object Format) that ui.perfetto.dev and
 * chrome://tracing open:
 *
 *   - a process per VM (pid 1, 2, ... in the capture view's VM order),
 *     named "VM 0x..." or "VM unknown";
 *   - a thread per entry (tid after the pids), named
 *     "seg S kvmfd F gen G (trans_devid 0xID)", holding an "X" slice for its
 *     life (to the end of the run while live) and "i" events (scope "t") for
 *     its dte_set, dte_clear and vfctrl changes;
 *   - a counter ("C") per entry, "refs seg S kvmfd F gen G (trans_devid
 *     0xID)": one sample per change of refs, and 0 at its release;
 *   - an "i" event per report, named by its kind: on its entry's thread
 *     (scope "t"), or without one on its VM's process (scope "p").
 *
 * Times are microseconds since the span's start, with three decimals.
 */
#ifndef TDV_PERFETTO_FORMAT_H
#define TDV_PERFETTO_FORMAT_H

#include <stdio.h>
#include "capture.h"

/* 0, -ENOMEM, or -EIO when @f reports an error (-EINVAL: a writer bug). */
int tdv_perfetto_write(FILE *f, const struct tdv_capture *c);

#endif /* TDV_PERFETTO_FORMAT_H */
