/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The detectors: one file per report kind (detect_<name>.c, opening with the
 * kernel fact it guards), each called by the state machine (model.c) or the
 * grace-period scheduler (model_grace.c) at the one moment where a breach of
 * that fact becomes certain. Each reads the state as it is at that moment.
 */
#ifndef TDV_DETECT_H
#define TDV_DETECT_H

#include "model_state.h"

/* After the grace period of a VM or VMM that went (P_GONE). */
void detect_leak_ref(struct tdv_model *m, const struct pending *p);
/* A VM or VMM went: schedule the check of each entry holding its refs. */
void detect_leak_ref_arm(struct tdv_model *m, const struct leaver *who, uint64_t ts_ns);

/* After a release's grace period (P_RELEASED), after detect_stale_dte_released. */
void detect_leak_id(struct tdv_model *m, const struct pending *p);

/* A put without a trans_devid: the kernel found no entry for its kvmfd. */
void detect_unbalanced_put(struct tdv_model *m, const struct tdv_event *put);

/* A get about to add its ref to the existing entry @en. */
void detect_alias(struct tdv_model *m, const struct entry *en, const struct tdv_event *get);

/*
 * An allocation, before the id is marked allocated: an id_alloc, or where
 * trans_devid_alloc is not traced, the get that created its entry.
 */
void detect_stale_dte_reassigned(struct tdv_model *m, const struct tdv_event *alloc);
/* After a release's grace period (P_RELEASED). */
void detect_stale_dte_released(struct tdv_model *m, const struct pending *p);

/* A translate DTE clear of @en, its refs read back at the clear. */
void detect_clear_while_shared(struct tdv_model *m, const struct entry *en,
			       const struct tdv_event *clear);

/* A device id reservation returned. */
void detect_reserve_clash(struct tdv_model *m, const struct tdv_event *reserve);

/* A get failed (nothing changed in the kernel). */
void detect_alloc_fail(struct tdv_model *m, const struct tdv_event *get);

/* Segment teardown, for each of its live entries before it is dropped. */
void detect_fini_live(struct tdv_model *m, const struct entry *en, const struct tdv_event *fini);

/* A VMM exited: schedule the check of each VM it resolved (P_VM_EXITED). */
void detect_vm_not_destroyed_arm(struct tdv_model *m, const struct tdv_event *exit);
/* After the grace period of a VMM's exit (P_VM_EXITED). */
void detect_vm_not_destroyed(struct tdv_model *m, const struct pending *p);

/* The DTE clear after an uninit that was not the vIOMMU's (the driver's error path). */
void detect_driver_dte0(struct tdv_model *m, const struct err_uninit *u,
			const struct tdv_event *clear);

#endif /* TDV_DETECT_H */
