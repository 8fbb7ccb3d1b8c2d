#!/bin/sh
# Two VMMs, one fd number, one segment: the patch keys kvmfd_xa by fd number
# alone, so the second VM gets the first one's trans_devid (alias), and its
# vIOMMU's destroy clears the DTE the first still uses (clear_while_shared).
. /scenarios/lib.sh
OUT=$1

sim_load
two_vmms_one_fd alias
