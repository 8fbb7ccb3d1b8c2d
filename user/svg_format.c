// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "svg_format.h"

#define MARGIN 12
#define CHAR_W 6.7 /* an 11px monospace glyph, to size text columns */
#define ROW_H 24
#define VM_H 22
#define LEGEND_ROW_H 18
#define AXIS_H 22
#define RIGHT_W 56 /* "max N" column */
#define PLOT_MIN_W 600
#define PLOT_MAX_W 1600
#define PX_PER_S 200 /* until PLOT_MAX_W: longer runs are compressed */
#define TICK_PX 110  /* room per tick label */
#define MARK_R 5

enum shape { CIRCLE, SQUARE, DIAMOND, TRI_UP, TRI_DOWN, CROSS, PLUS, HEXAGON, STAR };

static const struct {
	enum shape shape;
	const char *colour;
} kind_style[TDV_R_KINDS] = {
	[TDV_R_LEAK_REF] = { CIRCLE, "#d62728" },
	[TDV_R_LEAK_ID] = { SQUARE, "#ff7f0e" },
	[TDV_R_UNBALANCED_PUT] = { TRI_DOWN, "#8c564b" },
	[TDV_R_ALIAS] = { DIAMOND, "#e377c2" },
	[TDV_R_STALE_DTE] = { TRI_UP, "#a8a800" },
	[TDV_R_CLEAR_WHILE_SHARED] = { CROSS, "#1f77b4" },
	[TDV_R_RESERVE_CLASH] = { PLUS, "#17becf" },
	[TDV_R_ALLOC_FAIL] = { HEXAGON, "#000000" },
	[TDV_R_FINI_LIVE] = { STAR, "#7f7f7f" },
	[TDV_R_VM_NOT_DESTROYED] = { SQUARE, "#9467bd" },
};

/* Unit vertices of the polygon shapes. */
static const double hexagon[][2] = { { 1, 0 },	{ 0.5, 0.866 },	  { -0.5, 0.866 },
				     { -1, 0 }, { -0.5, -0.866 }, { 0.5, -0.866 } };
static const double star[][2] = { { 0, -1.2 },	     { 0.318, -0.437 }, { 1.141, -0.371 },
				  { 0.514, 0.167 },  { 0.706, 0.971 },	{ 0, 0.54 },
				  { -0.706, 0.971 }, { -0.514, 0.167 }, { -1.141, -0.371 },
				  { -0.318, -0.437 } };

struct layout {
	FILE *f;
	const struct tdv_capture *c;
	const struct tdv_capture_view *v;
	double plot_x, plot_w; /* the time area */
	double width, height;
	double axis_y;		/* top of the rows */
	double *vm_y;		/* top of each VM's header */
	uint64_t span;		/* ns, at least 1 */
	uint64_t tick, unit_ns; /* tick step; 1e9 (s) or 1e6 (ms) */
	const char *unit;
	int decimals;
};

/* @s (at most @max bytes) as XML character data or attribute value. */
static void xml_text(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char ch = s[i];

		switch (ch) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			/* XML 1.0 forbids most control characters, even as references. */
			if (ch < 0x20)
				fputs("&#xfffd;", f);
			/* comm is bytes, not UTF-8: each one as the code point it names. */
			else if (ch >= 0x7f)
				fprintf(f, "&#x%02x;", ch);
			else
				fputc(ch, f);
		}
	}
}

static void __attribute__((format(printf, 3, 4)))
xml_printf(FILE *f, const char *elem, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(f, "<%s>", elem);
	xml_text(f, buf, sizeof(buf));
	fprintf(f, "</%s>", elem);
}

static double x_of(const struct layout *l, uint64_t ts)
{
	uint64_t rel = ts > l->v->start_ns ? ts - l->v->start_ns : 0;

	if (rel > l->span)
		rel = l->span;
	return l->plot_x + (double)rel * l->plot_w / (double)l->span;
}

