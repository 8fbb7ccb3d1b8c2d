// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "grow.h"
#include "safe_file.h"

/* "DIR/.NAME.XXXXXX" beside @path, for mkostemp. */
static char *temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	char *tmp;

	if (asprintf(&tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen) < 0)
		return NULL;
	return tmp;
}

/* Why @path may not be created (or replaced): 0, or -errno with @err set. */
static int check_target(const char *path, bool force, char *err, size_t errlen)
{
	struct stat st;

	if (!*path || path[strlen(path) - 1] == '/') {
		snprintf(err, errlen, "cannot create %s: not a file name", path);
		return -EINVAL;
	}
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0; /* the directory's absence shows at create */
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot create %s: it is a directory", path);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
			 "will not replace %s: it is not a regular file (a device, FIFO or socket)",
			 path);
		return -EEXIST;
	}
	if (!force) {
		snprintf(err, errlen, "%s exists: give --force to replace it", path);
		return -EEXIST;
	}
	return 0;
}

int tdv_new_file_create(struct tdv_new_file *nf, const char *path, mode_t mode, bool force,
			char *err, size_t errlen)
{
	mode_t mask = umask(0);
	int ret;

	umask(mask);
	memset(nf, 0, sizeof(*nf));
	nf->fd = -1;
	nf->force = force;
	ret = check_target(path, force, err, errlen);
	if (ret)
		return ret;
	nf->path = strdup(path);
	nf->tmp = temp_name(path);
	if (!nf->path || !nf->tmp) {
		ret = -ENOMEM;
		goto fail;
	}
	/* O_EXCL: a name that exists, a symlink too, is never opened. */
	nf->fd = mkostemp(nf->tmp, O_CLOEXEC | O_NOFOLLOW);
	if (nf->fd < 0) {
		ret = -errno;
		free(nf->tmp);
		nf->tmp = NULL;
		goto fail;
	}
	if (fchmod(nf->fd, mode & ~mask)) {
		ret = -errno;
		goto fail;
	}
	return 0;

fail:
	snprintf(err, errlen, "cannot create %s: %s", path, strerror(-ret));
	if (nf->fd >= 0)
		close(nf->fd);
	nf->fd = -1;
	tdv_new_file_end(nf);
	return ret;
}

int tdv_new_file_commit(struct tdv_new_file *nf, char *err, size_t errlen)
{
	int ret = 0;

	if (nf->force) {
		if (rename(nf->tmp, nf->path))
			ret = -errno;
	} else if (renameat2(AT_FDCWD, nf->tmp, AT_FDCWD, nf->path, RENAME_NOREPLACE)) {
		ret = -errno;
		/* A file system without RENAME_NOREPLACE: link(2) does not replace either. */
		if (ret == -EINVAL || ret == -ENOSYS) {
			ret = link(nf->tmp, nf->path) ? -errno : 0;
			if (!ret)
				unlink(nf->tmp);
		}
		/* Nor hard links (vfat, some FUSE): look, then rename; only this is racy. */
		if (ret == -EPERM || ret == -EOPNOTSUPP || ret == -ENOSYS) {
			struct stat st;

			if (!lstat(nf->path, &st))
				ret = -EEXIST;
			else
				ret = rename(nf->tmp, nf->path) ? -errno : 0;
		}
	}
	if (ret == -EEXIST)
		snprintf(err, errlen, "%s appeared meanwhile: give --force to replace it",
			 nf->path);
	else if (ret)
		snprintf(err, errlen, "cannot create %s: %s", nf->path, strerror(-ret));
	else
		nf->committed = true;
	return ret;
}

void tdv_new_file_end(struct tdv_new_file *nf)
{
	if (nf->tmp && !nf->committed)
		unlink(nf->tmp);
	free(nf->tmp);
	free(nf->path);
	nf->tmp = nf->path = NULL;
}

int tdv_read_whole(const char *path, size_t max, uint8_t **out, size_t *outlen, struct stat *st,
		   char *err, size_t errlen)
{
	bool std_in = !strcmp(path, "-");
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = std_in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	size_t cap = 0, len = 0;
	uint8_t *buf = NULL;
	int ret = 0;

	if (fd < 0 || fstat(fd, st)) {
		ret = -errno;
		snprintf(err, errlen, "cannot read: %s", strerror(-ret));
		goto out;
	}
	if (!std_in && !S_ISREG(st->st_mode)) {
		snprintf(err, errlen,
			 "cannot read: not a regular file (give a recording file, or - and the "
			 "recording on standard input)");
		ret = -EINVAL;
		goto out;
	}
	if (S_ISREG(st->st_mode) && (uint64_t)st->st_size > max)
		goto too_big;
	if (!std_in)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	/* A file's size is known: room for it and the byte that says it grew. */
	if (S_ISREG(st->st_mode) && TDV_GROW(buf, cap, (size_t)st->st_size + 1, 1))
		goto no_memory;
	for (;;) {
		size_t room;
		ssize_t k;

		if (TDV_GROW(buf, cap, len + 1, 1 << 16))
			goto no_memory;
		/* One byte past @max tells a stream that is too long. */
		room = cap - len < max + 1 - len ? cap - len : max + 1 - len;
		k = read(fd, buf + len, room);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot read: %s", strerror(-ret));
			goto out;
		}
		if (k == 0)
			break;
		len += k;
		if (len > max)
			goto too_big;
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	goto out;

no_memory:
	ret = -ENOMEM;
	snprintf(err, errlen, "cannot read: %s", strerror(ENOMEM));
	goto out;
too_big:
	ret = -EFBIG;
	snprintf(err, errlen,
		 "larger than %zu %s, the most report reads (it holds the recording in "
		 "memory): record shorter (-d) or narrower (-p, --seg, --kvmfd) runs",
		 max % (1 << 20) ? max : max >> 20, max % (1 << 20) ? "bytes" : "MiB");
out:
	free(buf);
	if (fd >= 0 && !std_in)
		close(fd);
	return ret;
}
