// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "options.h"
#include "output.h"

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
	struct tdv_output *o = cookie;
	size_t done = 0;

	/* Once broken, nothing more is tried: glibc gives 0 as the error. */
	while (!o->err && done < size) {
		ssize_t k = write(o->fd, buf + done, size - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			o->err = k < 0 ? -errno : -EIO;
			break;
		}
		done += k;
		o->wrote = true;
	}
	return done;
}

static int cookie_close(void *cookie)
{
	struct tdv_output *o = cookie;

	if (o->owns_fd && close(o->fd) && !o->err && errno != EINTR)
		o->err = -errno;
	return o->err ? -1 : 0;
}

int tdv_output_open(struct tdv_output *o, int fd, bool owns_fd, const char *name)
{
	cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };

	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->owns_fd = owns_fd;
	o->name = name;
	o->f = fopencookie(o, "w", io);
	if (!o->f)
		return -errno;
	if (isatty(fd))
		setvbuf(o->f, NULL, _IOLBF, 0);
	return 0;
}

static struct tdv_output std_out;

/* argp's --help and --usage exit(0) by themselves: their output is checked here. */
static void check_at_exit(void)
{
	if (!std_out.told && tdv_output_status(&std_out, TDV_EXIT_OK) != TDV_EXIT_OK)
		_exit(TDV_EXIT_ENV);
}

void tdv_output_take_stdout(void)
{
	signal(SIGPIPE, SIG_IGN);
	/* Without memory for a stream, stdout stays as it was: unchecked. */
	if (tdv_output_open(&std_out, STDOUT_FILENO, false, "standard output"))
		return;
	stdout = std_out.f;
	atexit(check_at_exit);
}

struct tdv_output *tdv_stdout(void)
{
	return std_out.f ? &std_out : NULL;
}

/* A pipe or socket with no reader left: the next write would be EPIPE. */
static bool reader_gone(int fd)
{
	struct pollfd p = { .fd = fd };
	struct stat st;

	if (fstat(fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return false;
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

int tdv_output_check(struct tdv_output *o)
{
	if (!o)
		return 0;
	fflush(o->f);
	if (!o->err && ferror(o->f))
		o->err = -EIO; /* a failure that did not come through the cookie */
	if (!o->err && o->wrote && reader_gone(o->fd))
		o->err = -EPIPE;
	return o->err;
}

int tdv_output_status(struct tdv_output *o, int status)
{
	int err = tdv_output_check(o);

	if (!err || err == -EPIPE)
		return status;
	if (!o->told)
		fprintf(stderr, "tdvtrace: writing %s: %s\n", o->name, strerror(-err));
	o->told = true;
	return status == TDV_EXIT_USAGE ? status : TDV_EXIT_ENV;
}

int tdv_output_close(struct tdv_output *o)
{
	int err;

	tdv_output_check(o);
	fclose(o->f);
	err = o->err;
	o->f = NULL;
	return err;
}