static double secs(const struct layout *l, uint64_t ts)
{
	return ts > l->v->start_ns ? (ts - l->v->start_ns) / 1e9 : 0;
}

static void vm_name(char *buf, size_t size, uint64_t vm)
{
	if (vm)
		snprintf(buf, size, "VM 0x%" PRIx64, vm);
	else
		snprintf(buf, size, "VM unknown");
}

static void row_label(char *buf, size_t size, const struct tdv_timeline *t)
{
	char vm[32];

	vm_name(vm, sizeof(vm), t->vm);
	snprintf(buf, size, "%s seg %u kvmfd %u gen %u id 0x%04x", vm, t->seg, t->kvmfd, t->gen,
		 t->trans_devid);
}

/* ---- layout ----------------------------------------------------------------- */

/* The largest 1, 2 or 5 x 10^k ns giving at most @n ticks over @span. */
static uint64_t tick_step(uint64_t span, unsigned int n)
{
	static const unsigned int mult[] = { 1, 2, 5 };
	uint64_t raw = span / (n ? n : 1);

	for (uint64_t mag = 1; mag <= UINT64_MAX / 10; mag *= 10)
		for (unsigned int i = 0; i < 3; i++)
			if (mag * mult[i] >= raw)
				return mag * mult[i];
	return raw;
}

static void plan_axis(struct layout *l)
{
	uint64_t p;

	l->tick = tick_step(l->span,
			    l->plot_w > 2 * TICK_PX ? (unsigned int)(l->plot_w / TICK_PX) : 2);
	l->unit_ns = l->span >= 2000000000ULL ? 1000000000ULL : 1000000ULL;
	l->unit = l->unit_ns == 1000000000ULL ? "s" : "ms";
	/* Enough decimals that every tick is exact. */
	l->decimals = 0;
	for (p = l->unit_ns; p > 1 && l->tick % p; p /= 10)
		l->decimals++;
}

static unsigned int legend_rows(const struct layout *l, double *xs, double *ys, double y0);

static int plan(struct layout *l)
{
	const struct tdv_capture_view *v = l->v;
	size_t label_chars = 24;
	double y;

	l->span = v->end_ns > v->start_ns ? v->end_ns - v->start_ns : 1;
	l->plot_w = (double)l->span / 1e9 * PX_PER_S;
	if (l->plot_w < PLOT_MIN_W)
		l->plot_w = PLOT_MIN_W;
	if (l->plot_w > PLOT_MAX_W)
		l->plot_w = PLOT_MAX_W;
	for (size_t r = 0; r < v->nrows; r++) {
		char buf[96];

		row_label(buf, sizeof(buf), v->rows[r]);
		if (strlen(buf) > label_chars)
			label_chars = strlen(buf);
	}
	l->plot_x = MARGIN + 8 + label_chars * CHAR_W + 12;
	l->width = l->plot_x + l->plot_w + RIGHT_W + MARGIN;
	plan_axis(l);
	y = MARGIN + 16 + 8;
	y += legend_rows(l, NULL, NULL, y) * LEGEND_ROW_H + AXIS_H;
	l->axis_y = y;
	l->vm_y = calloc(v->nvms ? v->nvms : 1, sizeof(*l->vm_y));
	if (!l->vm_y)
		return -ENOMEM;
	for (size_t i = 0; i < v->nvms; i++) {
		l->vm_y[i] = y;
		y += VM_H + v->vms[i].nrows * ROW_H;
	}
	if (!v->nvms)
		y += ROW_H; /* room to say there is nothing */
	l->height = y + AXIS_H + MARGIN;
	return 0;
}

static double row_y(const struct layout *l, size_t row)
{
	size_t vm = l->v->row_vm[row];

	return l->vm_y[vm] + VM_H + (row - l->v->vms[vm].first_row) * ROW_H;
}

/* ---- pieces ----------------------------------------------------------------- */

