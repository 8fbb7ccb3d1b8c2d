/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency histograms as userspace holds them: the kernel's per-CPU buckets
 * summed, merged across segments unless asked not to, and the difference
 * between two readings (one interval).
 */
#ifndef TDV_HIST_H
#define TDV_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "tdvtrace.h"

/* key.seg of a histogram summed over every segment */
#define TDV_HIST_ALL_SEGS 0xffff

struct tdv_hist {
	struct tdv_hist_key key;
	struct tdv_hist_val val;
};

/* Kept sorted by function, segment, variant: the order they print in. */
struct tdv_hist_set {
	struct tdv_hist *h;
	size_t n, cap;
};

void tdv_hist_set_init(struct tdv_hist_set *set);
void tdv_hist_set_free(struct tdv_hist_set *set);
void tdv_hist_set_clear(struct tdv_hist_set *set);

/* Add @val to the histogram of @key (created if new). 0 or -ENOMEM. */
int tdv_hist_set_add(struct tdv_hist_set *set, const struct tdv_hist_key *key,
		     const struct tdv_hist_val *val);

/* @now minus @prev, histograms with no calls left out. 0 or -ENOMEM. */
int tdv_hist_set_diff(const struct tdv_hist_set *now, const struct tdv_hist_set *prev,
		      struct tdv_hist_set *out);

/* Copy @from into @to (replacing it). 0 or -ENOMEM. */
int tdv_hist_set_copy(struct tdv_hist_set *to, const struct tdv_hist_set *from);

/*
 * Bin one traced event as hist.bpf.c bins a call, in @unit_ns units (keyed
 * TDV_HIST_ALL_SEGS unless @per_seg). Events without a latency (dte_set and
 * dte_clear are traced at entry) are skipped. 0 or -ENOMEM.
 */
int tdv_hist_set_add_event(struct tdv_hist_set *set, const struct tdv_event *e, uint64_t unit_ns,
			   bool per_seg);

/* Calls over all histograms of the set. */
uint64_t tdv_hist_set_calls(const struct tdv_hist_set *set);

/* The values slot @slot holds, in units: bcc's log2 buckets. */
uint64_t tdv_hist_slot_low(unsigned int slot);
uint64_t tdv_hist_slot_high(unsigned int slot);

/*
 * The @q quantile (0..1) in units, estimated from the buckets by linear
 * interpolation inside the bucket it falls in; 0 with no calls.
 */
double tdv_hist_quantile(const struct tdv_hist_val *v, double q);

/* "get", "put", ...; "?" for an unknown function. */
const char *tdv_hist_func_name(unsigned int func);

/* "new", "shared", "failed"; "?" otherwise. */
const char *tdv_hist_outcome_name(unsigned int outcome);

#endif /* TDV_HIST_H */
