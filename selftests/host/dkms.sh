#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS on the host, in trees of its own (--sourcetree, --dkmstree,
# --installtree: nothing of the host's is touched): make dkms-src stages
# the module's source with its dkms.conf; for each kernel of the matrix,
# "dkms build" against the kernel's headers alone (no linux-source), with
# the BTF layout check on, gives an l2tpss.ko whose vermagic is that
# kernel's; "dkms install" puts it under the install tree's
# /lib/modules/KVER/updates/dkms. Skipped (and counted so) without dkms.

cd "$(dirname "$0")/../.." || exit 1
CACHE=${L2TPSS_CACHE:-$HOME/.cache/l2tpss}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=lib.bash
source selftests/host/lib.bash
version=$(cat VERSION)

read -ra kernels <<<"$(awk '$1 !~ /^#/ && NF { printf "%s ", $1 }' selftests/vm/kernels)"
echo "TAP version 13"
echo "1..$((1 + 3 * ${#kernels[@]}))"
if ! command -v dkms >/dev/null; then
	for ((i = 0; i < 1 + 3 * ${#kernels[@]}; i++)); do
		echo "ok $((i + 1)) # SKIP no dkms (apt install dkms)"
	done
	exit 4
fi

make -s dkms-src DESTDIR="$tmp/root" >"$tmp/src.log" 2>&1
src=$tmp/root/usr/src/l2tpss-$version
[ -f "$src/dkms.conf" ] && grep -q "^PACKAGE_VERSION=\"$version\"$" "$src/dkms.conf" &&
	[ -f "$src/kmod/l2tp/6.1/l2tp_core.h" ] && [ -f "$src/kmod/l2tp/6.12/l2tp_core.h" ] &&
	[ -f "$src/kmod/l2tp/7.2/l2tp_core.h" ]
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' "$tmp/src.log"
ok $rc "make dkms-src: the source, the l2tp_core.h of each series, dkms.conf"

trees=(--sourcetree "$tmp/root/usr/src" --dkmstree "$tmp/dkms"
       --installtree "$tmp/install")
mkdir -p "$tmp/dkms" "$tmp/install"
dkms add -m l2tpss -v "$version" "${trees[@]}" >"$tmp/add.log" 2>&1 ||
	sed 's/^/# /' "$tmp/add.log"

for k in "${kernels[@]}"; do
	# shellcheck source=/dev/null
	. "$CACHE/kernels/$k.env"
	# A kernel of another suite: DKMS of that suite, in its chroot (its
	# compiler), on the same trees.
	run=()
	[ -n "${KCHROOT:-}" ] && run=(selftests/vm/chroot.sh "$KCHROOT")
	# The kernel is neither running nor installed here: name its BTF.
	L2TPSS_BTF_L2TP=$(ls "$MODDIR"/kernel/net/l2tp/l2tp_core.ko* | head -1) \
	L2TPSS_BTF_BASE=$VMLINUX \
		"${run[@]}" dkms build -m l2tpss -v "$version" -k "$KVER" \
		--kernelsourcedir "$KDIR" "${trees[@]}" >"$tmp/build-$k.log" 2>&1
	rc=$?
	built=$(find "$tmp/dkms/l2tpss/$version/$KVER" -name 'l2tpss.ko*' 2>/dev/null | head -1)
	[ $rc -ne 0 ] && tail -n 20 "$tmp/build-$k.log" | sed 's/^/# /'
	ok $rc "dkms build for $k ($KVER) against its headers"
	[ -n "$built" ] && modinfo -F vermagic "$built" | grep -q "^$KVER "
	ok $? "the module DKMS built for $k has its vermagic"
	mkdir -p "$tmp/install/$KVER"	# (as /lib/modules/KVER would be)
	"${run[@]}" dkms install -m l2tpss -v "$version" -k "$KVER" --kernelsourcedir "$KDIR" \
		--no-depmod "${trees[@]}" >"$tmp/install-$k.log" 2>&1
	rc=$?
	installed=$(find "$tmp/install" -path "*$KVER*" -name 'l2tpss.ko*' | head -1)
	[ $rc -eq 0 ] && [ -n "$installed" ]
	rc=$?
	[ $rc -ne 0 ] && { tail -n 20 "$tmp/install-$k.log"; find "$tmp/install"; } | sed 's/^/# /'
	ok $rc "dkms install for $k puts it in its modules tree"
done
exit $failed
