/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output that knows why it failed. A stdio stream over a file descriptor
 * (fopencookie) whose writes remember the errno of the first failure, so
 * a command can tell a reader that went away (EPIPE: stop quietly, as on
 * SIGINT) from a real write error (ENOSPC, EIO: say so, exit 1). SIGPIPE is
 * ignored by tdvtrace, so a closed pipe is an EPIPE whether or not the
 * parent ignored it.
 */
#ifndef TDV_OUTPUT_H
#define TDV_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

struct tdv_output {
	FILE *f;
	int fd;
	bool owns_fd;	  /* closed with the stream */
	bool wrote;	  /* a byte reached @fd */
	bool told;	  /* the error was said on stderr */
	int err;	  /* -errno of the first failed write, or 0 */
	const char *name; /* for messages: "standard output" or a path */
};

/*
 * A stream over @fd (line-buffered on a terminal, else fully buffered);
 * @owns_fd: closed by tdv_output_close(). 0 or -errno.
 */
int tdv_output_open(struct tdv_output *o, int fd, bool owns_fd, const char *name);

/*
 * Make the process's stdout such a stream over fd 1 (glibc lets stdout be
 * assigned), so every printer that writes to stdout is checked. Ignores
 * SIGPIPE. Call once, before any output.
 */
void tdv_output_take_stdout(void);

/* The stream tdv_output_take_stdout() made (NULL before). */
struct tdv_output *tdv_stdout(void);

/*
 * Flush, and say whether output still works: 0, or the -errno of the
 * first failed write. A pipe or socket whose reader has gone counts as
 * -EPIPE as soon as something was written, before the next write.
 */
int tdv_output_check(struct tdv_output *o);

/*
 * A command's exit status after its output: flush; a reader that went
 * away (EPIPE) changes nothing; another write error is said once on stderr
 * ("tdvtrace: writing NAME: ERROR") and turns @status into TDV_EXIT_ENV.
 */
int tdv_output_status(struct tdv_output *o, int status);

/* Flush and close (the fd too if owned); the -errno of the first failure or 0. */
int tdv_output_close(struct tdv_output *o);

#endif /* TDV_OUTPUT_H */
