#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages on a fresh root, as an operator installs them: in the
# test VM (run once by check.sh, on Debian 12's own kernel), on an overlay
# of the root (the host's Debian 12, without l2tpss), with /lib/modules
# writable. There: l2tpss-dkms and l2tpss with dpkg, then the running
# kernel's linux-headers, whose DKMS hook builds and installs the module
# for that kernel (as on a kernel upgrade); then systemd boots that root
# (systemd-nspawn: PID 1 in a container sharing the VM's kernel and
# network, allowed to load modules and administer the network) to a target
# that starts l2tpss.service as packaged and a check after it: the service
# loads the module DKMS built and applies /etc/l2tpss/l2tpss.conf;
# l2tpss-ctl show and save work; after a simulated reboot (service stop,
# module unload, service start) save prints the same configuration; a
# reload applies the edited file, and none of it when a line is broken.
#
# Usage (in the VM, from the top of the tree): selftests/packages.sh
# with build/deb/*.deb (make deb) and L2TPSS_KERNEL_DEBS, the directory of
# the kernel's .deb files (setup.sh's cache).

# (The module under test is the one DKMS builds, not build/KERNEL's.)
L2TPSS_KO=/lib/modules/$(uname -r)/updates/dkms/l2tpss.ko
source "$(dirname "$0")/lib.sh"

KVER=$(uname -r)
KDEBS=${L2TPSS_KERNEL_DEBS:?the directory of the kernel .deb files}
TMP=$(mktemp -d)
R=$TMP/root

# in_root CMD...: CMD in a chroot of the new root, as dpkg runs there.
in_root() { chroot "$R" env DEBIAN_FRONTEND=noninteractive "$@"; }

root_up() {
	mkdir -p "$TMP"/{upper,work,mu,mw,out} "$R" &&
	modprobe overlay &&
	mount -t overlay overlay -o "lowerdir=/,upperdir=$TMP/upper,workdir=$TMP/work" "$R" &&
	mount -t overlay overlay \
		-o "lowerdir=/lib/modules,upperdir=$TMP/mu,workdir=$TMP/mw" "$R/lib/modules" &&
	mount -t proc proc "$R/proc" && mount -t sysfs sysfs "$R/sys" &&
	mount --rbind /dev "$R/dev" && mount -t tmpfs tmpfs "$R/run" &&
	mount -t tmpfs tmpfs "$R/tmp"
}

# The API file systems go before systemd boots the root: it mounts its own.
chroot_down() {
	umount -R "$R/dev" && umount "$R/proc" "$R/sys" "$R/run" "$R/tmp"
}

# (The overlay of the whole root and its mounts go before anything is
# deleted, and nothing is deleted across a file system boundary.)
cleanup_packages() {
	mountpoint -q "$R" && umount -R "$R"
	mountpoint -q "$R" || rm -rf --one-file-system "$TMP"
	cleanup
}
trap cleanup_packages EXIT

ktap_print_header
ktap_set_plan 11
if ! ls build/deb/l2tpss_*.deb build/deb/l2tpss-dkms_*.deb >/dev/null; then
	ktap_print_msg "no packages in build/deb: make deb"
	exit "$KSFT_FAIL"
fi
root_up || { ktap_print_msg "cannot make the overlay root"; exit "$KSFT_FAIL"; }
check_eq "the new root has no l2tpss" "" "$(in_root dpkg-query -W 'l2tpss*' 2>/dev/null)"

