// SPDX-License-Identifier: GPL-2.0
/* Checked output: a closed pipe is quiet, a write error is an exit status. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "options.h"
#include "output.h"

/* What @o's status said on stderr, into @buf. */
static int status_said(struct tdv_output *o, int status, char *buf, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO), ret;
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(tmp), STDERR_FILENO), STDERR_FILENO);
	ret = tdv_output_status(o, status);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return ret;
}

static void test_closed_pipe_is_quiet(void **state)
{
	struct tdv_output o;
	char said[256];
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_int_equal(tdv_output_open(&o, p[1], true, "standard output"), 0);
	fputs("a line\n", o.f);
	assert_int_equal(tdv_output_check(&o), -EPIPE);
	/* Later writes fail at once and keep the first cause. */
	fputs("more\n", o.f);
	assert_int_equal(tdv_output_check(&o), -EPIPE);
	assert_int_equal(status_said(&o, TDV_EXIT_OK, said, sizeof(said)), TDV_EXIT_OK);
	assert_string_equal(said, "");
	assert_int_equal(status_said(&o, TDV_EXIT_FOUND, said, sizeof(said)), TDV_EXIT_FOUND);
	assert_int_equal(tdv_output_close(&o), -EPIPE);
}

/* `trace | head -1`: head has gone; noticed with no further write. */
static void test_reader_gone_before_the_next_write(void **state)
{
	struct tdv_output o;
	char buf[16];
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(tdv_output_open(&o, p[1], true, "standard output"), 0);
	/* Nothing written yet: a pipe with no reader does not end a quiet command. */
	close(p[0]);
	assert_int_equal(tdv_output_check(&o), 0);
	tdv_output_close(&o);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(tdv_output_open(&o, p[1], true, "standard output"), 0);
	fputs("header\n", o.f);
	assert_int_equal(tdv_output_check(&o), 0);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 7);
	assert_int_equal(tdv_output_check(&o), 0);
	close(p[0]);
	assert_int_equal(tdv_output_check(&o), -EPIPE);
	tdv_output_close(&o);
}

static void test_full_disk_is_an_error(void **state)
{
	struct tdv_output o;
	char said[256];
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		skip();
	assert_int_equal(tdv_output_open(&o, fd, true, "standard output"), 0);
	fputs("x\n", o.f);
	assert_int_equal(tdv_output_check(&o), -ENOSPC);
	assert_int_equal(status_said(&o, TDV_EXIT_FOUND, said, sizeof(said)), TDV_EXIT_ENV);
	assert_string_equal(said, "tdvtrace: writing standard output: No space left on device\n");
	/* Said once. */
	assert_int_equal(status_said(&o, TDV_EXIT_OK, said, sizeof(said)), TDV_EXIT_ENV);
	assert_string_equal(said, "");
	/* Bad usage stays bad usage. */
	assert_int_equal(status_said(&o, TDV_EXIT_USAGE, said, sizeof(said)), TDV_EXIT_USAGE);
	assert_int_equal(tdv_output_close(&o), -ENOSPC);
}

static void test_file_written_whole(void **state)
{
	char path[] = "/tmp/tdv-output-XXXXXX", buf[64];
	struct tdv_output o;
	int fd = mkstemp(path), rfd;

	assert_true(fd >= 0);
	assert_int_equal(tdv_output_open(&o, fd, true, path), 0);
	for (int i = 0; i < 3; i++)
		fprintf(o.f, "line %d\n", i);
	assert_int_equal(tdv_output_check(&o), 0);
	assert_int_equal(tdv_output_close(&o), 0);
	rfd = open(path, O_RDONLY);
	assert_int_equal(read(rfd, buf, sizeof(buf)), 21);
	assert_memory_equal(buf, "line 0\nline 1\nline 2\n", 21);
	close(rfd);
	unlink(path);
	/* NULL (stdout not taken) checks nothing. */
	assert_int_equal(tdv_output_check(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_pipe_is_quiet),
		cmocka_unit_test(test_reader_gone_before_the_next_write),
		cmocka_unit_test(test_full_disk_is_an_error),
		cmocka_unit_test(test_file_written_whole),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
