/* SPDX-License-Identifier: GPL-2.0 */
/* What the system must offer before tdvtrace loads anything. */
#ifndef TDV_PREFLIGHT_H
#define TDV_PREFLIGHT_H

/*
 * Check privileges (root, or CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and
 * kernel BTF. On failure print one line saying what to do and return
 * TDV_EXIT_ENV; 0 when all is there.
 */
int tdv_preflight(void);

#endif /* TDV_PREFLIGHT_H */
