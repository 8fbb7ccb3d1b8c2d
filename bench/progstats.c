// SPDX-License-Identifier: GPL-2.0
/*
 * progstats: one JSON line per loaded BPF program of a tracing type, with
 * the kernel's own run count and run time (kernel.bpf_stats_enabled must
 * be 1 while the programs run). Tells where a tracer's cost per call goes:
 * in its BPF programs, or in the attach mechanism around them.
 *
 *   progstats   {"id":N,"name":"...","type":T,"run_cnt":C,"run_time_ns":NS,
 *                "recursion_misses":M}
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

int main(void)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue; /* unloaded meanwhile */
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    (info.type == BPF_PROG_TYPE_KPROBE || info.type == BPF_PROG_TYPE_TRACING ||
		     info.type == BPF_PROG_TYPE_TRACEPOINT)) {
			printf("{\"id\":%u,\"name\":\"%s\",\"type\":%u,\"run_cnt\":%llu,"
			       "\"run_time_ns\":%llu,\"recursion_misses\":%llu}\n",
			       info.id, info.name, info.type, (unsigned long long)info.run_cnt,
			       (unsigned long long)info.run_time_ns,
			       (unsigned long long)info.recursion_misses);
		}
		close(fd);
	}
	if (errno != ENOENT) {
		perror("progstats: listing programs");
		return 1;
	}
	return 0;
}