static void marker(FILE *f, enum tdv_report_kind kind, double x, double y)
{
	/* A kind with no style of its own is a grey circle, never no colour. */
	bool styled = kind < TDV_R_KINDS && kind_style[kind].colour;
	const char *colour = styled ? kind_style[kind].colour : "#444444";
	enum shape shape = styled ? kind_style[kind].shape : CIRCLE;
	const double r = MARK_R;
	const double(*pts)[2] = NULL;
	size_t npts = 0;

	switch (shape) {
	case CIRCLE:
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" class=\"mk\"/>",
			x, y, r, colour);
		return;
	case SQUARE:
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
			"class=\"mk\"/>",
			x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8, colour);
		return;
	case DIAMOND:
		fprintf(f,
			"<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\" "
			"class=\"mk\"/>",
			x, y - r * 1.2, x + r, y, x, y + r * 1.2, x - r, y, colour);
		return;
	case TRI_UP:
	case TRI_DOWN: {
		double s = shape == TRI_UP ? 1 : -1;

		fprintf(f, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\" class=\"mk\"/>",
			x, y - s * r * 1.2, x + r * 1.1, y + s * r * 0.8, x - r * 1.1,
			y + s * r * 0.8, colour);
		return;
	}
	case CROSS:
		fprintf(f,
			"<path d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f\" stroke=\"%s\" "
			"class=\"mks\"/>",
			x - r, y - r, x + r, y + r, x + r, y - r, x - r, y + r, colour);
		return;
	case PLUS:
		fprintf(f,
			"<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1f\" stroke=\"%s\" class=\"mks\"/>",
			x - r * 1.2, y, x + r * 1.2, x, y - r * 1.2, y + r * 1.2, colour);
		return;
	case HEXAGON:
		pts = hexagon;
		npts = sizeof(hexagon) / sizeof(hexagon[0]);
		break;
	case STAR:
		pts = star;
		npts = sizeof(star) / sizeof(star[0]);
		break;
	}
	fputs("<path d=\"", f);
	for (size_t i = 0; i < npts; i++)
		fprintf(f, "%c%.1f %.1f", i ? 'L' : 'M', x + pts[i][0] * r, y + pts[i][1] * r);
	fprintf(f, "Z\" fill=\"%s\" class=\"mk\"/>", colour);
}

struct legend_item {
	const char *name;
	int kind; /* a report kind, or one of the below */
};

enum { L_REFS = -1, L_LIFE = -2, L_LIVE = -3, L_DTE = -4, L_VF = -5 };

static const struct legend_item fixed_items[] = {
	{ "refs (step, row max at right)", L_REFS },
	{ "entry life", L_LIFE },
	{ "still live", L_LIVE },
	{ "translate DTE set", L_DTE },
	{ "VF control registers on it", L_VF },
};

#define NFIXED (sizeof(fixed_items) / sizeof(fixed_items[0]))

static struct legend_item legend_item(size_t i)
{
	if (i < NFIXED)
		return fixed_items[i];
	return (struct legend_item){ tdv_report_kind_name(i - NFIXED), (int)(i - NFIXED) };
}

/* Lay the legend out in rows that fit the width; how many rows. */
static unsigned int legend_rows(const struct layout *l, double *xs, double *ys, double y0)
{
	double x = MARGIN, right = l->width - MARGIN;
	unsigned int rows = 1;

	for (size_t i = 0; i < NFIXED + TDV_R_KINDS; i++) {
		double w = 24 + strlen(legend_item(i).name) * CHAR_W + 16;

		if (x + w > right && x > MARGIN) {
			x = MARGIN;
			rows++;
		}
		if (xs)
			xs[i] = x;
		if (ys)
			ys[i] = y0 + (rows - 1) * LEGEND_ROW_H;
		x += w;
	}
	return rows;
}

