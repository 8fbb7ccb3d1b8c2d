/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's reports and entry timelines, kept for output at its end
 * (`tdvtrace report FILE --format perfetto|svg`).
 *
 * The model's pointers are valid only during its callbacks, so everything
 * is copied. A report's own `timeline` member is dropped (npoints 0, points
 * NULL): the entry's whole timeline is captured on its own, when it closes
 * or, for entries still live, at the end, and a report finds it by
 * (seg, kvmfd, gen) through tdv_capture_view().
 */
#ifndef TDV_CAPTURE_H
#define TDV_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

struct tdv_capture {
	/*
	 * First and last timestamps of the run, set by the caller (0: take
	 * them from the data). Data outside them widens the span.
	 */
	uint64_t start_ns, end_ns;
	struct tdv_report *reports; /* in arrival order; timeline dropped */
	size_t nreports;
	struct tdv_timeline *timelines; /* each owns its points */
	size_t ntimelines;
	size_t capreports, captimelines;
};

void tdv_capture_init(struct tdv_capture *c);

/* Copy @r (not its timeline). 0, or -ENOMEM with @c unchanged. */
int tdv_capture_report(struct tdv_capture *c, const struct tdv_report *r);

/* Copy @t and its points. 0, or -ENOMEM with @c unchanged. */
int tdv_capture_timeline(struct tdv_capture *c, const struct tdv_timeline *t);

/* Free everything; @c is then empty, as after tdv_capture_init(). */
void tdv_capture_free(struct tdv_capture *c);

/* One VM of a capture (vm 0: entries and reports of no known VM). */
struct tdv_capture_vm {
	uint64_t vm;
	uint64_t first_ns;   /* its earliest entry or report */
	uint32_t owner_tgid; /* owner of its first entry (else of a report), 0: none */
	char owner_comm[TDV_COMM_LEN];
	size_t first_row, nrows; /* its entries in tdv_capture_view.rows */
	size_t nreports;
};

/*
 * The capture as both writers lay it out: VMs in the order they were first
 * seen (vm 0 last), rows (entries) by VM then seg, kvmfd, gen and creation,
 * and each report placed on its entry's row or, without one, on its VM.
 */
struct tdv_capture_view {
	uint64_t start_ns, end_ns; /* the span: start_ns <= every time <= end_ns */
	struct tdv_capture_vm *vms;
	size_t nvms;
	const struct tdv_timeline **rows;
	size_t *row_vm; /* index into vms of each row */
	/*
	 * Its entry's life: created (else its first change) to released, else
	 * to the next gen of its (seg, kvmfd) (the model closes a replaced
	 * entry without a time), else to the end of the run (live).
	 */
	uint64_t *row_start, *row_end;
	bool *row_live; /* ends with the run */
	size_t nrows;
	long *report_row;  /* per report of the capture: its row, or -1 */
	size_t *report_vm; /* per report: index into vms */
};

/* 0, or -ENOMEM. Borrows from @c: free the view first. */
int tdv_capture_view(const struct tdv_capture *c, struct tdv_capture_view *v);
void tdv_capture_view_free(struct tdv_capture_view *v);

#endif /* TDV_CAPTURE_H */
