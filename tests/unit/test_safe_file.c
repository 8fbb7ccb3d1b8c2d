// SPDX-License-Identifier: GPL-2.0
/*
 * Output files as root in a folder others write to: never through a
 * planted symlink, never over a file unless forced, nothing left behind on
 * failure; input only from regular files or standard input, size-capped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "safe_file.h"

static char dir[64];

static void at(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* The folder's entries, sorted, space-separated: what a command left. */
static void listing(char *out, size_t len)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	size_t used = 0;

	assert_true(n >= 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			used += snprintf(out + used, len - used, "%s%s", used ? " " : "",
					 names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void expect_content(const char *path, const char *text)
{
	char buf[256] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	assert_string_equal(buf, text);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/tdv-safe-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int clean(void **state)
{
	struct dirent *d;
	char path[512];
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.' && (!d->d_name[1] || !strcmp(d->d_name, "..")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	return 0;
}

static int teardown(void **state)
{
	clean(state);
	return rmdir(dir);
}

/* The name appears only at commit, with what was written, mode 0600 whatever the umask. */
static void test_create_commit(void **state)
{
	struct tdv_new_file nf;
	char path[128], list[512], err[512];
	mode_t old = umask(0);
	struct stat st;

	at(path, sizeof(path), "out.rec");
	assert_int_equal(tdv_new_file_create(&nf, path, 0600, false, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(strncmp(nf.tmp, dir, strlen(dir)), 0);
	assert_int_equal(strncmp(nf.tmp + strlen(dir), "/.out.rec.", 10), 0);
	assert_int_equal(fstat(nf.fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(write(nf.fd, "data", 4), 4);
	assert_int_equal(tdv_new_file_commit(&nf, err, sizeof(err)), 0);
	close(nf.fd);
	tdv_new_file_end(&nf);
	listing(list, sizeof(list));
	assert_string_equal(list, "out.rec");
	expect_content(path, "data");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	clean(state);

	/* report's 0666 takes the umask, as fopen did. */
	old = umask(022);
	assert_int_equal(tdv_new_file_create(&nf, path, 0666, false, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(fstat(nf.fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	close(nf.fd);
	tdv_new_file_end(&nf);
	listing(list, sizeof(list));
	assert_string_equal(list, ""); /* never committed: nothing left */
}

/* A symlink planted at the name: its target is never opened, truncated or chmod-ed. */
static void test_planted_symlink(void **state)
{
	struct tdv_new_file nf;
	char path[128], victim[128], list[512], err[512], want[600];
	struct stat st;

	at(victim, sizeof(victim), "shadow");
	at(path, sizeof(path), "out.rec");
	put(victim, "secret", 0640);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(tdv_new_file_create(&nf, path, 0600, false, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want), "%s exists: give --force to replace it", path);
	assert_string_equal(err, want);
	listing(list, sizeof(list));
	assert_string_equal(list, "out.rec shadow");

	/* --force replaces the link itself. */
	assert_int_equal(tdv_new_file_create(&nf, path, 0600, true, err, sizeof(err)), 0);
	assert_int_equal(write(nf.fd, "report", 6), 6);
	assert_int_equal(tdv_new_file_commit(&nf, err, sizeof(err)), 0);
	close(nf.fd);
	tdv_new_file_end(&nf);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	expect_content(path, "report");
	expect_content(victim, "secret");
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	listing(list, sizeof(list));
	assert_string_equal(list, "out.rec shadow");
	clean(state);
}

/* An existing file: refused untouched, or with --force replaced (new inode, new mode). */
static void test_existing_file(void **state)
{
	struct tdv_new_file nf;
	char path[128], err[512];
	struct stat before, after;

	at(path, sizeof(path), "old.rec");
	put(path, "old", 0666);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(tdv_new_file_create(&nf, path, 0600, false, err, sizeof(err)), -EEXIST);
	expect_content(path, "old");
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_mode & 07777, 0666);

	assert_int_equal(tdv_new_file_create(&nf, path, 0600, true, err, sizeof(err)), 0);
	/* Until the commit the old file is whole. */
	expect_content(path, "old");
	assert_int_equal(write(nf.fd, "new", 3), 3);
	assert_int_equal(tdv_new_file_commit(&nf, err, sizeof(err)), 0);
	close(nf.fd);
	tdv_new_file_end(&nf);
	expect_content(path, "new");
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_mode & 07777, 0600);
	assert_true(after.st_ino != before.st_ino);
	clean(state);
}

/* A file (or link) that appears between create and commit is not replaced. */
static void test_appears_meanwhile(void **state)
{
	struct tdv_new_file nf;
	char path[128], list[512], err[512], want[600];

	at(path, sizeof(path), "race.rec");
	assert_int_equal(tdv_new_file_create(&nf, path, 0600, false, err, sizeof(err)), 0);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(tdv_new_file_commit(&nf, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want), "%s appeared meanwhile: give --force to replace it", path);
	assert_string_equal(err, want);
	close(nf.fd);
	tdv_new_file_end(&nf);
	listing(list, sizeof(list));
	assert_string_equal(list, "race.rec");
	clean(state);
}

static void test_refused_targets(void **state)
{
	struct tdv_new_file nf;
	char path[128], list[512], err[512], want[600];

	assert_int_equal(tdv_new_file_create(&nf, dir, 0600, true, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "cannot create %s: it is a directory", dir);
	assert_string_equal(err, want);
	assert_int_equal(tdv_new_file_create(&nf, "/dev/null", 0600, true, err, sizeof(err)),
			 -EEXIST);
	assert_string_equal(err, "will not replace /dev/null: it is not a regular file (a "
				 "device, FIFO or socket)");
	at(path, sizeof(path), "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tdv_new_file_create(&nf, path, 0600, true, err, sizeof(err)), -EEXIST);
	at(path, sizeof(path), "no/such/dir.rec");
	assert_int_equal(tdv_new_file_create(&nf, path, 0600, false, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "cannot create %s: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	assert_int_equal(tdv_new_file_create(&nf, "", 0600, false, err, sizeof(err)), -EINVAL);
	listing(list, sizeof(list));
	assert_string_equal(list, "fifo");
	clean(state);
}

static void test_read_whole(void **state)
{
	char path[128], err[256], want[300];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;

	at(path, sizeof(path), "in.rec");
	put(path, "0123456789", 0600);
	assert_int_equal(tdv_read_whole(path, 10, &buf, &len, &st, err, sizeof(err)), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(buf, "0123456789", 10);
	assert_true(S_ISREG(st.st_mode));
	free(buf);

	/* One byte over the limit: refused, saying why and what to do. */
	assert_int_equal(tdv_read_whole(path, 9, &buf, &len, &st, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "larger than 9 bytes, the most report reads (it holds the "
				 "recording in memory): record shorter (-d) or narrower (-p, "
				 "--seg, --kvmfd) runs");
	assert_int_equal(tdv_read_whole(path, 1 << 20, &buf, &len, &st, err, sizeof(err)), 0);
	free(buf);

	/* An empty file is read, as nothing. */
	put(path, "", 0600);
	assert_int_equal(tdv_read_whole(path, 9, &buf, &len, &st, err, sizeof(err)), 0);
	assert_int_equal(len, 0);
	free(buf);

	/* Not regular: refused at once, a FIFO without waiting for a writer. */
	snprintf(want, sizeof(want),
		 "cannot read: not a regular file (give a recording file, "
		 "or - and the recording on standard input)");
	assert_int_equal(tdv_read_whole("/dev/zero", 1 << 30, &buf, &len, &st, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(tdv_read_whole(dir, 1 << 30, &buf, &len, &st, err, sizeof(err)), -EINVAL);
	at(path, sizeof(path), "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tdv_read_whole(path, 1 << 30, &buf, &len, &st, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	at(path, sizeof(path), "absent");
	assert_int_equal(tdv_read_whole(path, 9, &buf, &len, &st, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "cannot read: %s", strerror(ENOENT));
	assert_string_equal(err, want);
	clean(state);
}

/* Standard input: a stream, so the limit is met while reading. */
static void test_read_stdin(void **state)
{
	char err[256];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	int p[2], saved = dup(STDIN_FILENO);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abcdef", 6), 6);
	close(p[1]);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	assert_int_equal(tdv_read_whole("-", 5, &buf, &len, &st, err, sizeof(err)), -EFBIG);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "abcdef", 6), 6);
	close(p[1]);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	assert_int_equal(tdv_read_whole("-", 6, &buf, &len, &st, err, sizeof(err)), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "abcdef", 6);
	free(buf);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_commit),	cmocka_unit_test(test_planted_symlink),
		cmocka_unit_test(test_existing_file),	cmocka_unit_test(test_appears_meanwhile),
		cmocka_unit_test(test_refused_targets), cmocka_unit_test(test_read_whole),
		cmocka_unit_test(test_read_stdin),
	};

	return cmocka_run_group_tests_name("safe_file", tests, setup, teardown);
}
