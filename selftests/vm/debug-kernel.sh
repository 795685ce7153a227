#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build (once) the debug kernel of make check-debug and set
# it up as the VM kernel "debug" (run.sh -k debug).
#
# Debian's linux-source of the newest host-suite matrix kernel (the last
# line of selftests/vm/kernels without a suite), configured from
# allnoconfig + kernel/configs/kvm_guest.config + selftests/config +
# selftests/config.debug (KASAN, lockdep, kmemleak, UBSAN, KFENCE, debug
# objects). Rebuilt only when the source version or a fragment changes; the
# build tree is kept in the cache, so a rebuild is incremental.

set -uo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/../.." && pwd)
# shellcheck source=selftests/vm/setup.sh
. "$VM_DIR/setup.sh"

FRAGMENTS=("$TOP/selftests/config" "$TOP/selftests/config.debug")

debug_main() {
	local base src srcdeb ver key build kver root env t0=$SECONDS out
	base=$(awk '$1 !~ /^#/ && NF == 3 { n = $1 } END { print n }' "$VM_DIR/kernels")
	"$VM_DIR/setup.sh" "$base" >&2 || die "setup.sh $base failed"
	read_matrix
	resolve_kernel "$base" "${MATRIX_METAS[$(matrix_index "$base")]}" \
		"${MATRIX_SRCS[$(matrix_index "$base")]}" ||
		die "$base: apt cannot resolve its linux-source"
	srcdeb=$(fetch_deb "${R_DEBS[4]}")
	ver=${R_VERSION}

	mkdir -p "$CACHE/debug"
	exec 6>>"$CACHE/debug/build.lock"
	flock 6

	# The whole source tree, once per version.
	src=$CACHE/debug/linux-source-$base
	if [[ ! -f $src.stamp || $(<"$src.stamp") != "$ver" ]]; then
		log "debug: extracting the $base source ($ver)"
		rm -rf "$src"
		dpkg-deb --fsys-tarfile "$srcdeb" |
			tar -xO "./usr/src/linux-source-$base.tar.xz" |
			tar -xJ -C "$CACHE/debug" || die "debug: cannot extract the source"
		echo "$ver" >"$src.stamp"
	fi

	key=$({ echo "$ver"; cat "$src/kernel/configs/kvm_guest.config" \
		"${FRAGMENTS[@]}"; gcc --version | head -1; } | sha256sum)
	key=${key%% *}
	build=$CACHE/debug/build
	if [[ ! -f $build/key || $(<"$build/key") != "$key" ]]; then
		log "debug: configuring"
		mkdir -p "$build"
		rm -f "$build/key"
		if ! make -s -C "$src" O="$build" allnoconfig >/dev/null ||
		   ! (cd "$build" && "$src/scripts/kconfig/merge_config.sh" -m \
			-O "$build" "$build/.config" \
			"$src/kernel/configs/kvm_guest.config" \
			"${FRAGMENTS[@]}" >/dev/null) ||
		   ! make -s -C "$src" O="$build" olddefconfig >/dev/null; then
			die "debug: configuration failed"
		fi
		check_config "$build/.config"
		log "debug: building (2 cores: about 12 minutes)"
		out=$CACHE/debug/build.log
		if ! make -C "$src" O="$build" -j"$(nproc)" bzImage modules >"$out" 2>&1; then
			tail -n 30 "$out" >&2
			die "debug: kernel build failed (log: $out)"
		fi
		echo "$key" >"$build/key"
	fi

	kver=$(make -s -C "$src" O="$build" kernelrelease) || die "debug: no kernelrelease"
	root=$CACHE/kernels/$kver/root
	if [[ ! -f $root.stamp || $(<"$root.stamp") != "$key" ]]; then
		log "debug: installing $kver"
		rm -rf "$root"
		mkdir -p "$root/boot"
		make -s -C "$src" O="$build" INSTALL_MOD_PATH="$root" \
			modules_install >/dev/null || die "debug: modules_install failed"
		cp "$build/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver"
		cp "$build/.config" "$root/boot/config-$kver"
		echo "$key" >"$root.stamp"	# kernels/KVER/root.stamp, as setup.sh's
	fi
	build_initramfs "$kver"

	write_env debug "$kver" "$ver" "$build" "$src" "$build/vmlinux"
	env=$CACHE/kernels/debug.env
	echo "debug: $kver ready, env $env ($((SECONDS - t0)) s)"
}

# Every option the fragments ask for must be in the result: a dependency
# missing from them silently drops an option.
check_config() { # .config
	local line missing=()
	while read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" "$1" || missing+=("$line") ;;
		esac
	done < <(cat "${FRAGMENTS[@]}")
	((${#missing[@]} == 0)) ||
		die "debug: the configuration lacks: ${missing[*]}"
}

debug_main
