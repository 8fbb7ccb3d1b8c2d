// SPDX-License-Identifier: GPL-2.0
#include "report_format.h"
#include "report_printer.h"

void tdv_printer_report(void *printer, const struct tdv_report *r)
{
	const struct tdv_report_printer *p = printer;
	bool timeline = p->timelines != TDV_TIMELINES_NONE;

	if (p->json) {
		tdv_report_print_json(p->f, r, timeline, p->sym);
	} else {
		tdv_report_print_text(p->f, r, p->start_ns, p->sym);
		if (timeline && r->timeline.npoints)
			tdv_timeline_print_text(p->f, &r->timeline, p->start_ns);
	}
	fflush(p->f);
}

void tdv_printer_timeline(void *printer, const struct tdv_timeline *t)
{
	const struct tdv_report_printer *p = printer;

	if (p->json)
		tdv_timeline_print_json(p->f, t);
	else
		tdv_timeline_print_text(p->f, t, p->start_ns);
}

int tdv_printer_summary(const struct tdv_model *m, FILE *f)
{
	struct tdv_model_stats st;
	uint64_t reports = 0;

	tdv_model_stats(m, &st);
	for (int k = 0; k < TDV_R_KINDS; k++)
		reports += st.reports[k];
	tdv_report_print_summary(f, &st);
	return reports ? TDV_EXIT_FOUND : TDV_EXIT_OK;
}
