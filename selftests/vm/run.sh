#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run a command as root in a throw-away qemu VM of a matrix kernel.
#
# Usage: selftests/vm/run.sh [-k NAME] [-t TIMEOUT_SEC] [-m MEM_MB] [-c] [-i] [--] CMD [ARGS...]
#   -k NAME   kernel from selftests/vm/kernels (default: its first line)
#   -t SEC    kill the VM after SEC seconds of running (default 900)
#   -m MB     guest memory (default 1024)
#   -c        count instructions: one CPU whose clock is its instruction count
#             (qemu -icount shift=0,sleep=off: 1 ns a guest instruction, idle
#             time skipped), so that a rate the guest measures is a cost
#   -i        interactive: the guest command reads the terminal (e.g. run.sh -i bash)
#
# The guest sees the host's / read-only (9p) with fresh tmpfs on /tmp, /run
# and /var/tmp, the kernel's own modules on /lib/modules, and runs CMD in the
# caller's current directory with L2TPSS_*, KSFT_* and V passed through.
# Its stdout/stderr come out here live.
#
# Exit status: CMD's; 124 if the VM timed out; 125 if the guest kernel logged
# a WARNING/BUG/Oops/KASAN/refcount_t line (printed as "vm: kernel log: ..."),
# if the guest died without reporting a status (panic, crash), or if the VM
# could not be started. Logs of the last run: $CACHE/last-{dmesg,console}-NAME.txt.

set -uo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${L2TPSS_CACHE:-$HOME/.cache/l2tpss}
# Kernel log lines that fail a run.
BAD_LOG='WARNING|BUG|Oops|KASAN|refcount_t|UBSAN|blocked for more than'
# Harmless lines matching BAD_LOG, as extended regexps on the message text
# (after the "[ time]" prefix). None seen in the boot logs of 6.1 and 6.12.
BAD_LOG_EXEMPT=()

die() { echo "vm: error: $*" >&2; exit 125; }

usage() {
	awk '/^# Usage:/ { on = 1 } on { if ($0 == "#") exit; sub(/^# ?/, ""); print }' "$0" >&2
	exit 125
}

name='' timeout=900 mem=1024 interactive=0 icount=0
while getopts ':k:t:m:cih' opt; do
	case $opt in
	k) name=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	c) icount=1 ;;
	i) interactive=1 ;;
	h) usage ;;
	*) echo "vm: bad option -$OPTARG" >&2; usage ;;
	esac