static void legend_symbol(FILE *f, int kind, double x, double y)
{
	switch (kind) {
	case L_REFS:
		fprintf(f, "<path d=\"M%.1f %.1fH%.1fV%.1fH%.1f\" class=\"refs\"/>", x, y + 4,
			x + 8, y - 4, x + 18);
		break;
	case L_LIFE:
	case L_LIVE:
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" class=\"%s\"/>",
			x, y - 5, kind == L_LIFE ? "life" : "live");
		break;
	case L_DTE:
	case L_VF:
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"4\" class=\"%s\"/>",
			x, y - 2, kind == L_DTE ? "dte" : "vf");
		break;
	default:
		marker(f, kind, x + 9, y);
	}
}

static void legend(const struct layout *l, double y0)
{
	double xs[NFIXED + TDV_R_KINDS], ys[NFIXED + TDV_R_KINDS];

	legend_rows(l, xs, ys, y0);
	fputs("<g class=\"legend\">\n", l->f);
	for (size_t i = 0; i < NFIXED + TDV_R_KINDS; i++) {
		struct legend_item it = legend_item(i);

		fputs("<g>", l->f);
		legend_symbol(l->f, it.kind, xs[i], ys[i]);
		fprintf(l->f, "<text x=\"%.1f\" y=\"%.1f\">", xs[i] + 24, ys[i] + 4);
		xml_text(l->f, it.name, strlen(it.name));
		fputs("</text></g>\n", l->f);
	}
	fputs("</g>\n", l->f);
}

static void tick_label(const struct layout *l, char *buf, size_t size, uint64_t rel)
{
	snprintf(buf, size, "%.*f %s", l->decimals, (double)rel / l->unit_ns, l->unit);
}

static void axis(const struct layout *l, double rows_end)
{
	FILE *f = l->f;

	fputs("<g class=\"axis\">\n", f);
	fprintf(f, "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fH%.1f\" class=\"base\"/>\n", l->plot_x,
		l->axis_y, l->plot_x + l->plot_w, l->plot_x, rows_end, l->plot_x + l->plot_w);
	for (uint64_t rel = 0; rel <= l->span; rel += l->tick) {
		double x = l->plot_x + (double)rel * l->plot_w / (double)l->span;
		char buf[48];

		tick_label(l, buf, sizeof(buf), rel);
		fprintf(f, "<path d=\"M%.1f %.1fV%.1f\" class=\"grid\"/>", x, l->axis_y - 4,
			rows_end);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%s</text>", x, l->axis_y - 7,
			buf);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%s</text>\n", x,
			rows_end + 14, buf);
		if (l->span - rel < l->tick)
			break;
	}
	fputs("</g>\n", f);
}

static void report_marker(const struct layout *l, size_t i, double y)
{
	const struct tdv_report *r = &l->c->reports[i];
	const char *kind = tdv_report_kind_name(r->kind);

	fputs("<g class=\"report\">", l->f);
	xml_printf(l->f, "title",
		   "%s at %.6f s: %s [%s] seg %u kvmfd %u gen %u trans_devid 0x%04x refs %u "
		   "owner %u (%.16s)",
		   kind ? kind : "unknown", secs(l, r->ts_ns), r->detail,
		   r->lossy ? "lossy" : "exact", r->seg, r->kvmfd, r->gen, r->trans_devid, r->refs,
		   r->owner_tgid, r->owner_comm);
	marker(l->f, r->kind, x_of(l, r->ts_ns), y);
	fputs("</g>\n", l->f);
}