# The packages first, on a root without the running kernel's headers:
# DKMS registers the module and waits for them.
install_packages() {
	mkdir -p "$R/tmp/debs" &&
	cp build/deb/l2tpss_*.deb build/deb/l2tpss-dkms_*.deb "$R/tmp/debs/" &&
	in_root sh -c 'echo "man-db man-db/auto-update boolean false" |
		debconf-set-selections' &&
	in_root sh -c 'dpkg -i /tmp/debs/l2tpss-dkms_*.deb /tmp/debs/l2tpss_*.deb' &&
	[ "$(in_root dpkg-query -W -f "\${Status}\n" l2tpss l2tpss-dkms | sort -u)" = \
	  "install ok installed" ] &&
	in_root dkms status l2tpss | grep -q '^l2tpss/[^,]*: added$' ||
		{ in_root dkms status; false; }
}
t0=$SECONDS
check "dpkg -i l2tpss-dkms l2tpss, no headers yet: installed, DKMS waits" install_packages
ktap_print_msg "packages installed in $((SECONDS - t0)) s"

# Then the running kernel's headers, as apt brings them with a new kernel,
# and what they depend on of the kernel's packages (headers -common,
# kbuild); the image itself is the running kernel, present under
# /lib/modules but not in dpkg's database: hence --force-depends for these,
# and for these alone. Their DKMS hook builds l2tpss for that kernel.
headers() {
	local h deps p v

	h=$(ls "$KDEBS/linux-headers-${KVER}_"*.deb) || return 1
	[ "$(wc -w <<<"$h")" = 1 ] || { echo "several: $h"; return 1; }
	v=$(dpkg-deb -f "$h" Version)
	deps=$(dpkg-deb -f "$h" Depends | tr ',' '\n' | awk '{ print $1 }' |
		grep -E '^linux-(headers|kbuild)-')
	cp "$h" "$R/tmp/debs/" || return 1
	for p in $deps; do
		cp "$KDEBS/${p}_${v}_"*.deb "$R/tmp/debs/" || return 1
	done
	in_root sh -c 'dpkg -i --force-depends /tmp/debs/linux-*.deb' &&
	in_root test -e "/lib/modules/$KVER/build/Makefile"
}
t0=$SECONDS
check "linux-headers-$KVER installed on the new root" headers
ktap_print_msg "headers installed, DKMS build included, in $((SECONDS - t0)) s"

dkms_built() {
	in_root dkms status l2tpss | grep -q "^l2tpss/.*, $KVER, x86_64: installed" &&
	[ "$(modinfo -F vermagic "$R/lib/modules/$KVER/updates/dkms/l2tpss.ko" |
	    awk '{ print $1 }')" = "$KVER" ] ||
		{ in_root dkms status; find "$R/var/lib/dkms" -name make.log -exec tail -20 {} +; false; }
}
check "their DKMS hook built and installed l2tpss.ko for that kernel ($KVER)" dkms_built

enabled() {
	[ -L "$R/etc/systemd/system/multi-user.target.wants/l2tpss.service" ] &&
	in_root dpkg-query -W -f "\${Conffiles}" l2tpss |
		grep -q ' /etc/l2tpss/l2tpss.conf '
}
check "the package enabled l2tpss.service and made l2tpss.conf a conffile" enabled

# The operator's configuration, written as save prints it.
cat >"$R/etc/l2tpss/l2tpss.conf" <<'CONF'
defaults set single-shot off idle-timeout 120 destruct-timeout 30 require-ipsec off max-records 4096
profile replace clients peer 0.0.0.0/0 single-shot on destruct-timeout 60
profile replace partners peer 198.51.100.0/24 local 203.0.113.1 idle-timeout 300
CONF
cp "$R/etc/l2tpss/l2tpss.conf" "$TMP/conf"

