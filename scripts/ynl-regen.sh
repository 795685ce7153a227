#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl-regen.sh [--check]: generate kmod/uapi/linux/l2tpss.h from the
# family's YNL spec, Documentation/netlink/specs/l2tpss.yaml, with the
# kernel's own generator (tools/net/ynl/ynl-gen-c.py), which also checks the
# spec against the genetlink-legacy schema. --check writes nothing: it fails,
# showing the difference, when the header is not what the spec generates.
#
# The generator comes from the linux-source of the newest kernel of
# selftests/vm/kernels without a suite of its own (setup.sh extracts it;
# 7.x moved the tools to tools/net/ynl/pyynl), or L2TPSS_YNL_DIR= (a
# kernel's tools/net/ynl). It needs Python 3 with PyYAML and jsonschema
# (Debian: python3-yaml python3-jsonschema); PYTHON= names the interpreter.

set -euo pipefail
cd "$(dirname "$0")/.."
SPEC=Documentation/netlink/specs/l2tpss.yaml
HEADER=kmod/uapi/linux/l2tpss.h
PYTHON=${PYTHON:-/usr/bin/python3}

check=0
case ${1:-} in
--check) check=1 ;;
'') ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if [[ -z ${L2TPSS_YNL_DIR:-} ]]; then
	newest=$(awk '$1 !~ /^#/ && NF == 3 { k = $1 } END { print k }' selftests/vm/kernels)
	env_file=$(selftests/vm/setup.sh --print-env "$newest")
	# shellcheck source=/dev/null
	. "$env_file"
	L2TPSS_YNL_DIR=$KSRC/tools/net/ynl
fi
schema=$L2TPSS_YNL_DIR/../../../Documentation/netlink/genetlink-legacy.yaml
for f in "$L2TPSS_YNL_DIR/ynl-gen-c.py" "$schema"; do
	[[ -f $f ]] || { echo "ynl-regen.sh: $f missing" >&2; exit 1; }
done

# ynl-gen-c.py names the spec by its path below the tree holding
# MAINTAINERS and finds the schema next to specs/: a tree of that shape.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/Documentation/netlink/specs"
touch "$tmp/MAINTAINERS"
cp "$schema" "$tmp/Documentation/netlink/"
cp "$SPEC" "$tmp/$SPEC"
"$PYTHON" "$L2TPSS_YNL_DIR/ynl-gen-c.py" --mode uapi --header \
	--spec "$tmp/$SPEC" -o "$tmp/l2tpss.h"

if ((check)); then
	if ! diff -u "$HEADER" "$tmp/l2tpss.h"; then
		echo "ynl-regen.sh: $HEADER is not what $SPEC generates" \
			"(run scripts/ynl-regen.sh)" >&2
		exit 1
	fi
else
	cp "$tmp/l2tpss.h" "$HEADER"
fi
