// SPDX-License-Identifier: GPL-2.0
/*
 * The supported revision with one traced function changed: the get takes
 * the VM itself instead of its fd number (as a fix of the kvmfd alias would).
 */
#define TDVREV_KVMFD
#define TDVREV_GET_KEY struct kvm *kvm
#include "tdvrev.h"
#include "kvmfd_syms.h"

TDVREV_MODULE("the kvmfd revision with a get keyed by struct kvm");