done
shift $((OPTIND - 1))
(($#)) || usage
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "-t wants a number of seconds"
[[ $mem =~ ^[1-9][0-9]*$ ]] || die "-m wants a number of MB"

if [[ -z $name ]]; then
	name=$(awk '$1 !~ /^#/ && NF { print $1; exit }' "$VM_DIR/kernels")
	[[ -n $name ]] || die "no kernel in $VM_DIR/kernels"
fi
env_file=$CACHE/kernels/$name.env
if [[ ! -f $env_file ]]; then
	"$VM_DIR/setup.sh" "$name" >&2 || die "setup.sh $name failed"
fi
KVER='' VMLINUZ='' VMLINUX='' INITRAMFS='' MODROOT=''
# shellcheck source=/dev/null
. "$env_file" || die "cannot read $env_file"
for f in "$VMLINUZ" "$INITRAMFS" "$MODROOT/lib/modules/$KVER/modules.dep"; do
	[[ -f $f ]] || die "$f missing: run $VM_DIR/setup.sh $name"
done
[[ $VM_DIR != *[[:space:]]* ]] || die "the repository path must not contain blanks ($VM_DIR)"
# The uncompressed vmlinux boots ~3 s faster (PVH entry, no decompression).
boot_image=$VMLINUZ
[[ -n $VMLINUX && -f $VMLINUX ]] && boot_image=$VMLINUX
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run $VM_DIR/setup.sh"

share=$(mktemp -d "${TMPDIR:-/tmp}/l2tpss-vm.XXXXXX") || die "mktemp failed"
qpid=''
interrupted=0
# shellcheck disable=SC2317 # invoked by the traps
cleanup() { rm -rf "$share"; }
# shellcheck disable=SC2317
on_signal() {
	interrupted=1
	echo "vm: interrupted" >&2
	[[ -n $qpid ]] && kill -TERM "$qpid" 2>/dev/null
}
trap cleanup EXIT
trap on_signal INT TERM

# What the guest needs to know; the command with the caller's cwd and the
# passed-through environment.
{
	printf 'KNAME=%q KVER=%q MODROOT=%q INTERACTIVE=%q CALLER_DIR=%q\n' \
		"$name" "$KVER" "$MODROOT" "$interactive" "$PWD"
} >"$share/vm.env"
{
	echo '#!/bin/bash'
	while IFS= read -r var; do
		printf 'export %s=%q\n' "$var" "${!var}"
	done < <(compgen -e | grep -E '^(L2TPSS_[A-Za-z0-9_]*|KSFT_[A-Za-z0-9_]*|V)$')
	printf 'export L2TPSS_VM=%q L2TPSS_VM_KERNEL=%q\n' "$name" "$KVER"
	((interactive)) && printf 'export TERM=%q\n' "${TERM:-dumb}"
	printf 'cd -- %q || { echo "vm: guest: cannot cd to %q" >&2; exit 125; }\n' "$PWD" "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$share/cmd.sh"

# Kernel messages (and the firmware's) go to ttyS0, a log file; the
# command's output to ttyS1, the caller's stdout.
cmdline="console=ttyS0 loglevel=7 panic=-1 edd=off rdinit=/init"
cmdline+=" l2tpss.init=$VM_DIR/guest-init.sh"
cpus=(-smp 2)
# shellcheck disable=SC2054 # commas separate qemu sub-options
((icount)) && cpus=(-smp 1 -icount shift=0,sleep=off)
# shellcheck disable=SC2054 # commas separate qemu sub-options
qemu=(qemu-system-x86_64 -nodefaults -nographic -no-reboot
	-machine pc -cpu max "${cpus[@]}" -m "$mem"
	-kernel "$boot_image" -initrd "$INITRAMFS" -append "$cmdline"
	-fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	-fsdev "local,id=vmshare,path=$share,security_model=none"
	-device virtio-9p-pci,fsdev=vmshare,mount_tag=vmshare
	-fsdev "local,id=callerdir,path=$PWD,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=callerdir,mount_tag=callerdir
	-serial "file:$share/console.log" -serial stdio)

# One VM at a time on this machine: queue on the lock.
exec 9>>"$CACHE/vm.lock" || die "cannot open $CACHE/vm.lock"
if ! flock -n 9; then
	echo "vm: waiting for another VM to finish ($CACHE/vm.lock)" >&2
	flock 9 || die "flock $CACHE/vm.lock failed"
fi

console_log=$CACHE/last-console-$name.txt
dmesg_log=$CACHE/last-dmesg-$name.txt
start=$SECONDS
for boot in 1 2; do
	if ((interactive)); then
		# (A background job's stdin is /dev/null unless redirected explicitly.)
		exec 8<&0
		timeout --foreground -k 10 "$timeout" "${qemu[@]}" <&8 8<&- &
		exec 8<&-
	else
		timeout -k 10 "$timeout" "${qemu[@]}" </dev/null &
	fi
	qpid=$!
	while :; do
		wait "$qpid"
		qrc=$?
		# wait returns >128 when a trapped signal interrupts it: wait again.
		kill -0 "$qpid" 2>/dev/null || break
	done
	qpid=''
	# The kernel crashed while booting, before the guest init ran (no
	# module of ours loaded, no command started): seen once with 7.2
	# under qemu's multi-threaded TCG, an "Oops: int3" in a static key
	# being patched while the other vCPU ran it. Boot once more; the
	# crash stays in the log and is reported.
	if ((boot == 1 && !interrupted && qrc != 124 && qrc != 137)) &&
	   [[ ! -e $share/started && ! -e $share/status ]] &&
	   tr -d '\r' <"$share/console.log" | grep -aqE "$BAD_LOG|Kernel panic"; then
		cp "$share/console.log" "$CACHE/last-boot-crash-$name.txt"
		echo "vm: NOTE: $name's kernel crashed while booting, before the guest init" \
			"(console: $CACHE/last-boot-crash-$name.txt); booting again" >&2
		tr -d '\r' <"$share/console.log" | grep -aE "$BAD_LOG|Kernel panic" | head -n 3 |
			sed 's/^/vm: boot crash: /' >&2
		: >"$share/console.log"
		continue
	fi
	break
done
elapsed=$((SECONDS - start))
flock -u 9
exec 9>&-

# Keep the logs of the last run of this kernel.
cp "$share/console.log" "$console_log" 2>/dev/null || : >"$console_log"
if [[ -f $share/dmesg.txt ]]; then
	cp "$share/dmesg.txt" "$dmesg_log"
else
	# The guest died before saving dmesg: its console log is all there is.
	cp "$console_log" "$dmesg_log"
fi

# The console log has every message up to loglevel 7 even after a panic or a
# "dmesg -C"; the guest's dmesg has the rest: check both.
bad=$(cat "$console_log" "$share/dmesg.txt" 2>/dev/null | tr -d '\r' |
	grep -aE "$BAD_LOG" | awk '!seen[$0]++')
for re in "${BAD_LOG_EXEMPT[@]}"; do
	bad=$(grep -avE "^(\[[ 0-9.]+\] )?($re)$" <<<"$bad")
done

rc=0
if [[ -n $bad ]]; then
	while IFS= read -r line; do
		echo "vm: kernel log: $line"
	done <<<"$bad" >&2
	rc=125
fi
if [[ -f $share/status ]]; then
	status=$(<"$share/status")
	[[ $status =~ ^[0-9]+$ ]] || status=125
	((rc)) || rc=$status
elif ((interrupted)); then
	rc=130
elif ((qrc == 124 || qrc == 137)); then
	echo "vm: timed out after ${timeout} s (-t); VM killed" >&2
	rc=124
else
	echo "vm: the guest stopped without reporting an exit status (qemu exit $qrc); console tail:" >&2
	tail -n 30 "$console_log" | tr -d '\r' | sed 's/^/vm: console: /' >&2
	((rc)) || rc=125
fi
if ((rc)); then
	echo "vm: $name ($KVER) exit $rc after ${elapsed} s; kernel log: $dmesg_log, console: $console_log" >&2
fi
exit "$rc"
