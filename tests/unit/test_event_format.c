// SPDX-License-Identifier: GPL-2.0
/* Decoding and printing of ring-buffer records: exact output. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "event_format.h"

static char *render(void (*print)(FILE *, const struct tdv_event *, uint64_t),
		    const struct tdv_event *e, uint64_t start)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	print(f, e, start);
	fclose(f);
	return buf;
}

static void print_json(FILE *f, const struct tdv_event *e, uint64_t start)
{
	tdv_event_print_json(f, e);
}

static struct tdv_event get_event(void)
{
	struct tdv_event e = {
		.ts_ns = 5001234567ULL,
		.vm = 0xffff888012345600ULL,
		.lat_ns = 12345,
		.kind = TDV_EV_GET,
		.fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_VM | TDV_F_TRANS_DEVID | TDV_F_REFS |
			  TDV_F_RET | TDV_F_LAT | TDV_F_GEN,
		.cpu = 1,
		.pid = 101,
		.tgid = 100,
		.kvmfd = 4,
		.ret = 0,
		.refs = 2,
		.gen = 3,
		.seg = 1,
		.trans_devid = 0xffff,
	};

	strcpy(e.comm, "qemu-system");
	return e;
}

static void test_json_get(void **state)
{
	struct tdv_event e = get_event();
	char *out = render(print_json, &e, 0);

	assert_string_equal(out, "{\"ts_ns\":5001234567,\"event\":\"get\",\"cpu\":1,\"pid\":101,"
				 "\"tgid\":100,\"comm\":\"qemu-system\",\"seg\":1,\"kvmfd\":4,"
				 "\"vm\":\"0xffff888012345600\",\"trans_devid\":65535,\"refs\":2,"
				 "\"ret\":0,\"lat_ns\":12345,\"gen\":3}\n");
	free(out);
}

/* Fields whose bit is clear are omitted, even when their value is not 0. */
static void test_json_omits_absent_fields(void **state)
{
	struct tdv_event e = get_event();
	char *out;

	e.kind = TDV_EV_VFCTRL;
	e.fields = TDV_F_SEG | TDV_F_GID | TDV_F_IOMMU | TDV_F_TRANS_DEVID;
	e.gid = 7;
	e.iommu = 0x42;
	e.trans_devid = 0;
	out = render(print_json, &e, 0);
	assert_string_equal(out,
			    "{\"ts_ns\":5001234567,\"event\":\"vfctrl\",\"cpu\":1,\"pid\":101,"
			    "\"tgid\":100,\"comm\":\"qemu-system\",\"seg\":1,\"trans_devid\":0,"
			    "\"gid\":7,\"iommu\":66}\n");
	free(out);
}

static void test_json_escapes_comm(void **state)
{
	struct tdv_event e = get_event();
	char *out;

	e.fields = 0;
	e.kind = TDV_EV_PROC_EXIT;
	memcpy(e.comm, "a\"b\\c\n\x01\xff", 9);
	out = render(print_json, &e, 0);
	assert_string_equal(out,
			    "{\"ts_ns\":5001234567,\"event\":\"proc_exit\",\"cpu\":1,\"pid\":101,"
			    "\"tgid\":100,\"comm\":\"a\\\"b\\\\c\\u000a\\u0001\\u00ff\"}\n");
	free(out);
}

/* A vm the BPF side could not resolve (0) is omitted, not "0x0". */
static void test_json_omits_unknown_vm(void **state)
{
	struct tdv_event e = get_event();
	char *out;

	e.vm = 0;
	out = render(print_json, &e, 0);
	assert_string_equal(out, "{\"ts_ns\":5001234567,\"event\":\"get\",\"cpu\":1,\"pid\":101,"
				 "\"tgid\":100,\"comm\":\"qemu-system\",\"seg\":1,\"kvmfd\":4,"
				 "\"trans_devid\":65535,\"refs\":2,\"ret\":0,\"lat_ns\":12345,"
				 "\"gen\":3}\n");
	free(out);
}

/* A UTF-8 comm as it is; a multi-byte character cut at 15 bytes escaped. */
static void test_json_utf8_comm(void **state)
{
	struct tdv_event e = get_event();
	char *out;

	e.fields = 0;
	e.kind = TDV_EV_PROC_EXIT;
	strcpy(e.comm, "vm-caf\xc3\xa9");
	out = render(print_json, &e, 0);
	assert_non_null(strstr(out, ",\"comm\":\"vm-caf\xc3\xa9\"}\n"));
	free(out);
	/* 15 bytes: three euro signs and the first byte of a fourth */
	strcpy(e.comm, "qemu-\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2");
	assert_int_equal(strlen(e.comm), TDV_COMM_LEN - 1);
	out = render(print_json, &e, 0);
	assert_non_null(
		strstr(out, ",\"comm\":\"qemu-\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\\u00e2\"}\n"));
	free(out);
}