static void vm_header(const struct layout *l, size_t i)
{
	const struct tdv_capture_vm *vm = &l->v->vms[i];
	double y = l->vm_y[i];
	char name[32];

	vm_name(name, sizeof(name), vm->vm);
	fprintf(l->f, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" class=\"vmh\"/>",
		MARGIN, y, l->width - 2 * MARGIN, VM_H);
	fprintf(l->f, "<text x=\"%d\" y=\"%.1f\" class=\"vmt\">", MARGIN + 4, y + 15);
	xml_text(l->f, name, sizeof(name));
	fputs("</text>", l->f);
	fprintf(l->f, "<text x=\"%.1f\" y=\"%.1f\" class=\"vmo\">",
		MARGIN + 4 + (strlen(name) + 2) * CHAR_W, y + 15);
	if (vm->owner_tgid) {
		fprintf(l->f, "pid %u (", vm->owner_tgid);
		xml_text(l->f, vm->owner_comm, sizeof(vm->owner_comm));
		fputs("), ", l->f);
	}
	fprintf(l->f, "%zu entr%s, %zu report%s</text>\n", vm->nrows, vm->nrows == 1 ? "y" : "ies",
		vm->nreports, vm->nreports == 1 ? "" : "s");
}

/* Bands where a point's state holds, merged while it stays the same. */
static void bands(const struct layout *l, size_t row, bool vf, double y)
{
	const struct tdv_timeline *t = l->v->rows[row];
	uint64_t end = l->v->row_end[row];

	for (unsigned int i = 0; i < t->npoints;) {
		const struct tdv_timeline_point *p = &t->points[i];
		unsigned int val = vf ? p->vfctrls : p->dte_set, j = i + 1;
		uint64_t until;

		while (j < t->npoints && (vf ? t->points[j].vfctrls : t->points[j].dte_set) == val)
			j++;
		until = j < t->npoints ? t->points[j].ts_ns : end;
		if (val) {
			double x0 = x_of(l, p->ts_ns), x1 = x_of(l, until);

			fprintf(l->f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"3\" "
				"class=\"%s\">",
				x0, y, x1 - x0 > 1 ? x1 - x0 : 1, vf ? "vf" : "dte");
			if (vf)
				xml_printf(l->f, "title", "%u VF control register(s) %.6f-%.6f s",
					   val, secs(l, p->ts_ns), secs(l, until));
			else
				xml_printf(l->f, "title", "translate DTE set %.6f-%.6f s",
					   secs(l, p->ts_ns), secs(l, until));
			fputs("</rect>", l->f);
		}
		i = j;
	}
}

static void entry_row(const struct layout *l, size_t row)
{
	const struct tdv_timeline *t = l->v->rows[row];
	uint64_t start = l->v->row_start[row], end = l->v->row_end[row];
	double y = row_y(l, row), x0 = x_of(l, start), x1 = x_of(l, end);
	uint32_t maxr = 1;
	char label[96];

	for (unsigned int i = 0; i < t->npoints; i++)
		if (t->points[i].refs > maxr)
			maxr = t->points[i].refs;
	row_label(label, sizeof(label), t);
	fputs("<g class=\"row\">", l->f);
	if ((row - l->v->vms[l->v->row_vm[row]].first_row) % 2)
		fprintf(l->f,
			"<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" class=\"alt\"/>",
			MARGIN, y, l->width - 2 * MARGIN, ROW_H);
	fprintf(l->f, "<text x=\"%d\" y=\"%.1f\" class=\"lbl\">", MARGIN + 8, y + 16);
	xml_text(l->f, label, sizeof(label));
	fputs("</text>\n", l->f);
	fprintf(l->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" class=\"%s\">", x0,
		y + 2, x1 - x0 > 1 ? x1 - x0 : 1, ROW_H - 4, l->v->row_live[row] ? "live" : "life");
	xml_printf(l->f, "title",
		   "%s: owner %u (%.16s), created %.6f s, %s %.6f s (%.6f s), max refs %u, %u "
		   "changes%s",
		   label, t->owner_tgid, t->owner_comm, secs(l, start),
		   l->v->row_live[row] ? "live at end" : "released", secs(l, end),
		   (end - start) / 1e9, maxr, t->npoints, t->truncated ? " (oldest dropped)" : "");
	fputs("</rect>\n", l->f);
	if (t->npoints) {
		double top = y + 4, h = 10;

		fprintf(l->f, "<path d=\"M%.1f %.1f", x_of(l, t->points[0].ts_ns),
			top + h - h * t->points[0].refs / maxr);
		for (unsigned int i = 1; i < t->npoints; i++)
			fprintf(l->f, "H%.1fV%.1f", x_of(l, t->points[i].ts_ns),
				top + h - h * t->points[i].refs / maxr);
		fprintf(l->f, "H%.1f\" class=\"refs\"/>\n", x1);
	}
	bands(l, row, false, y + 15.5);
	bands(l, row, true, y + 19);
	fprintf(l->f, "<text x=\"%.1f\" y=\"%.1f\" class=\"max\">max %u</text>",
		l->plot_x + l->plot_w + 6, y + 15, maxr);
	fputs("</g>\n", l->f);
}

