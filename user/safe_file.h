/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files tdvtrace creates and reads as root, in directories others may
 * write to (README "Files").
 *
 * Output is written to a temporary file beside its name, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (so never through a planted symlink, never
 * into an existing file, never truncating or chmod-ing anything), and
 * renamed onto the name when the caller commits it: an existing file is
 * replaced only with --force (and then the name is replaced, never what a
 * symlink there points to); without it the rename refuses to replace
 * anything, even a file that appeared meanwhile (RENAME_NOREPLACE, or
 * link(2); only a file system with neither gets a look before the rename).
 * A command that fails
 * before committing leaves nothing behind. `record` commits once the
 * recording's head is written and tracing runs, so the file has its name
 * while it grows; `report` commits when the whole output is written.
 *
 * Input is read whole with read(2), never mapped (a file truncated under a
 * mapping is SIGBUS), only from a regular file or standard input ("-"),
 * and up to a size limit.
 */
#ifndef TDV_SAFE_FILE_H
#define TDV_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct tdv_new_file {
	char *path; /* the name it gets */
	char *tmp;  /* the temporary beside it, until committed */
	int fd;	    /* open for writing; the caller's to close */
	bool force; /* an existing regular file (or symlink) at @path may go */
	bool committed;
};

/*
 * Create the temporary file for @path, mode @mode & ~umask (also when the
 * umask is 0). Refused, before anything is created: @path exists and
 * @force is false; @path is a directory, a device, a FIFO or a socket.
 * 0, or -errno with a message naming @path in @err.
 */
int tdv_new_file_create(struct tdv_new_file *nf, const char *path, mode_t mode, bool force,
			char *err, size_t errlen);

/* Give the file its name: 0, or -errno with a message in @err (-EEXIST: it appeared). */
int tdv_new_file_commit(struct tdv_new_file *nf, char *err, size_t errlen);

/* Remove the temporary file unless committed, and free the names (not the fd). */
void tdv_new_file_end(struct tdv_new_file *nf);

/*
 * Read @path ("-": standard input) whole into a malloc'd @buf of @len
 * bytes, and its fstat into @st. Only a regular file or standard input;
 * more than @max bytes is refused (-EFBIG). 0, or -errno with the reason in
 * @err (without @path).
 */
int tdv_read_whole(const char *path, size_t max, uint8_t **buf, size_t *len, struct stat *st,
		   char *err, size_t errlen);

#endif /* TDV_SAFE_FILE_H */