static void test_text_get(void **state)
{
	struct tdv_event e = get_event();
	char *out = render(tdv_event_print_text, &e, 1000000000ULL);

	assert_string_equal(out, "4.001235     get            100     101     qemu-system     "
				 " seg=1 kvmfd=4 gen=3 trans_devid=0xffff refs=2 ret=0 "
				 "lat=12.345us vm=0xffff888012345600 cpu=1\n");
	free(out);
}

/* A final put with no id_free inside: what trans_devid_xa said at its return. */
static void test_put_id_state(void **state)
{
	struct tdv_event e = get_event();
	char *out;

	e.kind = TDV_EV_PUT;
	e.fields = TDV_F_SEG | TDV_F_KVMFD | TDV_F_TRANS_DEVID | TDV_F_REFS | TDV_F_ID_STATE;
	e.refs = 0;
	e.id_state = TDV_ID_ALLOCATED;
	out = render(print_json, &e, 0);
	assert_string_equal(out, "{\"ts_ns\":5001234567,\"event\":\"put\",\"cpu\":1,\"pid\":101,"
				 "\"tgid\":100,\"comm\":\"qemu-system\",\"seg\":1,\"kvmfd\":4,"
				 "\"trans_devid\":65535,\"refs\":0,\"id_state\":\"allocated\"}\n");
	free(out);
	e.id_state = TDV_ID_FREE;
	out = render(tdv_event_print_text, &e, 1000000000ULL);
	assert_string_equal(out, "4.001235     put            100     101     qemu-system     "
				 " seg=1 kvmfd=4 trans_devid=0xffff refs=0 id_state=free cpu=1\n");
	free(out);
}

/* A comm cannot end the line, move the cursor or forge a field. */
static void test_text_escapes_comm(void **state)
{
	struct tdv_event e = get_event();
	char *out;

	memcpy(e.comm, "a\nb\x1b[2J\\ x=\xff", 13);
	out = render(tdv_event_print_text, &e, 1000000000ULL);
	assert_string_equal(out, "4.001235     get            100     101     "
				 "a\\x0ab\\x1b[2J\\\\ x=\\xff"
				 " seg=1 kvmfd=4 gen=3 trans_devid=0xffff refs=2 ret=0 "
				 "lat=12.345us vm=0xffff888012345600 cpu=1\n");
	free(out);
}

static void test_decode_rejects_short_and_unknown(void **state)
{
	struct tdv_event e = get_event(), out;

	assert_int_equal(tdv_event_decode(&e, sizeof(e) - 1, &out), -EINVAL);
	e.kind = TDV_EV_MAX;
	assert_int_equal(tdv_event_decode(&e, sizeof(e), &out), -EINVAL);
	e.kind = 0;
	assert_int_equal(tdv_event_decode(&e, sizeof(e), &out), -EINVAL);
	e.kind = TDV_EV_PUT;
	e.fields = TDV_F_ALL + 1;
	assert_int_equal(tdv_event_decode(&e, sizeof(e), &out), -EINVAL);
}

static void test_decode_terminates_comm(void **state)
{
	struct tdv_event e = get_event(), out;

	memset(e.comm, 'x', sizeof(e.comm));
	assert_int_equal(tdv_event_decode(&e, sizeof(e), &out), 0);
	assert_int_equal(strlen(out.comm), TDV_COMM_LEN - 1);
	assert_int_equal(out.trans_devid, 0xffff);
}

static void test_names_round_trip(void **state)
{
	for (uint32_t k = 1; k < TDV_EV_MAX; k++)
		assert_int_equal(tdv_event_kind(tdv_event_name(k)), k);
	assert_null(tdv_event_name(0));
	assert_null(tdv_event_name(TDV_EV_MAX));
	assert_int_equal(tdv_event_kind("nope"), 0);
	assert_string_equal(tdv_event_name(TDV_EV_VIOMMU_DESTROY), "viommu_destroy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_get),
		cmocka_unit_test(test_json_omits_absent_fields),
		cmocka_unit_test(test_json_escapes_comm),
		cmocka_unit_test(test_text_escapes_comm),
		cmocka_unit_test(test_json_omits_unknown_vm),
		cmocka_unit_test(test_json_utf8_comm),
		cmocka_unit_test(test_text_get),
		cmocka_unit_test(test_put_id_state),
		cmocka_unit_test(test_decode_rejects_short_and_unknown),
		cmocka_unit_test(test_decode_terminates_comm),
		cmocka_unit_test(test_names_round_trip),
	};

	return cmocka_run_group_tests_name("event_format", tests, NULL, NULL);
}
