// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "event_format.h"
#include "json.h"
#include "text_escape.h"

#define EVENT_NAME(KIND, name, ...) [TDV_EV_##KIND] = #name,
static const char *const event_names[TDV_EV_MAX] = { TDV_PROBES(EVENT_NAME) };

/* enum tdv_id_state, as trans_devid_xa names it */
static const char *id_state_name(int32_t state)
{
	static const char *const names[] = { "free", "reserved", "allocated" };

	return state >= 0 && state <= TDV_ID_ALLOCATED ? names[state] : "unknown";
}

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
	char comm[TDV_ESC_SIZE(TDV_COMM_LEN)];

	fprintf(f, "%-12.6f %-14s %-7u %-7u %-16s", rel / 1e9, tdv_event_name(e->kind), e->tgid,
		e->pid, tdv_esc(comm, sizeof(comm), e->comm, sizeof(e->comm)));
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
	if (e->fields & TDV_F_ID_STATE)
		fprintf(f, " id_state=%s", id_state_name(e->id_state));
	fprintf(f, " cpu=%u\n", e->cpu);
}

void tdv_event_print_json(FILE *f, const struct tdv_event *e)
{
	struct tdv_json w;

	tdv_json_init(&w, f);
	tdv_json_start_object(&w);
	tdv_json_uint_field(&w, "ts_ns", e->ts_ns);
	tdv_json_string_field(&w, "event", tdv_event_name(e->kind));
	tdv_json_uint_field(&w, "cpu", e->cpu);
	tdv_json_uint_field(&w, "pid", e->pid);
	tdv_json_uint_field(&w, "tgid", e->tgid);
	tdv_json_string_n_field(&w, "comm", e->comm, sizeof(e->comm));
	if (e->fields & TDV_F_SEG)
		tdv_json_uint_field(&w, "seg", e->seg);
	if (e->fields & TDV_F_KVMFD)
		tdv_json_uint_field(&w, "kvmfd", e->kvmfd);
	if ((e->fields & TDV_F_VM) && e->vm)
		tdv_json_hex_field(&w, "vm", e->vm);
	if (e->fields & TDV_F_TRANS_DEVID)
		tdv_json_uint_field(&w, "trans_devid", e->trans_devid);
	if (e->fields & TDV_F_REFS)
		tdv_json_uint_field(&w, "refs", e->refs);
	if (e->fields & TDV_F_GID)
		tdv_json_uint_field(&w, "gid", e->gid);
	if (e->fields & TDV_F_IOMMU)
		tdv_json_uint_field(&w, "iommu", e->iommu);
	if (e->fields & TDV_F_RET)
		tdv_json_int_field(&w, "ret", e->ret);
	if (e->fields & TDV_F_LAT)
		tdv_json_uint_field(&w, "lat_ns", e->lat_ns);
	if (e->fields & TDV_F_GEN)
		tdv_json_uint_field(&w, "gen", e->gen);
	if (e->fields & TDV_F_NEW)
		tdv_json_bool_field(&w, "new", true);
	if (e->fields & TDV_F_ID_STATE)
		tdv_json_string_field(&w, "id_state", id_state_name(e->id_state));
	tdv_json_end_object(&w);
	tdv_json_end_line(&w);
}
