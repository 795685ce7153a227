#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh - prepare the kernels of the l2tpss VM test matrix.
#
# Usage: selftests/vm/setup.sh [NAME...]          set up all (or the named) kernels
#        selftests/vm/setup.sh --print-env NAME   print the path of NAME's env file
#                                                 (setting NAME up first if needed)
#
# Idempotent; a few seconds when everything is cached. Writes only below
# ${L2TPSS_CACHE:-$HOME/.cache/l2tpss} (and, if missing, installs host packages
# and creates the empty directory /lib/modules, the guest's bind-mount point).
# See README.md beside this file for the cache layout.

set -Eeuo pipefail
shopt -s nullglob
# die exits 3: the ERR trap reports only the failures die did not explain.
on_err() {
	(($1 == 3)) || echo "setup.sh: error: unexpected failure (status $1) at line $2: $3" >&2
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MATRIX=$VM_DIR/kernels
CACHE=${L2TPSS_CACHE:-$HOME/.cache/l2tpss}
APT_MAX_AGE_DAYS=${L2TPSS_APT_MAX_AGE_DAYS:-7}
# Bump when the layout of an unpacked kernel tree changes (forces re-extraction).
ROOT_LAYOUT=1

# Host packages: qemu + busybox for the VM, the rest to build kmod/ and tools/
# against the cached headers (the kernels are built with gcc-12; 6.12 wants
# pahole for module BTF) and for the tests themselves (ping for net/l2tp.sh,
# perl for checkpatch, clang and its libFuzzer for the parser's fuzz target,
# the daemons l2tpss_e2e.sh and l2tpss_nat.sh run in the VM, which boots on
# the host's root, and the NAT of the latter: nft, conntrack; man-db and
# systemd for the man pages' and the units' checks of host/dist.sh; the
# Python modules of the kernel's YNL tools, for the family's spec; Debian's
# packaging tools for make deb, and systemd-nspawn, which boots the root
# the packages are installed on in packages.sh). libreswan's libraries and
# certutil: its pluto runs unpacked (setup_libreswan); accel-ppp's build
# (setup_accel_ppp). debootstrap: the chroot of a kernel of another suite.
HOST_PKGS=(debootstrap qemu-system-x86 busybox-static libnl-3-dev libnl-genl-3-dev
	libjson-c-dev sparse pkg-config xz-utils cpio kmod iproute2 gcc gcc-12
	libc6-dev make libelf-dev bc flex bison pahole iputils-ping perl
	util-linux coreutils jq clang libclang-rt-14-dev strongswan-starter
	strongswan-charon libstrongswan-standard-plugins xl2tpd ppp nftables
	conntrack man-db systemd dkms python3-yaml python3-jsonschema
	build-essential dpkg-dev debhelper dh-dkms lintian systemd-container
	libnss3-tools libnss3 libnspr4 libldns3 libunbound8 libevent-core-2.1-7
	libevent-pthreads-2.1-7 libcurl3-nss libcap-ng0 libaudit1 libldap-2.5-0
	libpam0g libselinux1 libsystemd0 libcrypt1 cmake libssl-dev libpcre2-dev)
# make bench's too (L2TPSS_BENCH=1): callgrind, and gnuplot for the plot.
[[ ${L2TPSS_BENCH:-0} == 1 ]] && HOST_PKGS+=(valgrind gnuplot-nox)

# Modules the initramfs needs to mount the host root over virtio-9p
# (dependencies are resolved with modprobe; built-ins are skipped).
INITRAMFS_MODS=(virtio_pci 9pnet_virtio 9p)

# Files taken from the linux-source tarball (paths below linux-source-X.Y/).
SRC_REQUIRED=(net/l2tp/l2tp_core.h
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/net/l2tp.sh
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch)
# Extracted too: all of net/l2tp/; the helpers 6.12's l2tp.sh sources
# (net/lib.sh) and the kselftest shell helpers; the YNL tools (ynl-gen-c.py,
# cli.py) and the genetlink-legacy schema they check the family's spec
# with (6.3 and later); absent ones are fine.
SRC_PATTERNS=('net/l2tp/*' "${SRC_REQUIRED[@]:1}"
	tools/testing/selftests/net/lib.sh
	'tools/testing/selftests/kselftest/*'
	'tools/net/ynl/*.py' 'tools/net/ynl/lib/*.py'
	Documentation/netlink/genetlink-legacy.yaml
	scripts/checker-valid.sh)
# Bump when SRC_PATTERNS changes (forces re-extraction).
SRC_LAYOUT=3

die() { echo "setup.sh: error: $*" >&2; exit 3; }
log() { echo "setup.sh: $*" >&2; }

usage() {
	awk '/^# Usage:/ { on = 1 } on { if ($0 == "#") exit; sub(/^# ?/, ""); print }' "$0" >&2
	exit "${1:-2}"
}

# ---------------------------------------------------------------- matrix --

MATRIX_NAMES=() MATRIX_METAS=() MATRIX_SRCS=() MATRIX_SUITES=()
read_matrix() {
	local name meta src suite extra
	MATRIX_NAMES=() MATRIX_METAS=() MATRIX_SRCS=() MATRIX_SUITES=()
	[[ -r $MATRIX ]] || die "kernel matrix $MATRIX not found"
	while read -r name meta src suite extra; do
		[[ -z $name || $name == \#* ]] && continue
		[[ -n $src && -z $extra && $suite =~ ^[a-z0-9-]*$ ]] ||
			die "$MATRIX: bad line: $name $meta $src $suite $extra"
		MATRIX_NAMES+=("$name") MATRIX_METAS+=("$meta") MATRIX_SRCS+=("$src")
		MATRIX_SUITES+=("$suite")
	done <"$MATRIX"
	((${#MATRIX_NAMES[@]})) || die "$MATRIX lists no kernel"
}

matrix_index() { # NAME -> index on stdout
	local i
	for i in "${!MATRIX_NAMES[@]}"; do
		[[ ${MATRIX_NAMES[$i]} == "$1" ]] && { echo "$i"; return 0; }
	done
	die "unknown kernel '$1' (known: ${MATRIX_NAMES[*]})"
}

# ------------------------------------------------------------------- apt --

APT_UPDATED=0
apt_lists_ok() { # the package lists exist and are younger than APT_MAX_AGE_DAYS
	local lists=(/var/lib/apt/lists/*_Packages*)
	((${#lists[@]})) || return 1
	[[ -z $(find "${lists[@]}" -maxdepth 0 -mtime "+$APT_MAX_AGE_DAYS" 2>/dev/null) ]]
}

apt_update() { # at most once a run (kernels are set up in subshells: the
	# lists' age tells whether one of them has updated)
	((APT_UPDATED)) && return 0
	APT_UPDATED=1
	if [[ -n ${RUN_STAMP:-} ]] &&
	   [[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' \
		-newer "$RUN_STAMP" 2>/dev/null | head -n 1) ]]; then
		return 0
	fi
	log "apt-get update"
	apt-get update -qq >&2 || log "warning: apt-get update failed; using the lists there are"
}

apt_update_if_old() { apt_lists_ok || apt_update; }

install_host_packages() {
	local p st missing=() installed=" "
	while read -r p st; do
		[[ $st == ii* ]] && installed+="${p%%:*} "
	# dpkg-query exits 1 when it knows some package not at all: those are
	# missing, which is what this asks, not an error.
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${HOST_PKGS[@]}" 2>/dev/null || :)
	for p in "${HOST_PKGS[@]}"; do
		[[ $installed == *" $p "* ]] || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	log "installing host packages: ${missing[*]}"
	apt_update_if_old
	# Only the missing packages are named: nothing installed is upgraded on
	# purpose (apt may still have to for a dependency's minimum version).
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends --no-upgrade "${missing[@]}" >"$CACHE/apt.log" 2>&1; then
		cat "$CACHE/apt.log" >&2
		die "apt-get install ${missing[*]} failed"
	fi
}

# The apt asked: the host's, or with APT_ROOT set that chroot's (a kernel of
# another suite, see setup_chroot).
APT_ROOT=
apt_cache() {
	if [[ -n $APT_ROOT ]]; then
		chroot "$APT_ROOT" apt-cache "$@"
	else
		apt-cache "$@"
	fi
}

# Candidate version of a package, or nothing.
apt_candidate() {
	apt_cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}

# Field of the record of PKG at VERSION (Depends, Filename, ...).
apt_field() { # PKG VERSION FIELD
	apt_cache show "$1=$2" 2>/dev/null |
		awk -v f="$3:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}

# Resolve a matrix line into the concrete packages to use, filling R_KVER,
# R_VERSION and R_DEBS ("package=version=pool-file-name" for the image,
# headers, headers-common and kbuild packages, then the linux-source one).
# apt-cache is slow here (no binary cache: ~0.6 s a call), so the answer is
# kept in $CACHE/kernels/NAME.resolved until the apt lists change.
# Returns 1 if apt does not know the packages.
resolve_kernel() { # NAME META SRCPKG
	local name=$1 meta=$2 srcpkg=$3 img dep pkg ver file deps key try
	local cachef=$CACHE/kernels/$1.resolved lists
	for try in 1 2; do
		lists=(/var/lib/apt/lists/*_Packages*)
		key=$({ echo "$meta $srcpkg"; stat -c '%n %s %Y' "${lists[@]}"; } | sha256sum)
		key=${key%% *}
		if [[ -f $cachef && $(head -n1 "$cachef") == "$key" ]]; then
			{ read -r _; read -r R_KVER; read -r R_VERSION; mapfile -t R_DEBS; } <"$cachef"
			((${#R_DEBS[@]} == 5)) && return 0
		fi
		# A look-up is needed: refresh missing or old package lists first.
		((try == 1)) && ! apt_lists_ok && apt_update && continue
		break
	done
	R_DEBS=()
	img=$(apt-cache depends "$meta" 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^linux-image-/ { print $2; exit }') || return 1
	[[ -n $img ]] || return 1
	R_KVER=${img#linux-image-}
	R_VERSION=$(apt_candidate "$img-unsigned")
	[[ -n $R_VERSION ]] || return 1
	local want=("$img-unsigned=$R_VERSION" "linux-headers-$R_KVER=$R_VERSION")
	deps=$(apt_field "linux-headers-$R_KVER" "$R_VERSION" Depends)
	[[ -n $deps ]] || return 1
	# e.g. "linux-headers-6.1.0-56-common (= 6.1.192-2), linux-kbuild-6.1 (>= 6.1.192-2), ..."
	while read -r dep; do
		pkg=${dep%% *}
		case $pkg in
		linux-headers-*-common) want+=("$pkg=$R_VERSION") ;;
		linux-kbuild-*) want+=("$pkg=$(apt_candidate "$pkg")") ;;
		esac
	done < <(tr ',' '\n' <<<"${deps//|/,}" | sed 's/^ *//')
	((${#want[@]} == 4)) || return 1
	want+=("$srcpkg=$R_VERSION")
	# One apt-cache call for the five pool file names.
	while read -r pkg ver file; do
		R_DEBS+=("$pkg=$ver=${file##*/}")
	done < <(apt-cache show "${want[@]}" 2>/dev/null | awk '
		$1 == "Package:" { p = $2 } $1 == "Version:" { v = $2 }
		$1 == "Filename:" && !seen[p]++ { print p, v, $2 }')
	((${#R_DEBS[@]} == 5)) || return 1
	printf '%s\n' "$key" "$R_KVER" "$R_VERSION" "${R_DEBS[@]}" >"$cachef"
}

# Make sure a resolved package (PKG=VERSION=FILE) is in $CACHE/debs; print
# its path.
fetch_deb() {
	local pkg=${1%%=*} ver=${1#*=} file tmp
	file=${ver#*=} ver=${ver%%=*}
	if [[ ! -s $CACHE/debs/$file ]]; then
		mkdir -p "$CACHE/debs"
		if [[ -s /var/cache/apt/archives/$file ]]; then
			cp "/var/cache/apt/archives/$file" "$CACHE/debs/$file.part"
		else
			log "downloading $pkg $ver"
			tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
			(cd "$tmp" && ${APT_ROOT:+"$VM_DIR/chroot.sh" "$APT_ROOT"} \
				apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >&2) ||
				{ rm -rf "$tmp"; die "apt-get download $pkg=$ver failed"; }
			mv "$tmp/$file" "$CACHE/debs/$file.part" ||
				{ rm -rf "$tmp"; die "apt-get download did not give $file"; }
			rm -rf "$tmp"
		fi
		mv "$CACHE/debs/$file.part" "$CACHE/debs/$file"
	fi
	echo "$CACHE/debs/$file"
}

# ------------------------------------------------------- unpacked kernels --

# Unpack image + headers + kbuild into $CACHE/kernels/KVER/root, usable as
# KDIR for out-of-tree modules and as the guest's /lib/modules.
unpack_kernel() { # KVER DEB...
	local kver=$1 kdir=$CACHE/kernels/$1 deb link target want f
	shift
	local root=$kdir/root
	want=$(printf 'layout %s\n' "$ROOT_LAYOUT"; printf '%s\n' "${@##*/}")
	if [[ -f $kdir/root.stamp && $(<"$kdir/root.stamp") == "$want" ]]; then
		return 0
	fi
	log "$kver: unpacking ${*##*/}"
	rm -rf "$root" "$kdir/root.stamp"
	mkdir -p "$root"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x $deb failed"
	done
	# Debian's 7.x packages put the modules, the image and its config in
	# /usr/lib/modules/KVER (linux-base copies the latter two to /boot when
	# installed): where the guest and the scripts look for them.
	if [[ -d $root/usr/lib/modules/$kver && ! -e $root/lib/modules ]]; then
		mkdir -p "$root/lib" "$root/boot"
		mv "$root/usr/lib/modules" "$root/lib/modules"
		for f in vmlinuz config System.map; do
			[[ -f $root/lib/modules/$kver/$f ]] &&
				cp "$root/lib/modules/$kver/$f" "$root/boot/$f-$kver"
		done
	fi
	# The headers' Makefile includes the -common tree by absolute path: make
	# it relative (make -C KDIR runs in KDIR) so the cached tree is used.
	for link in "$root"/usr/src/linux-headers-*/Makefile; do
		sed -i -E 's|^include /usr/src/(linux-headers-[^/]+/Makefile)$|include ../\1|' "$link"
	done
	# Absolute symlinks (lib/modules/KVER/build, source) would leave the
	# cache: point them inside it.
	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		if [[ -e $root$target || -L $root$target ]]; then
			ln -sfn "$(realpath -s -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
		fi
	done < <(find "$root" -type l -lname '/*' -print0)
	[[ -f $root/boot/vmlinuz-$kver ]] || die "$kver: no boot/vmlinuz-$kver in the image package"
	[[ -d $root/lib/modules/$kver ]] || die "$kver: no lib/modules/$kver in the image package"
	# (A kernel of another suite has its headers in its chroot.)
	if [[ -d $root/usr/src/linux-headers-$kver ]]; then
		[[ -f $root/usr/src/linux-headers-$kver/Module.symvers ]] ||
			die "$kver: headers incomplete"
	fi
	depmod -b "$root" "$kver" || die "$kver: depmod failed"
	echo "$want" >"$kdir/root.stamp"
}

# Check once per unpack that the headers build an out-of-tree module (in
# CHROOT, for a kernel of another suite, where HEADERS is their path).
check_kdir() { # KVER HEADERS [CHROOT]
	local kver=$1 kdir=$CACHE/kernels/$1 headers=$2 t run=()
	[[ -n ${3:-} ]] && run=("$VM_DIR/chroot.sh" "$3")
	[[ -f $kdir/kdir.ok && $kdir/kdir.ok -nt $kdir/root.stamp &&
	   $kdir/kdir.ok -nt ${3:-}$headers/Makefile ]] && return 0
	log "$kver: test-building a module against its headers"
	t=$(mktemp -d)
	cat >"$t/hello.c" <<-'EOF'
		#include <linux/module.h>
		static int __init hello_init(void) { return 0; }
		static void __exit hello_exit(void) { }
		module_init(hello_init);
		module_exit(hello_exit);
		MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := hello.o' >"$t/Kbuild"
	if ! "${run[@]}" make -s -C "$headers" M="$t" modules >"$t/log" 2>&1 ||
		! modinfo -F vermagic "$t/hello.ko" | grep -q "^$kver "; then
		cat "$t/log" >&2
		rm -rf "$t"
		die "$kver: cannot build a module against $headers"
	fi
	rm -rf "$t"
	touch "$kdir/kdir.ok"
}

# ---------------------------------------------------------------- chroots --

# A matrix kernel of another suite (sid's 7.2: a fourth column in the
# matrix) comes from that suite, and its headers want that suite's compiler
# (gcc-16 for 7.2). Both come through a minimal chroot of the suite,
# $CACHE/chroot/SUITE, made once by debootstrap from the host's own Debian
# mirror: its apt resolves and downloads the kernel's packages and installs
# its headers with their compiler; the module is built in it
# (selftests/vm/chroot.sh). The host's apt never has the suite among its
# sources, so nothing of the host can be installed or upgraded from it.
CHROOT_PKGS=(make pahole sparse xz-utils zstd kmod dkms)
# Bump when the chroot's making changes (forces a new one).
CHROOT_LAYOUT=1

# The host's Debian mirror (its first non-security source of main), or
# L2TPSS_DEBIAN_MIRROR.
debian_mirror() {
	if [[ -n ${L2TPSS_DEBIAN_MIRROR:-} ]]; then
		echo "$L2TPSS_DEBIAN_MIRROR"
		return
	fi
	apt-cache policy 2>/dev/null | awk '$1 ~ /^-?[0-9]+$/ && $2 ~ /^https?:\/\// &&
		$2 !~ /security/ && $3 ~ /\/main$/ { print $2; exit }'
}

# apt-get in the chroot, quietly; its output goes to its log.
chroot_apt() { # CHROOT ARGS...
	local root=$1
	shift
	DEBIAN_FRONTEND=noninteractive "$VM_DIR/chroot.sh" "$root" \
		apt-get -q -o APT::Sandbox::User=root "$@" >>"$root.log" 2>&1
}

chroot_apt_update() { # CHROOT
	local root=$1 conf=$1/etc/apt/apt.conf.d/99l2tpss-valid-until
	log "$(basename "$root") chroot: apt-get update"
	: >"$root.log"
	chroot_apt "$root" update && ! grep -q 'is no longer valid\|is expired' "$root.log" &&
		return 0
	# A registry serving a frozen snapshot of the suite: its Release file
	# has expired (Valid-Until). Its signature is still checked.
	if grep -q 'is no longer valid\|is expired' "$root.log" && [[ ! -f $conf ]]; then
		log "warning: $(basename "$root")'s Release has expired (a snapshot?):" \
			"the chroot's apt no longer checks Valid-Until"
		echo 'Acquire::Check-Valid-Until "false";' >"$conf"
		: >"$root.log"
		chroot_apt "$root" update && return 0
	fi
	tail -n 20 "$root.log" >&2
	die "apt-get update in the $(basename "$root") chroot failed (log: $root.log)"
}

# Make (once) the chroot of SUITE; refresh its package lists when old.
setup_chroot() { # SUITE -> CHROOT_ROOT
	local suite=$1 root=$CACHE/chroot/$1 mirror lists t0=$SECONDS
	CHROOT_ROOT=$root
	if [[ ! -f $root.stamp || $(<"$root.stamp") != "layout $CHROOT_LAYOUT" ]]; then
		mirror=$(debian_mirror)
		[[ -n $mirror ]] || die "no Debian mirror among the host's apt sources (L2TPSS_DEBIAN_MIRROR=)"
		log "$suite chroot: debootstrap from $mirror (once)"
		# (--one-file-system: rm stops at another file system, a proc a
		# killed run of an older setup.sh left mounted, rather than go in.)
		rm -rf --one-file-system "$root" "$root.tmp" "$root.stamp" ||
			die "$suite chroot: something is still mounted under $root or $root.tmp; unmount it"
		mkdir -p "$CACHE/chroot"
		# In a mount namespace of its own: the proc and sys it mounts in
		# the new root go with it, even when it is killed.
		if ! unshare --mount --propagation private -- \
			debootstrap --variant=minbase "$suite" "$root.tmp" "$mirror" \
			>"$root.log" 2>&1; then
			tail -n 20 "$root.log" >&2
			rm -rf "$root.tmp"
			die "debootstrap $suite failed (log: $root.log)"
		fi
		mv "$root.tmp" "$root"
		chroot_apt_update "$root"
		chroot_apt "$root" install -y --no-install-recommends "${CHROOT_PKGS[@]}" ||
			{ tail -n 20 "$root.log" >&2; die "$suite chroot: cannot install ${CHROOT_PKGS[*]}"; }
		echo "layout $CHROOT_LAYOUT" >"$root.stamp"
		log "$suite chroot ready ($((SECONDS - t0)) s)"
		return 0
	fi
	lists=("$root"/var/lib/apt/lists/*_Packages*)
	if ((${#lists[@]} == 0)) ||
	   [[ -n $(find "${lists[@]}" -maxdepth 0 -mtime "+$APT_MAX_AGE_DAYS" 2>/dev/null) ]]; then
		chroot_apt_update "$root"
	fi
}

# The packages of a kernel of another suite, through its chroot's apt:
# R_KVER, R_VERSION, R_DEBS (the image's, then the linux-source one, as
# "package=version=pool-file-name"); the headers are installed in the
# chroot. Debian's 7.x image is split: linux-image-KVER (nearly empty)
# depends on linux-binary-KVER (vmlinuz), linux-modules-KVER and
# linux-base-KVER (config, System.map).
resolve_suite_kernel() { # META SRCPKG
	local meta=$1 srcpkg=$2 img dep pkg ver file want
	R_DEBS=()
	img=$(apt_cache depends "$meta" 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^linux-image-/ { print $2; exit }')
	[[ -n $img ]] || return 1
	R_KVER=${img#linux-image-}
	R_VERSION=$(apt_candidate "$img")
	[[ -n $R_VERSION ]] || return 1
	want=("$img=$R_VERSION")
	while read -r dep; do
		pkg=${dep%% *}
		[[ $pkg == linux-*-"$R_KVER" ]] && want+=("$pkg=$R_VERSION")
	done < <(apt_field "$img" "$R_VERSION" Depends | sed 's/[,|]/\n/g' | sed 's/^ *//')
	want+=("$srcpkg=$R_VERSION")
	while read -r pkg ver file; do
		R_DEBS+=("$pkg=$ver=${file##*/}")
	done < <(apt_cache show "${want[@]}" 2>/dev/null | awk '
		$1 == "Package:" { p = $2 } $1 == "Version:" { v = $2 }
		$1 == "Filename:" && !seen[p]++ { print p, v, $2 }')
	((${#R_DEBS[@]} == ${#want[@]})) || return 1
}

# The headers of KVER at VERSION in the chroot (and so its compiler), with
# the sparse check Debian's headers lack (the Makefile runs it for C=1).
install_suite_headers() { # CHROOT KVER VERSION KSRC
	local root=$1 kver=$2 ver=$3 ksrc=$4 d
	# An install a killed run left half done would stop every later one.
	if [[ -n $(chroot "$root" dpkg --audit 2>/dev/null) ||
	      -n $(ls -A "$root/var/lib/dpkg/updates" 2>/dev/null) ]]; then
		log "$(basename "$root") chroot: finishing an interrupted install"
		DEBIAN_FRONTEND=noninteractive "$VM_DIR/chroot.sh" "$root" dpkg --configure -a \
			</dev/null >>"$root.log" 2>&1 || :
		chroot_apt "$root" -f install -y --no-install-recommends || :
	fi
	# shellcheck disable=SC2016
	if [[ $(chroot "$root" dpkg-query -W -f='${Version} ${db:Status-Abbrev}' \
		"linux-headers-$kver" 2>/dev/null) != "$ver ii"* ]]; then
		log "$(basename "$root") chroot: installing linux-headers-$kver $ver"
		chroot_apt "$root" install -y --no-install-recommends "linux-headers-$kver=$ver" ||
			{ tail -n 20 "$root.log" >&2; die "cannot install linux-headers-$kver in $root"; }
	fi
	for d in "$root"/usr/src/linux-headers-"${kver%-*}"-common "$root/usr/src/linux-headers-$kver"; do
		[[ -d $d/scripts && ! -e $d/scripts/checker-valid.sh && -f $ksrc/scripts/checker-valid.sh ]] &&
			install -m 0755 "$ksrc/scripts/checker-valid.sh" "$d/scripts/"
	done
	return 0
}

# ------------------------------------------------------------ linux-source --

extract_source() { # NAME SRCDEB
	local name=$1 deb=$2 dest=$CACHE/src/$1 tmp tarpath top f pats=()
	if [[ -f $dest.stamp && $(<"$dest.stamp") == "${deb##*/} $SRC_LAYOUT" && -d $dest ]]; then
		return 0
	fi
	log "$name: extracting the L2TP sources and kselftest files from ${deb##*/} (takes a while)"
	tarpath=$(dpkg-deb -c "$deb" | awk '$NF ~ /^\.\/usr\/src\/linux-source-.*\.tar\.xz$/ { print $NF; exit }')
	[[ -n $tarpath ]] || die "no linux-source tarball in $deb"
	top=${tarpath##*/}
	top=${top%.tar.xz}
	for f in "${SRC_PATTERNS[@]}"; do
		pats+=("$top/$f")
	done
	rm -rf "$dest" "$dest.stamp"
	tmp=$(mktemp -d "$CACHE/src/.x.XXXXXX")
	# tar exits 2 when an optional pattern matches nothing: the required
	# files are checked below instead.
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarpath" | xz -dc -T2 |
		tar -x -C "$tmp" --wildcards "${pats[@]}" 2>/dev/null || true
	for f in "${SRC_REQUIRED[@]}"; do
		[[ -f $tmp/$top/$f ]] || { rm -rf "$tmp"; die "$name: $f not found in $deb"; }
	done
	mv "$tmp/$top" "$dest"
	rm -rf "$tmp"
	echo "${deb##*/} $SRC_LAYOUT" >"$dest.stamp"
}

# ------------------------------------------------------------- initramfs --

# The initramfs /init: load the 9p modules, mount the host root read-only and
# switch_root into the guest init named by l2tpss.init= (see run.sh).
initramfs_init() {
	cat <<-'EOF'
		#!/bin/sh
		# l2tpss VM initramfs (generated by selftests/vm/setup.sh)
		export PATH=/bin
		mount -t devtmpfs devtmpfs /dev
		exec </dev/console >/dev/console 2>&1
		mount -t proc proc /proc
		mount -t sysfs sysfs /sys
		fail() {
			echo "l2tpss initramfs: $*"
			echo o >/proc/sysrq-trigger
			while :; do sleep 60; done
		}
		while read -r m; do
			insmod "/lib/modules/$m" || fail "insmod $m failed"
		done </modules.list
		init=
		for w in $(cat /proc/cmdline); do
			case $w in l2tpss.init=*) init=${w#l2tpss.init=} ;; esac
		done
		[ -n "$init" ] || fail "no l2tpss.init= on the kernel command line"
		mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /newroot ||
			fail "cannot mount the host root (9p tag hostroot)"
		[ -x "/newroot$init" ] || fail "guest init $init is not an executable on the host"
		for d in dev proc sys; do
			mount --move /$d /newroot/$d || fail "cannot move /$d"
		done
		exec switch_root /newroot "$init"
		fail "switch_root failed"
	EOF
}

build_initramfs() { # KVER
	local kver=$1 kdir=$CACHE/kernels/$1 root=$CACHE/kernels/$1/root
	local out=$CACHE/kernels/$1/initramfs.cpio.gz bb=/bin/busybox
	local want stage line m path seen=" " mods=()
	[[ -x $bb ]] || die "$bb not found (busybox-static)"
	want=$({ initramfs_init; cat "$kdir/root.stamp"; dpkg-query -W -f='${Version}' busybox-static
		printf '%s\n' "${INITRAMFS_MODS[@]}"; } | sha256sum)
	want=${want%% *}
	[[ -f $out && -f $out.stamp && $(<"$out.stamp") == "$want" ]] && return 0
	log "$kver: building the initramfs"
	for m in "${INITRAMFS_MODS[@]}"; do
		while read -r line; do
			case $line in
			builtin\ *) ;;
			insmod\ *)
				path=${line#insmod }
				path=${path%% *}
				[[ $seen == *" $path "* ]] && continue
				seen+="$path "
				mods+=("$path")
				;;
			*) die "$kver: modprobe --show-depends $m: unexpected '$line'" ;;
			esac
		done < <(modprobe -d "$root" -S "$kver" --show-depends "$m" ||
			echo "failed $m")
	done
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$bb" "$stage/bin/busybox"
	for m in sh mount insmod cat sleep switch_root; do
		ln -s busybox "$stage/bin/$m"
	done
	mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
	for path in "${mods[@]}"; do
		m=${path##*/}
		case $m in
		*.ko.xz) m=${m%.xz}; xz -dc "$path" >"$stage/lib/modules/$m" ;;
		*.ko.zst) m=${m%.zst}; zstd -qdc "$path" >"$stage/lib/modules/$m" ;;
		*.ko.gz) m=${m%.gz}; gzip -dc "$path" >"$stage/lib/modules/$m" ;;
		*.ko) cp "$path" "$stage/lib/modules/$m" ;;
		*) die "$kver: unexpected module file $path" ;;
		esac || die "$kver: cannot copy $path"
		echo "$m" >>"$stage/modules.list"
	done
	touch "$stage/modules.list"
	initramfs_init >"$stage/init"
	chmod 755 "$stage/init"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet | gzip -9n) >"$out.tmp" ||
		{ rm -rf "$stage"; die "$kver: cannot build the initramfs"; }
	rm -rf "$stage"
	mv "$out.tmp" "$out"
	echo "$want" >"$out.stamp"
}

# -------------------------------------------------------------- vmlinux --

# Decompressing a bzImage is slow under emulation (6.1's xz: ~3 s a boot).
# qemu boots an uncompressed ELF vmlinux through its PVH entry directly, so
# unpack it once. Leaves no vmlinux (run.sh then boots the bzImage) if the
# kernel has no PVH entry note.
extract_vmlinux() { # KVER
	local kver=$1 kdir=$CACHE/kernels/$1 vmlinuz out off offs magic tool
	vmlinuz=$kdir/root/boot/vmlinuz-$kver
	out=$kdir/vmlinux
	[[ -f $out && $out -nt $kdir/root.stamp ]] && return 0
	[[ -f $out.none && $out.none -nt $kdir/root.stamp ]] && return 0
	rm -f "$out" "$out.none"
	for magic in xz zstd gzip; do
		case $magic in
		xz) tool=(xz -dc) ;;
		zstd) tool=(zstd -qdc) ;;
		gzip) tool=(gzip -dc) ;;
		esac
		command -v "${tool[0]}" >/dev/null || continue
		offs=$(LC_ALL=C grep -aboP "$(magic_re "$magic")" "$vmlinuz" | cut -d: -f1) || :
		for off in $offs; do
			# The decompressor complains about the data after the stream.
			tail -c "+$((off + 1))" "$vmlinuz" | "${tool[@]}" >"$out.tmp" 2>/dev/null || :
			if [[ $(head -c4 "$out.tmp" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
				break 2
			fi
		done
		rm -f "$out.tmp"
	done
	if [[ -s $out.tmp ]] && readelf -n "$out.tmp" 2>/dev/null | grep -qE '0x00000012|PHYS32_ENTRY'; then
		mv "$out.tmp" "$out"
	else
		log "$kver: no PVH-bootable vmlinux in $vmlinuz; booting the bzImage"
		rm -f "$out.tmp"
		touch "$out.none"
	fi
}

magic_re() {
	case $1 in
	xz) printf '%s' '\xfd7zXZ\x00' ;;
	zstd) printf '%s' '\x28\xb5\x2f\xfd' ;;
	gzip) printf '%s' '\x1f\x8b\x08' ;;
	esac
}

# --------------------------------------------------------------- daemons --

# The daemons the end-to-end tests run besides Debian's installed ones, in
# $CACHE/daemons, named to the tests by $CACHE/daemons.env (L2TPSS_* lines,
# which check.sh passes into the VM).
DAEMON_ENV=()

# libreswan (l2tpss_e2e_libreswan.sh): Debian's package conflicts with
# strongSwan's (both ship an ipsec command), which the other tests run, so
# it is unpacked, never installed; its libraries are in HOST_PKGS.
setup_libreswan() {
	local ver file deb dir missing cached
	apt_update_if_old
	ver=$(apt_candidate libreswan)
	if [[ -z $ver ]]; then
		apt_update
		ver=$(apt_candidate libreswan)
	fi
	if [[ -z $ver ]]; then
		# apt cannot tell (offline): the copy there is, if any.
		cached=("$CACHE"/daemons/libreswan-*/usr/libexec/ipsec/pluto)
		((${#cached[@]})) || die "apt knows no libreswan, and none is unpacked"
		dir=${cached[-1]%/usr/libexec/ipsec/pluto}
		log "warning: apt knows no libreswan; keeping $dir"
	else
		# (An epoch's colon would end the overlay's lowerdir= early.)
		dir=$CACHE/daemons/libreswan-${ver//:/_}
	fi
	if [[ ! -x $dir/usr/libexec/ipsec/pluto ]]; then
		file=$(apt_field libreswan "$ver" Filename)
		[[ -n $file ]] || die "apt has no file for libreswan $ver"
		deb=$(fetch_deb "libreswan=$ver=${file##*/}")
		rm -rf "$dir.tmp" "$dir"
		mkdir -p "$dir.tmp"
		dpkg-deb -x "$deb" "$dir.tmp" || die "cannot unpack $deb"
		mv "$dir.tmp" "$dir"
		log "libreswan $ver unpacked into $dir"
	fi
	missing=$(ldd "$dir"/usr/libexec/ipsec/{pluto,whack,addconn} | awk '/not found/ { print $1 }')
	[[ -z $missing ]] || die "libreswan's libraries missing: $missing (HOST_PKGS)"
	DAEMON_ENV+=("L2TPSS_LIBRESWAN=$dir")
}

# accel-ppp (l2tpss_e2e_accel.sh), which Debian does not package: built
# from the snapshot in shared/vendor (L2TPSS_VENDOR) into
# $CACHE/daemons/accel-ppp-COMMIT, its prefix (accel-pppd finds its modules
# there, the path compiled in), once per tarball (about 25 s on 2 cores).
# Only the L2TP LNS's parts: no RADIUS, shaper, Lua, SNMP, no kernel driver.
setup_accel_ppp() {
	local vendor=${L2TPSS_VENDOR:-$VM_DIR/../../../shared/vendor} tarballs sha
	local prefix tmp src
	tarballs=("$vendor"/accel-ppp-*.tar.gz)
	if ((${#tarballs[@]} != 1)); then
		log "warning: not one accel-ppp-*.tar.gz in $vendor (L2TPSS_VENDOR):" \
			"l2tpss_e2e_accel.sh will skip"
		return 0
	fi
	prefix=$CACHE/daemons/$(basename "${tarballs[0]}" .tar.gz)
	sha=$(sha256sum "${tarballs[0]}" | cut -d' ' -f1)
	if ! accel_ppp_built "$prefix" ||
	   [[ $(cat "$prefix/.tarball-sha256" 2>/dev/null) != "$sha" ]]; then
		log "building $(basename "${tarballs[0]}") into $prefix"
		tmp=$(mktemp -d)
		# Each step's failure stops it (no set -e in a tested subshell).
		# Its install also writes /var/log/accel-ppp: staged, and only
		# the prefix kept, put in place whole.
		if tar -xzf "${tarballs[0]}" -C "$tmp" &&
		   src=$(find "$tmp" -mindepth 2 -maxdepth 2 -name CMakeLists.txt \
			-printf '%h\n' | head -n 1) && [[ -n $src ]] &&
		   cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release \
			-DCMAKE_INSTALL_PREFIX="$prefix" -DLIB_SUFFIX=64 \
			-DRADIUS=FALSE -DSHAPER=FALSE -DLUA=FALSE -DNETSNMP=FALSE \
			-DLOG_PGSQL=FALSE -DBUILD_IPOE_DRIVER=FALSE \
			-DBUILD_VLAN_MON_DRIVER=FALSE -DBUILD_PPPOSEQ_DRIVER=FALSE \
			>"$CACHE/accel-ppp-build.log" 2>&1 &&
		   cmake --build "$tmp/build" -j"$(nproc)" >>"$CACHE/accel-ppp-build.log" 2>&1 &&
		   DESTDIR="$tmp/stage" cmake --install "$tmp/build" \
			>>"$CACHE/accel-ppp-build.log" 2>&1 &&
		   accel_ppp_built "$tmp/stage$prefix"; then
			echo "$sha" >"$tmp/stage$prefix/.tarball-sha256"
			rm -rf "$prefix"
			mv "$tmp/stage$prefix" "$prefix"
			rm -rf "$tmp"
		else
			rm -rf "$tmp"
			tail -n 20 "$CACHE/accel-ppp-build.log" >&2
			log "warning: accel-ppp did not build (log: $CACHE/accel-ppp-build.log):" \
				"l2tpss_e2e_accel.sh will skip"
			return 0
		fi
	fi
	DAEMON_ENV+=("L2TPSS_ACCEL_PPP=$prefix")
}
# What the test runs is there, under prefix DIR.
accel_ppp_built() {
	[[ -x $1/sbin/accel-pppd && -x $1/bin/accel-cmd && -e $1/lib64/accel-ppp/libl2tp.so ]]
}

setup_daemons() {
	local env=$CACHE/daemons.env
	DAEMON_ENV=()
	mkdir -p "$CACHE/daemons"
	setup_libreswan
	setup_accel_ppp
	printf '%q\n' "${DAEMON_ENV[@]}" >"$env.tmp"
	mv "$env.tmp" "$env"
}

# ------------------------------------------------------------------ main --

# A kernel built here (debug-kernel.sh) passes its own build tree as KDIR,
# its source as KSRC, and its vmlinux; a kernel of another suite the path
# of its headers in its chroot, and the chroot (KCHROOT: builds for it run
# there, selftests/vm/chroot.sh; its headers must be given their path there:
# 7.x's kbuild rewrites a build dir reached by another path).
write_env() { # NAME KVER VERSION [KDIR KSRC VMLINUX KCHROOT]
	local name=$1 kver=$2 root=$CACHE/kernels/$2/root env=$CACHE/kernels/$1.env
	local kdir=${4:-$CACHE/kernels/$2/root/usr/src/linux-headers-$2}
	local ksrc=${5:-$CACHE/src/$1} vmlinux=${6:-$CACHE/kernels/$2/vmlinux}
	local kchroot=${7:-}
	[[ -f $vmlinux ]] || vmlinux=''
	cat >"$env.tmp" <<-EOF
		# l2tpss VM kernel $name (written by selftests/vm/setup.sh; source it)
		KNAME=$(printf %q "$name")
		KVER=$(printf %q "$kver")
		KPKGVER=$(printf %q "$3")
		MODROOT=$(printf %q "$root")
		MODDIR=$(printf %q "$root/lib/modules/$kver")
		KDIR=$(printf %q "$kdir")
		KCONFIG=$(printf %q "$root/boot/config-$kver")
		VMLINUZ=$(printf %q "$root/boot/vmlinuz-$kver")
		VMLINUX=$(printf %q "$vmlinux")
		INITRAMFS=$(printf %q "$CACHE/kernels/$kver/initramfs.cpio.gz")
		KSRC=$(printf %q "$ksrc")
		L2TP_SRC=$(printf %q "$ksrc/net/l2tp")
		KSELFTEST_DIR=$(printf %q "$ksrc/tools/testing/selftests")
		KCHROOT=$(printf %q "$kchroot")
	EOF
	mv "$env.tmp" "$env"
}

# When apt cannot resolve kernel NAME: the env file there is kept, with a
# warning; with none, it fails.
keep_env() { # NAME WHY
	local env=$CACHE/kernels/$1.env
	[[ -f $env ]] || die "$1: $2"
	log "warning: $1: $2; keeping $env"
	# shellcheck disable=SC1090,SC2153
	echo "$1: $(. "$env" && echo "$KVER") (unchecked: apt lookup failed)"
}

setup_kernel() { # INDEX
	local i=$1 name=${MATRIX_NAMES[$1]} meta=${MATRIX_METAS[$1]} srcpkg=${MATRIX_SRCS[$1]}
	local t0=$SECONDS
	[[ -z ${MATRIX_SUITES[$i]} ]] || { setup_suite_kernel "$i"; return; }
	if ! resolve_kernel "$name" "$meta" "$srcpkg"; then
		apt_update
		if ! resolve_kernel "$name" "$meta" "$srcpkg"; then
			keep_env "$name" "apt cannot resolve $meta / $srcpkg"
			return 0
		fi
	fi
	fetch_kernel "$name"
	check_kdir "$R_KVER" "$CACHE/kernels/$R_KVER/root/usr/src/linux-headers-$R_KVER"
	kernel_ready "$name" "$R_VERSION" "$t0"
}

# The resolved packages (R_DEBS: the image's, then linux-source) fetched,
# the image unpacked, the source's parts extracted.
fetch_kernel() { # NAME
	local p debs=() srcdeb
	for p in "${R_DEBS[@]::${#R_DEBS[@]}-1}"; do
		debs+=("$(fetch_deb "$p")")
	done
	srcdeb=$(fetch_deb "${R_DEBS[-1]}")
	unpack_kernel "$R_KVER" "${debs[@]}"
	extract_source "$1" "$srcdeb"
}

# The VM's initramfs and vmlinux, and the env file (write_env's optional
# arguments after the first three).
kernel_ready() { # NAME WHAT T0 [KDIR KSRC VMLINUX KCHROOT]
	local name=$1 what=$2 t0=$3
	shift 3
	build_initramfs "$R_KVER"
	extract_vmlinux "$R_KVER"
	write_env "$name" "$R_KVER" "$R_VERSION" "$@"
	echo "$name: $R_KVER ($what) ready, env $CACHE/kernels/$name.env ($((SECONDS - t0)) s)"
}

# A kernel of another suite: its packages through the suite's chroot, which
# builds for it.
setup_suite_kernel() { # INDEX
	local i=$1 name=${MATRIX_NAMES[$1]} suite=${MATRIX_SUITES[$1]} t0=$SECONDS
	setup_chroot "$suite"
	APT_ROOT=$CHROOT_ROOT
	if ! resolve_suite_kernel "${MATRIX_METAS[$i]}" "${MATRIX_SRCS[$i]}"; then
		chroot_apt_update "$CHROOT_ROOT"
		if ! resolve_suite_kernel "${MATRIX_METAS[$i]}" "${MATRIX_SRCS[$i]}"; then
			APT_ROOT=
			keep_env "$name" "$suite's apt cannot resolve ${MATRIX_METAS[$i]} with ${MATRIX_SRCS[$i]} at its version"
			return 0
		fi
	fi
	fetch_kernel "$name"
	APT_ROOT=
	install_suite_headers "$CHROOT_ROOT" "$R_KVER" "$R_VERSION" "$CACHE/src/$name"
	check_kdir "$R_KVER" "/usr/src/linux-headers-$R_KVER" "$CHROOT_ROOT"
	kernel_ready "$name" "$R_VERSION, $suite" "$t0" \
		"/usr/src/linux-headers-$R_KVER" "" "" "$CHROOT_ROOT"
}

main() {
	local print_env='' names=() i idx=() failed=()
	while (($#)); do
		case $1 in
		--print-env) [[ $# -ge 2 ]] || usage; print_env=$2; shift 2 ;;
		-h | --help) usage 0 ;;
		--) shift; names+=("$@"); break ;;
		-*) usage ;;
		*) names+=("$1"); shift ;;
		esac
	done
	read_matrix
	if [[ -n $print_env ]]; then
		idx=("$(matrix_index "$print_env")")
		if [[ ! -f $CACHE/kernels/$print_env.env ]]; then
			main "$print_env" >&2
		fi
		echo "$CACHE/kernels/$print_env.env"
		return 0
	fi
	if ((${#names[@]})); then
		for i in "${names[@]}"; do idx+=("$(matrix_index "$i")"); done
	else
		idx=("${!MATRIX_NAMES[@]}")
	fi
	[[ $(id -u) == 0 ]] || log "warning: not root: host packages cannot be installed"
	mkdir -p "$CACHE/debs" "$CACHE/kernels" "$CACHE/src"
	# One set-up at a time (run.sh calls this script when an env is missing).
	exec 7>>"$CACHE/setup.lock"
	if ! flock -n 7; then
		log "waiting for another setup.sh ($CACHE/setup.lock)"
		flock 7
	fi
	install_host_packages
	# The guest bind-mounts the cached modules over /lib/modules, which must
	# exist on the (read-only) host root.
	[[ -d /lib/modules ]] || mkdir -p /lib/modules || die "cannot create /lib/modules"
	# A kernel that cannot be set up (a suite that moved on, a mirror that
	# lacks it) fails alone: the others and the daemons are still set up.
	# (In a subshell, out of any tested context, so that set -e holds.)
	# An interrupt stops the whole run, not just the kernel at hand.
	trap 'exit 130' INT
	trap 'exit 143' TERM
	RUN_STAMP=$CACHE/.setup-run
	touch "$RUN_STAMP"
	trap - ERR
	for i in "${idx[@]}"; do
		set +e
		(
			trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
			set -e
			setup_kernel "$i"
		)
		# shellcheck disable=SC2181 # (the point: no tested context above)
		(($? == 0)) || failed+=("${MATRIX_NAMES[$i]}")
		set -e
	done
	trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
	setup_daemons
	((${#failed[@]} == 0)) || die "not set up: ${failed[*]}"
}

# Run unless sourced (debug-kernel.sh uses the functions).
[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