static const char style[] =
	"<style>\n"
	"text{font-family:monospace;font-size:11px;fill:#222}\n"
	".title{font-size:13px;font-weight:bold}\n"
	".vmh{fill:#e3e8ef}.vmt{font-weight:bold}.vmo{fill:#444}\n"
	".alt{fill:#f6f6f6}\n"
	".grid{stroke:#d0d0d0;stroke-width:0.5}.base{stroke:#888;stroke-width:1}\n"
	".tick{font-size:10px;fill:#555;text-anchor:middle}\n"
	".life{fill:#d6e1ef}.live{fill:#d6e1ef;stroke:#6f8fc0;stroke-dasharray:3 2}\n"
	".refs{fill:none;stroke:#1f3a93;stroke-width:1.5}\n"
	".dte{fill:#2ca02c}.vf{fill:#9467bd}\n"
	".max{font-size:9px;fill:#666}\n"
	".mk{stroke:#fff;stroke-width:1}.mks{fill:none;stroke-width:2.5}\n"
	"</style>\n";

static void draw(struct layout *l)
{
	const struct tdv_capture_view *v = l->v;
	FILE *f = l->f;
	double rows_end = l->height - AXIS_H - MARGIN;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\">\n",
		l->width, l->height, l->width, l->height);
	fputs(style, f);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"title\">", MARGIN, MARGIN + 12);
	fprintf(f, "tdvtrace timeline: %zu VM%s, %zu entr%s, %zu report%s over %.6f s</text>\n",
		v->nvms, v->nvms == 1 ? "" : "s", v->nrows, v->nrows == 1 ? "y" : "ies",
		l->c->nreports, l->c->nreports == 1 ? "" : "s",
		(double)(v->end_ns - v->start_ns) / 1e9);
	legend(l, MARGIN + 16 + 8 + 6);
	axis(l, rows_end);
	if (!v->nvms)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">no entries or reports</text>\n", l->plot_x,
			l->axis_y + 16);
	for (size_t i = 0; i < v->nvms; i++) {
		fputs("<g class=\"vm\">\n", f);
		vm_header(l, i);
		for (size_t r = v->vms[i].first_row; r < v->vms[i].first_row + v->vms[i].nrows; r++)
			entry_row(l, r);
		fputs("</g>\n", f);
	}
	/* Markers last, so no row paints over them. */
	for (size_t i = 0; i < l->c->nreports; i++) {
		long row = v->report_row[i];

		report_marker(l, i,
			      row >= 0 ? row_y(l, row) + ROW_H / 2.0
				       : l->vm_y[v->report_vm[i]] + VM_H / 2.0);
	}
	fputs("</svg>\n", f);
}

int tdv_svg_write(FILE *f, const struct tdv_capture *c)
{
	struct tdv_capture_view v;
	struct layout l = { .f = f, .c = c, .v = &v };
	int err;

	if (tdv_capture_view(c, &v))
		return -ENOMEM;
	err = plan(&l);
	if (!err)
		draw(&l);
	free(l.vm_y);
	tdv_capture_view_free(&v);
	if (err)
		return err;
	return ferror(f) ? -EIO : 0;
}