# Booted by systemd: l2tpss-check.target wants the check, which wants
# l2tpss.service (as packaged) and runs after it, whatever became of it,
# then powers off.
cat >"$R/etc/systemd/system/l2tpss-check.target" <<'UNIT'
[Unit]
Description=l2tpss package check
Requires=l2tpss-check.service
After=l2tpss-check.service
AllowIsolate=yes
UNIT
cat >"$R/etc/systemd/system/l2tpss-check.service" <<'UNIT'
[Unit]
DefaultDependencies=no
Wants=l2tpss.service
After=l2tpss.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/l2tpss-check
ExecStopPost=/bin/systemctl --no-block poweroff
UNIT
cat >"$R/usr/local/sbin/l2tpss-check" <<'CHECK'
#!/bin/sh
exec >/out/log 2>&1
set -x
systemctl is-active l2tpss >/out/active1
systemctl status --no-pager l2tpss
modinfo -n l2tpss >/out/modpath
lsmod >/out/lsmod1
/usr/sbin/l2tpss-ctl save >/out/save1
modprobe l2tp_netlink && modprobe l2tp_ip &&
ip l2tp add tunnel tunnel_id 7 peer_tunnel_id 7 encap ip local 127.0.0.1 remote 127.0.0.2
/usr/sbin/l2tpss-ctl show -j >/out/show1
ip l2tp del tunnel tunnel_id 7
# A reboot: the service stops, the module goes, the service starts.
systemctl stop l2tpss
rmmod l2tpss
lsmod >/out/lsmod2
systemctl start l2tpss
systemctl is-active l2tpss >/out/active2
/usr/sbin/l2tpss-ctl save >/out/save2
echo 'profile replace late peer 192.0.2.0/24 idle-timeout 5' >>/etc/l2tpss/l2tpss.conf
systemctl reload l2tpss
/usr/sbin/l2tpss-ctl save >/out/save3
# A broken line: the reload fails and applies nothing of the file.
printf '%s\n' 'profile replace early peer 203.0.113.0/24 idle-timeout 9' \
	'profile replace broken peer 192.0.2.0/33' >>/etc/l2tpss/l2tpss.conf
systemctl reload l2tpss
echo $? >/out/reload-broken
/usr/sbin/l2tpss-ctl save >/out/save4
CHECK
chmod +x "$R/usr/local/sbin/l2tpss-check"
chroot_down
t0=$SECONDS
timeout -k 20 180 systemd-nspawn -q -D "$R" --boot --register=no --keep-unit \
	--capability=CAP_SYS_MODULE,CAP_NET_ADMIN --bind="$TMP/out:/out" --resolv-conf=off \
	--timezone=off --link-journal=no -- systemd.unit=l2tpss-check.target \
	>"$TMP/boot.log" 2>&1
ktap_print_msg "systemd booted the root and ran the checks in $((SECONDS - t0)) s"
o=$TMP/out
booted() {
	[ "$(cat "$o/active1")" = active ] &&
	[ "$(cat "$o/modpath")" = "/lib/modules/$KVER/updates/dkms/l2tpss.ko" ] &&
	grep -q '^l2tpss ' "$o/lsmod1" ||
		{ grep -v 'journal socket' "$TMP/boot.log" | head -60; cat "$o/log"; false; }
}
check "systemd starts l2tpss.service: it loads the module DKMS built" booted
check_eq "save prints the configuration file the service applied" \
	"$(cat "$TMP/conf")" "$(cat "$o/save1")"
profiled() {
	[ -s "$o/show1" ] && json_check "$(cat "$o/show1")" \
		'any(.[]; .tunnel_id == 7 and .profile == "clients" and .single_shot)'
}
check "show: a new tunnel gets the file's profile" profiled
rebooted() {
	! grep -q '^l2tpss ' "$o/lsmod2" && [ "$(cat "$o/active2")" = active ] &&
	diff "$TMP/conf" "$o/save2"
}
check "a reboot (stop, unload, start): the module was gone, save prints the same" rebooted
check_eq "systemctl reload applies the edited file" \
	"$(cat "$TMP/conf"; echo 'profile replace late peer 192.0.2.0/24 idle-timeout 5')" \
	"$(cat "$o/save3")"
broken() {
	[ "$(cat "$o/reload-broken")" != 0 ] && diff "$o/save3" "$o/save4"
}
check "a reload of a file with a broken line fails, applying none of it" broken
ktap_finished
