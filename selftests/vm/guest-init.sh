#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-init.sh - PID 1 of the l2tpss test VM (started by run.sh).
#
# The initramfs built by setup.sh mounts the host's / read-only over 9p and
# switch_roots here (with /dev, /proc and /sys already mounted). This script
# makes that read-only root usable for tests (tmpfs on /run, /tmp, ...; the
# cached kernel's modules over /lib/modules), mounts run.sh's writable share
# (tag vmshare) on /run/l2tpss, runs its cmd.sh with stdout/stderr on ttyS1
# (the host caller's terminal; the kernel console is ttyS0, logged to a
# file), writes the exit status and dmesg to the share and powers off.
# As PID 1 it must never exit: every path ends in poweroff.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH HOME=/tmp LANG=C.UTF-8 TERM=dumb
SHARE=/run/l2tpss
OUT=/dev/ttyS1

# Exec is slow under emulation (~0.1 s per dynamically linked program, a
# fifth of that for the static busybox): use busybox's applets where they
# do the job, and shell builtins where possible.
BB=busybox
command -v busybox >/dev/null || BB=

say() { echo "vm: guest: $*" >"$OUT" 2>/dev/null || echo "vm: guest: $*"; }

# Power off; a kernel without ACPI (the debug kernel) only halts on "o", so
# then reboot, which ends qemu under -no-reboot.
poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 2
	echo b >/proc/sysrq-trigger
	while :; do sleep 10; done
}

fail() {
	say "$*"
	poweroff_now
}

# mnt TYPE TARGET [OPTIONS]: mount unless TARGET already is a mount point
# (checked against the mount table read once).
MOUNTS=" "
read_mounts() {
	local _dev mp _rest
	MOUNTS=" "
	while read -r _dev mp _rest; do MOUNTS+="$mp "; done </proc/self/mounts
}
mnt() {
	[[ $MOUNTS == *" $2 "* ]] && return 0
	$BB mount -t "$1" ${3:+-o "$3"} "$1" "$2" && MOUNTS+="$2 "
}

[[ -r /proc/self/mounts ]] || $BB mount -t proc proc /proc || fail "cannot mount /proc"
read_mounts
mnt sysfs /sys || fail "cannot mount /sys"
mnt devtmpfs /dev || fail "cannot mount /dev"
mnt tmpfs /run mode=0755,nosuid,nodev || fail "cannot mount /run"
mnt tmpfs /tmp mode=1777,nosuid,nodev || fail "cannot mount /tmp"
mnt tmpfs /var/tmp mode=1777,nosuid,nodev
[[ -L /var/run ]] || mnt tmpfs /var/run mode=0755,nosuid,nodev
$BB mkdir -p /dev/pts /dev/shm /run/lock /run/netns "$SHARE"
mnt devpts /dev/pts gid=5,mode=0620,ptmxmode=0666
mnt tmpfs /dev/shm mode=1777,nosuid,nodev
mnt debugfs /sys/kernel/debug
[[ -d /sys/kernel/tracing ]] && mnt tracefs /sys/kernel/tracing
mnt cgroup2 /sys/fs/cgroup
[[ -d /sys/fs/bpf ]] && mnt bpf /sys/fs/bpf mode=0700
[[ -e /dev/fd ]] || $BB ln -s /proc/self/fd /dev/fd

$BB mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmshare "$SHARE" ||
	fail "cannot mount the run.sh share (9p tag vmshare)"
# vm.env: KNAME KVER MODROOT INTERACTIVE CALLER_DIR (written by run.sh)
# shellcheck source=/dev/null
. "$SHARE/vm.env" || fail "no $SHARE/vm.env"
# The kernel has booted and this init runs (run.sh: a crash before this
# is the kernel's boot's, not the command's).
: >"$SHARE/started"

# The command's output reaches the host unchanged (no \n -> \r\n: a host
# terminal does that itself, even the one qemu puts in raw mode for -i).
$BB stty -F "$OUT" -onlcr 2>/dev/null

# The caller's directory, at its own path: the host root alone would not
# show it when it lies under /tmp, /run or /var/tmp (fresh tmpfs here).
if [[ $CALLER_DIR != / ]]; then
	$BB mkdir -p "$CALLER_DIR" || fail "cannot make $CALLER_DIR"
	$BB mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro,cache=loose \
		callerdir "$CALLER_DIR" || fail "cannot mount the caller's directory $CALLER_DIR"
fi

read -r kernel_release </proc/sys/kernel/osrelease
[[ $kernel_release == "$KVER" ]] || fail "booted $kernel_release, expected $KVER"
if [[ -d /lib/modules ]]; then
	$BB mount --bind "$MODROOT/lib/modules" /lib/modules ||
		fail "cannot bind-mount $MODROOT/lib/modules on /lib/modules"
else
	say "warning: no /lib/modules on the host root: modprobe will not work (run setup.sh)"
fi

echo "l2tpss-vm-$KNAME" >/proc/sys/kernel/hostname
if [[ -n $BB ]]; then $BB ip link set lo up; else ip link set lo up; fi

# Receive timestamps stay on for the VM's life (a socket of ping's asks for
# them), so that the tests' pings never toggle netstamp_needed_key: under
# TCG, patching a static key while the other vCPU runs the code it sits
# in once oopsed in __netif_receive_skb_core (an emulation artifact).
ping -q -i 3600 127.0.0.1 >/dev/null 2>&1 &

# Run the command in its own session, stdin from /dev/null (or the console
# when interactive), stdout and stderr to the host.
if [[ $INTERACTIVE == 1 ]]; then
	# shellcheck disable=SC2094 # the terminal is read and written
	setsid -w -c bash "$SHARE/cmd.sh" <"$OUT" >"$OUT" 2>&1
else
	setsid -w bash "$SHARE/cmd.sh" </dev/null >"$OUT" 2>&1
fi
status=$?

echo "$status" >"$SHARE/status"
dmesg >"$SHARE/dmesg.txt" 2>&1
poweroff_now
