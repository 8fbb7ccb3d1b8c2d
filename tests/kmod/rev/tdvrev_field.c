// SPDX-License-Identifier: GPL-2.0
/* The supported revision with one field tdvtrace reads renamed: refs is users. */
#define TDVREV_KVMFD
#define TDVREV_REFS users
#include "tdvrev.h"
#include "kvmfd_syms.h"

TDVREV_MODULE("the kvmfd revision with its entry's refs renamed");
