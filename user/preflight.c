// SPDX-License-Identifier: GPL-2.0
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "options.h"
#include "preflight.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define TDV_VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static bool cap_effective(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1U << (cap % 32));
}

static bool privileged(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	if (cap_effective(data, CAP_SYS_ADMIN))
		return true;
	return cap_effective(data, CAP_BPF) && cap_effective(data, CAP_PERFMON);
}

int tdv_preflight(void)
{
	if (!privileged()) {
		fprintf(stderr, "tdvtrace: need root, or CAP_BPF and CAP_PERFMON "
				"(or CAP_SYS_ADMIN): run it with sudo\n");
		return TDV_EXIT_ENV;
	}
	if (access(TDV_VMLINUX_BTF, R_OK)) {
		fprintf(stderr,
			"tdvtrace: no kernel BTF at %s: tdvtrace needs a "
			"kernel built with CONFIG_DEBUG_INFO_BTF=y\n",
			TDV_VMLINUX_BTF);
		return TDV_EXIT_ENV;
	}
	return 0;
}
