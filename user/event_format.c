// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "event_format.h"

#define EVENT_NAME(KIND, name, ...) [TDV_EV_##KIND] = #name,
static const char *const event_names[TDV_EV_MAX] = { TDV_PROBES(EVENT_NAME) };

const char *tdv_event_name(uint32_t kind)
{
	return kind < TDV_EV_MAX ? event_names[kind] : NULL;
}

uint32_t tdv_event_kind(const char *name)
{
	for (uint32_t k = 1; k < TDV_EV_MAX; k++)
		if (!strcmp(event_names[k], name))
			return k;
	return 0;
}

int tdv_event_decode(const void *data, size_t size, struct tdv_event *out)
{
	struct tdv_event e;

	if (size < sizeof(e))
		return -EINVAL;
	memcpy(&e, data, sizeof(e));
	if (!tdv_event_name(e.kind) || (e.fields & ~TDV_F_ALL))
		return -EINVAL;
	e.comm[TDV_COMM_LEN - 1] = '\0';
	*out = e;
	return 0;
}

void tdv_event_print_text_header(FILE *f)
{
	fprintf(f, "%-12s %-14s %-7s %-7s %-16s %s\n", "TIME(s)", "EVENT", "PID", "TID", "COMM",
		"DETAILS");
}

void tdv_event_print_text(FILE *f, const struct tdv_event *e, uint64_t start_ns)
{
	uint64_t rel = e->ts_ns > start_ns ? e->ts_ns - start_ns : 0;

	fprintf(f, "%-12.6f %-14s %-7u %-7u %-16s", rel / 1e9, tdv_event_name(e->kind), e->tgid,
		e->pid, e->comm);
	if (e->fields & TDV_F_SEG)
		fprintf(f, " seg=%u", e->seg);
	if (e->fields & TDV_F_IOMMU)
		fprintf(f, " iommu=0x%04x", e->iommu);
	if (e->fields & TDV_F_GID)
		fprintf(f, " gid=%u", e->gid);
	if (e->fields & TDV_F_KVMFD)
		fprintf(f, " kvmfd=%u", e->kvmfd);
	if (e->fields & TDV_F_GEN)
		fprintf(f, " gen=%u", e->gen);
	if (e->fields & TDV_F_TRANS_DEVID)
		fprintf(f, " trans_devid=0x%04x", e->trans_devid);
	if (e->fields & TDV_F_REFS)
		fprintf(f, " refs=%u", e->refs);
	if (e->fields & TDV_F_RET)
		fprintf(f, " ret=%d", e->ret);
	if (e->fields & TDV_F_LAT)
		fprintf(f, " lat=%.3fus", e->lat_ns / 1e3);
	if (e->fields & TDV_F_VM)
		fprintf(f, " vm=0x%" PRIx64, (uint64_t)e->vm);
	if (e->fields & TDV_F_NEW)
		fputs(" new", f);
	fprintf(f, " cpu=%u\n", e->cpu);
}

void tdv_json_string(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c); /* comm is bytes, not UTF-8 */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void tdv_event_print_json(FILE *f, const struct tdv_event *e)
{
	fprintf(f,
		"{\"ts_ns\":%" PRIu64 ",\"event\":\"%s\",\"cpu\":%u,"
		"\"pid\":%u,\"tgid\":%u,\"comm\":",
		(uint64_t)e->ts_ns, tdv_event_name(e->kind), e->cpu, e->pid, e->tgid);
	tdv_json_string(f, e->comm, sizeof(e->comm));
	if (e->fields & TDV_F_SEG)
		fprintf(f, ",\"seg\":%u", e->seg);
	if (e->fields & TDV_F_KVMFD)
		fprintf(f, ",\"kvmfd\":%u", e->kvmfd);
	/* A kernel pointer exceeds 2^53: a string, so no JSON reader rounds it. */
	if (e->fields & TDV_F_VM)
		fprintf(f, ",\"vm\":\"0x%" PRIx64 "\"", (uint64_t)e->vm);
	if (e->fields & TDV_F_TRANS_DEVID)
		fprintf(f, ",\"trans_devid\":%u", e->trans_devid);
	if (e->fields & TDV_F_REFS)
		fprintf(f, ",\"refs\":%u", e->refs);
	if (e->fields & TDV_F_GID)
		fprintf(f, ",\"gid\":%u", e->gid);
	if (e->fields & TDV_F_IOMMU)
		fprintf(f, ",\"iommu\":%u", e->iommu);
	if (e->fields & TDV_F_RET)
		fprintf(f, ",\"ret\":%d", e->ret);
	if (e->fields & TDV_F_LAT)
		fprintf(f, ",\"lat_ns\":%" PRIu64, (uint64_t)e->lat_ns);
	if (e->fields & TDV_F_GEN)
		fprintf(f, ",\"gen\":%u", e->gen);
	if (e->fields & TDV_F_NEW)
		fputs(",\"new\":true", f);
	fputs("}\n", f);
}
