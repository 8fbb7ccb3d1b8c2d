#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the release (e.g. 6.1.0-56-cloud-amd64) of the newest installed Debian
# cloud kernel that has both /boot/vmlinuz-RELEASE and
# /usr/src/linux-headers-RELEASE: the kernel the VM tests boot and the
# simulator module is built for.
#
# usage: scripts/kernel-release.sh
#   env BOOT_DIR (default /boot), HEADERS_DIR (default /usr/src)
set -eu

boot=${BOOT_DIR:-/boot}
src=${HEADERS_DIR:-/usr/src}

best=""
for k in "$boot"/vmlinuz-*-cloud-amd64; do
	[ -e "$k" ] || continue
	r=${k#"$boot"/vmlinuz-}
	[ -d "$src/linux-headers-$r" ] || continue
	best="$best$r
"
done
best=$(printf '%s' "$best" | sort -V | tail -n 1)

if [ -z "$best" ]; then
	{
		echo "kernel-release.sh: no Debian cloud kernel with headers found"
		echo "  looked for $boot/vmlinuz-*-cloud-amd64 with a matching $src/linux-headers-*"
		echo "  install them: apt-get install linux-image-cloud-amd64 linux-headers-cloud-amd64"
		echo "  (or run scripts/deps.sh)"
	} >&2
	exit 1
fi
echo "$best"
