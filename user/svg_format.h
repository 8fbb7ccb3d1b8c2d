/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A capture as one self-contained SVG timeline (no scripts, no external
 * references; text escaped for XML, bytes past ASCII as character refs).
 *
 * VMs in the capture view's order, each a header band with its owner and
 * the reports that have no entry, then a row per entry, labelled
 * "VM 0x... seg S kvmfd F gen G id 0xID": its life as a bar (dashed while
 * live), refs as a step line scaled to the row's maximum (printed at the
 * right), a band where its translate DTE is set and one where VF control
 * registers point at it, and a marker per report, shaped and coloured by
 * kind (legend at the top; every marker, bar and band has a <title>).
 * Rows have a fixed height, so the image grows with the entries; the time
 * axis (ticks in s or ms by span) stretches with the run up to a maximum
 * width and compresses beyond.
 */
#ifndef TDV_SVG_FORMAT_H
#define TDV_SVG_FORMAT_H

#include <stdio.h>
#include "capture.h"

/* 0, -ENOMEM, or -EIO when @f reports an error. */
int tdv_svg_write(FILE *f, const struct tdv_capture *c);

#endif /* TDV_SVG_FORMAT_H */
