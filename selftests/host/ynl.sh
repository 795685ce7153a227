#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ABI is declared once: kmod/uapi/linux/l2tpss.h is what the kernel's
# ynl-gen-c.py (the newest matrix kernel's tools/net/ynl) generates from
# Documentation/netlink/specs/l2tpss.yaml, and the check catches a spec
# and a header that part: an attribute inserted in a copy of the spec
# renumbers the header, and a spec the genetlink-legacy schema refuses
# generates nothing. (l2tpss_ynl.sh runs the spec against the module.)

cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=lib.bash
source selftests/host/lib.bash
SPEC=Documentation/netlink/specs/l2tpss.yaml
HEADER=kmod/uapi/linux/l2tpss.h

echo "TAP version 13"
echo "1..4"
newest=$(awk '$1 !~ /^#/ && NF == 3 { k = $1 } END { print k }' selftests/vm/kernels)
# shellcheck source=/dev/null
. "$(selftests/vm/setup.sh --print-env "$newest")"
export L2TPSS_YNL_DIR=$KSRC/tools/net/ynl

check "the UAPI header is what the spec generates (scripts/ynl-regen.sh --check)" \
	scripts/ynl-regen.sh --check

# copy DIR: the generator, the spec and the header in a tree of their own.
copy() {
	mkdir -p "$1" && tar -cf - scripts/ynl-regen.sh "$SPEC" "$HEADER" |
		tar -C "$1" -xf -
}

copy "$tmp/moved"
sed -i '/^    name: attr$/,/^  -$/{/^        name: tunnel-id$/{
s/.*/        name: l2tpss-inserted\n        type: u32\n      -\n&/}}' \
	"$tmp/moved/$SPEC"
"$tmp/moved/scripts/ynl-regen.sh" --check >"$tmp/moved.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^+	L2TPSS_A_L2TPSS_INSERTED,$' "$tmp/moved.out" &&
	grep -q "is not what $SPEC generates" "$tmp/moved.out"
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' "$tmp/moved.out"
ok $rc "an attribute inserted in the spec: --check fails, showing it before TUNNEL_ID"

copy "$tmp/bad"
sed -i '0,/^        type: u32$/s//        type: u33/' "$tmp/bad/$SPEC"
cp "$tmp/bad/$HEADER" "$tmp/bad.h"
"$tmp/bad/scripts/ynl-regen.sh" >"$tmp/bad.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "'u33' is not one of" "$tmp/bad.out"
rc2=$?
[ $rc2 -ne 0 ] && sed 's/^/# /' "$tmp/bad.out"
ok $rc2 "a spec the schema refuses (type u33): the generator stops, naming it"
cmp -s "$tmp/bad/$HEADER" "$tmp/bad.h"
ok $? "... and leaves the header as it was"

[ "$failed" = 0 ]
