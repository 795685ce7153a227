#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chroot.sh - run a command in a kernel's build chroot (setup.sh makes one
# for a matrix kernel of another Debian suite, whose headers want that
# suite's compiler).
#
# Usage: selftests/vm/chroot.sh CHROOT CMD [ARGS...]
#
# In a mount namespace of its own (nothing stays mounted when it ends):
# /proc (objtool), /dev, /tmp (and $TMPDIR), the project's tree and the
# l2tpss cache are bound into CHROOT at their own paths, as written
# (symbolic links not resolved), so the command takes the same paths inside
# as outside. It runs in the current directory when that is one of them,
# else in /.

set -euo pipefail
(($# >= 2)) || { sed -n 's/^# Usage: //p' "$0" >&2; exit 2; }
root=$(realpath "$1")
shift
[[ -x $root/bin/sh ]] || { echo "chroot.sh: no chroot at $root" >&2; exit 2; }
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=$(realpath -s -m "${L2TPSS_CACHE:-$HOME/.cache/l2tpss}")
binds=(/tmp "$top" "$cache")
[[ -n ${TMPDIR:-} && -d $TMPDIR ]] && binds+=("$(realpath -s "$TMPDIR")")
cwd=/
for d in "${binds[@]}"; do
	[[ $PWD == "$d" || $PWD == "$d"/* ]] && cwd=$PWD
done

# shellcheck disable=SC2016
exec unshare --mount --propagation private -- /bin/bash -euc '
	root=$1 cwd=$2 nbinds=$3
	shift 3
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	for d in "${@:1:nbinds}"; do
		mkdir -p "$root$d"
		mount --rbind "$d" "$root$d"
	done
	shift "$nbinds"
	exec chroot "$root" /bin/sh -c "cd \"\$1\" && shift && exec \"\$@\"" sh "$cwd" "$@"
' chroot.sh "$root" "$cwd" "${#binds[@]}" "${binds[@]}" "$@"
