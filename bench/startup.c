// SPDX-License-Identifier: GPL-2.0
/*
 * startup: run a tracer the way the benchmark needs it. Starts TRACER with
 * its standard output on FILE and its standard error on a pipe, times exec
 * to the first stderr line containing MATCH (the tracer's "attached"),
 * then runs CMD (sh -c, with TRACER_PID in its environment) while the tracer
 * stays attached, stops the tracer with SIGINT and waits for it.
 *
 *   startup [--match STR] [--timeout SEC] [--stop-timeout SEC] [--out FILE]
 *           [--err FILE] [--run CMD] -- TRACER [ARG...]
 *
 * --match    default "attached"
 * --timeout  seconds to wait for the match (120)
 * --stop-timeout  seconds to wait for the exit after SIGINT, then SIGKILL (60)
 * --out      the tracer's standard output (default /dev/null)
 * --err      keep a copy of its standard error here
 * Prints one JSON line: {"attach_ms":X,"run_rc":R,"tracer_rc":T,"killed":K};
 * a tracer ended by a signal has tracer_rc 128 + the signal; killed: it
 * ignored SIGINT and got SIGKILL. Exit status 0 when it attached and CMD
 * and the tracer both exited 0; 3 when only the tracer failed to stop (the
 * figures CMD took stand); otherwise 1 (2: usage).
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *match = "attached";
static int timeout_s = 120;
static int stop_timeout_s = 60;
static int err_copy = -1;
static char seen[65536]; /* the stderr so far, for the match and for errors */
static size_t nseen;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int status_rc(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Read what the tracer wrote; 0 at EOF, 1 otherwise. */
static int drain(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return 0;
	if (err_copy >= 0 && write(err_copy, buf, n) != n)
		err_copy = -1;
	if (nseen + n >= sizeof(seen)) /* keep the tail: the match is recent */
		nseen = 0;
	memcpy(seen + nseen, buf, n);
	nseen += n;
	seen[nseen] = '\0';
	return 1;
}

static bool matched(void)
{
	const char *nl;
	const char *line = seen;

	/* Only whole lines count: the tracer may write a line in pieces. */
	while ((nl = strchr(line, '\n'))) {
		if (memmem(line, nl - line, match, strlen(match)))
			return true;
		line = nl + 1;
	}
	return false;
}

static pid_t spawn_tracer(char **argv, const char *out, int errfd)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int in = open("/dev/null", O_RDONLY);

	if (o < 0 || in < 0) {
		perror("startup: opening the tracer's output");
		_exit(127);
	}
	dup2(in, 0);
	dup2(o, 1);
	dup2(errfd, 2);
	execvp(argv[0], argv);
	fprintf(stderr, "startup: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static pid_t spawn_cmd(const char *cmd, pid_t tracer)
{
	char pidbuf[16];
	pid_t pid = fork();

	if (pid)
		return pid;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)tracer);
	setenv("TRACER_PID", pidbuf, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Wait up to @ms for @pid to exit while draining @fd; -1 if it did not. */
static int wait_draining(pid_t pid, int fd, double ms)
{
	double end = now_ms() + ms;
	bool open_fd = true;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status_rc(status);
		if (now_ms() > end)
			return -1;
		if (open_fd) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 100) > 0)
				open_fd = drain(fd);
		} else {
			usleep(20000);
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: startup [--match STR] [--timeout SEC] [--stop-timeout SEC] "
			"[--out FILE] [--err FILE] [--run CMD] -- TRACER [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null", *run = NULL;
	double t0, attach_ms = -1;
	int pipefd[2], i, run_rc = 0, tracer_rc;
	bool killed;
	pid_t tracer;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(argv[i], "--match"))
			match = v;
		else if (!strcmp(argv[i], "--timeout"))
			timeout_s = atoi(v);
		else if (!strcmp(argv[i], "--stop-timeout"))
			stop_timeout_s = atoi(v);
		else if (!strcmp(argv[i], "--out"))
			out = v;
		else if (!strcmp(argv[i], "--err"))
			err_copy = open(v, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		else if (!strcmp(argv[i], "--run"))
			run = v;
		else
			usage();
		i++;
	}
	if (i + 1 >= argc || timeout_s <= 0 || stop_timeout_s <= 0)
		usage();
	if (pipe(pipefd)) {
		perror("startup: pipe");
		return 1;
	}
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);

	t0 = now_ms();
	tracer = spawn_tracer(argv + i + 1, out, pipefd[1]);
	close(pipefd[1]);
	if (tracer < 0) {
		perror("startup: fork");
		return 1;
	}
	while (attach_ms < 0) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		int left = timeout_s * 1000 - (int)(now_ms() - t0);

		if (left <= 0 || poll(&p, 1, left) <= 0 || !drain(pipefd[0]))
			break;
		if (matched())
			attach_ms = now_ms() - t0;
	}
	if (attach_ms < 0) {
		fprintf(stderr,
			"startup: %s exited or did not print '%s' within %d s; its stderr:\n%s",
			argv[i + 1], match, timeout_s, seen);
		kill(tracer, SIGKILL);
		waitpid(tracer, NULL, 0);
		printf("{\"attach_ms\":null,\"run_rc\":null,\"tracer_rc\":null,\"killed\":true}\n");
		return 1;
	}

	if (run) {
		pid_t cmd = spawn_cmd(run, tracer);

		run_rc = cmd < 0 ? 127 : wait_draining(cmd, pipefd[0], 1e12);
	}
	kill(tracer, SIGINT);
	tracer_rc = wait_draining(tracer, pipefd[0], stop_timeout_s * 1000.0);
	killed = tracer_rc < 0;
	if (killed) {
		fprintf(stderr, "startup: %s still running %d s after SIGINT; killed\n",
			argv[i + 1], stop_timeout_s);
		kill(tracer, SIGKILL);
		waitpid(tracer, NULL, 0);
		tracer_rc = 128 + SIGKILL;
	}
	printf("{\"attach_ms\":%.1f,\"run_rc\":%d,\"tracer_rc\":%d,\"killed\":%s}\n", attach_ms,
	       run_rc, tracer_rc, killed ? "true" : "false");
	if (run_rc || tracer_rc)
		fprintf(stderr, "startup: run exit %d, tracer exit %d; tracer's stderr:\n%s",
			run_rc, tracer_rc, seen);
	if (run_rc)
		return 1;
	return killed ? 3 : tracer_rc != 0;
}
