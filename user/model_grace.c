// SPDX-License-Identifier: GPL-2.0
/*
 * The grace-period scheduler: teardown may lag a VM's end or an entry's
 * release by up to grace_ns, so what must have followed by then is checked
 * then. Due times only grow (event time + a fixed grace), so a FIFO will do.
 */
#include <string.h>
#include "detect.h"
#include "grow.h"

void grace_schedule(struct tdv_model *m, const struct pending *p)
{
	/* Compact first: the head only moves forward. */
	if (m->npend == m->cappend && m->headpend) {
		memmove(m->pend, m->pend + m->headpend, (m->npend - m->headpend) * sizeof(*p));
		m->npend -= m->headpend;
		m->headpend = 0;
	}
	if (m->npend == m->cappend && TDV_GROW(m->pend, m->cappend, m->npend + 1, 64))
		return;
	m->pend[m->npend++] = *p;
}

static void run_pending(struct tdv_model *m, uint64_t now_ns, bool all)
{
	while (m->headpend < m->npend) {
		struct pending p;

		if (!all && m->pend[m->headpend].due_ns > now_ns)
			break;
		/* A copy: the check may schedule more, moving the queue. */
		p = m->pend[m->headpend++];
		switch (p.kind) {
		case P_GONE:
			detect_leak_ref(m, &p);
			break;
		case P_RELEASED:
			detect_stale_dte_released(m, &p);
			detect_leak_id(m, &p);
			break;
		case P_VM_EXITED:
			detect_vm_not_destroyed(m, &p);
			break;
		}
	}
	if (m->headpend == m->npend)
		m->headpend = m->npend = 0;
}

/*
 * Before an event stamped @ts_ns, the checks due earlier: what a tick
 * between the two would have done. Live, ticks fall wherever the polls do;
 * so without this, a check and an event (a leak_id letting its id go, then
 * a failed get reading the pool) could run in either order, and `report`
 * would not say what `leaks` said.
 */
void grace_run_before(struct tdv_model *m, uint64_t ts_ns)
{
	if (ts_ns)
		run_pending(m, ts_ns - 1, false);
}

void tdv_model_tick(struct tdv_model *m, uint64_t now_ns)
{
	if (now_ns > m->now_ns)
		m->now_ns = now_ns;
	run_pending(m, m->now_ns, false);
}

void tdv_model_finish(struct tdv_model *m)
{
	run_pending(m, m->now_ns, true);
}
